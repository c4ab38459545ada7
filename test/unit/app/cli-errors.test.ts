import { describe, expect, it } from 'vitest';
import { oneLineError } from '../../../src/app/cli.js';

describe('oneLineError: commander parse errors as one line', () => {
  it.each([
    [
      "error: unknown command 'rnu'\n(Did you mean run?)\n",
      "bench: unknown command 'rnu'; did you mean 'run'? (run with --help for usage)\n",
    ],
    [
      "error: unknown option '--duraton'\n(Did you mean --duration?)\n",
      "bench: unknown option '--duraton'; did you mean '--duration'? (run with --help for usage)\n",
    ],
    [
      "error: missing required argument 'paths'\n",
      "bench: missing required argument 'paths' (run with --help for usage)\n",
    ],
  ])('%j', (text, line) => {
    expect(oneLineError(text)).toBe(line);
    expect(oneLineError(text).trimEnd()).not.toContain('\n');
  });
});
