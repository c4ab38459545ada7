// bench run's shard flags through parseRunFlags: what a sharded point may combine with.
import { describe, expect, it } from 'vitest';
import { parseRunFlags } from '../../../src/app/run/options.js';

const RUN = '019e3b45-8552-7705-ab62-1cb802fe5680';
const SHARD = {
  shard: '1/4',
  coordinator: 'http://bench-coordinator:7400',
  runId: RUN,
  baseUrl: 'http://vllm:8000',
};

describe('bench run --shard', () => {
  it('parses into config.shard; an ordinary run has none', () => {
    expect(parseRunFlags(undefined, {}).shard).toBeNull();
    const config = parseRunFlags('llm.inference', { ...SHARD, concurrency: '64' });
    expect(config.shard).toEqual({
      shard: { index: 1, count: 4 },
      coordinator: 'http://bench-coordinator:7400',
      runId: RUN,
    });
    // The point keeps the run's total load; the shard takes its share when it runs.
    expect(config.points[0]?.value).toBe(64);
  });

  it.each<[string, Record<string, string | boolean>, RegExp]>([
    ['a sweep', { sweep: '1,2' }, /--shard runs one point/],
    ['--all-benchmarks', { allBenchmarks: true }, /--shard runs one point/],
    ['--trials', { trials: '3' }, /--shard and --trials/],
    ['--detach', { detach: true }, /--shard and --detach/],
    ['no --base-url', { baseUrl: '' }, /--shard needs --base-url/],
  ])('refuses %s', (_name, extra, message) => {
    expect(() => parseRunFlags(undefined, { ...SHARD, ...extra })).toThrow(
      expect.objectContaining({ exitCode: 2, message: expect.stringMatching(message) }),
    );
  });
});
