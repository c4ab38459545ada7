// Every command's and option's help text follows one style, checked on the live commander tree:
// lowercase one-line summaries (like commander's own "display help for command"), full-sentence
// descriptions, no mid-sentence line breaks, defaults written once, as "(default: …)".
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../../src/app/cli.js';

/** Words that keep their capital at the start of an option's text. */
const PROPER = /^(Sigstore|Prometheus|OpenAI|DCGM|NVML|SLO|TCP|HTTP|JSON|CSV|LLM|GPU|CPU|PVC|ITL|TTFT|KV)\b/;

function commands(root: Command): { path: string; command: Command }[] {
  const out: { path: string; command: Command }[] = [];
  const walk = (c: Command, path: string): void => {
    for (const sub of c.commands) {
      if (sub.name() === 'help') continue;
      const p = path === '' ? sub.name() : `${path} ${sub.name()}`;
      out.push({ path: p, command: sub });
      walk(sub, p);
    }
  };
  walk(root, '');
  return out;
}

const checked = commands(await buildProgram());

describe('help texts', () => {
  it.each(checked.map((c) => [c.path, c.command] as const))(
    '%s: summary and description',
    (_path, command) => {
      const summary = command.summary();
      expect(summary, 'a one-line summary for the command list').not.toBe('');
      expect(summary).toMatch(/^[^A-Z]/);
      expect(summary).not.toMatch(/[.\n]$|\n/);
      const description = command.description();
      if (description !== '') {
        expect(description).toMatch(/^[A-Z]/);
        // A line break only after a sentence or a label, never inside a sentence.
        expect(description).not.toMatch(/[^.:\n]\n/);
      }
    },
  );

  it.each(checked.map((c) => [c.path, c.command] as const))('%s: options', (_path, command) => {
    for (const option of command.options) {
      const text = option.description;
      expect(text, option.flags).not.toBe('');
      expect(text, option.flags).not.toContain('\n');
      expect(PROPER.test(text) || /^[^A-Z]/.test(text), `${option.flags}: ${text}`).toBe(true);
      expect(text, `${option.flags}: commander prints the default`).not.toMatch(/\(default\)$/);
      if (
        option.defaultValue !== undefined &&
        !(Array.isArray(option.defaultValue) && option.defaultValue.length === 0)
      )
        expect(text, `${option.flags}: commander already prints the default`).not.toMatch(/\(default\b/);
      expect(text, `${option.flags}: write defaults as "(default: …)"`).not.toMatch(/\(default [^:]/);
    }
  });
});
