import { describe, expect, it } from 'vitest';
import { parseShardFlags } from '../../../src/app/shard/options.js';

const RUN = '019e3b45-8552-7705-ab62-1cb802fe5680';

describe('parseShardFlags', () => {
  it('is null for an ordinary run', () => {
    expect(parseShardFlags({})).toBeNull();
  });

  it('parses a shard of a coordinated run', () => {
    expect(
      parseShardFlags({ shard: '3/4', coordinator: 'http://bench-coordinator.bench.svc:7400/', runId: RUN }),
    ).toEqual({
      shard: { index: 3, count: 4 },
      coordinator: 'http://bench-coordinator.bench.svc:7400',
      runId: RUN,
    });
    expect(parseShardFlags({ shard: '0/1', runId: RUN })).toEqual({
      shard: { index: 0, count: 1 },
      coordinator: null,
      runId: RUN,
    });
  });

  it.each<[string, Record<string, string>, RegExp]>([
    ['--coordinator without --shard', { coordinator: 'http://x:1' }, /only apply with --shard/],
    ['a bad spec', { shard: '4/4', runId: RUN, coordinator: 'http://x:1' }, /index must be below N/],
    ['no run id', { shard: '0/2', coordinator: 'http://x:1' }, /needs --run-id/],
    [
      'an upper-case run id',
      { shard: '0/2', coordinator: 'http://x:1', runId: RUN.toUpperCase() },
      /needs --run-id/,
    ],
    ['N > 1 without a coordinator', { shard: '0/2', runId: RUN }, /needs --coordinator/],
    [
      'a non-http coordinator',
      { shard: '0/2', runId: RUN, coordinator: 'file:///tmp' },
      /http:\/\/ or https/,
    ],
    ['credentials in the URL', { shard: '0/2', runId: RUN, coordinator: 'http://u:p@x:1' }, /no credentials/],
    ['not a URL', { shard: '0/2', runId: RUN, coordinator: 'coordinator:7400 x' }, /not a URL|http:\/\//],
  ])('refuses %s with exit 2', (_name, raw, message) => {
    expect(() => parseShardFlags(raw)).toThrow(
      expect.objectContaining({ exitCode: 2, message: expect.stringMatching(message) }),
    );
  });
});
