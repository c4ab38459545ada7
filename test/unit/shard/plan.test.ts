import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatShardSpec,
  globalIndex,
  parseShardSpec,
  shardConcurrency,
  shardItems,
  shardRate,
  shardRequestSource,
  shardSeed,
  shardShare,
} from '../../../src/harness/shard/plan.js';

describe('parseShardSpec', () => {
  it.each([
    ['0/1', 0, 1],
    ['3/4', 3, 4],
    [' 0/64 ', 0, 64],
  ])('%s', (raw, index, count) => {
    expect(parseShardSpec(raw)).toEqual({ index, count });
    expect(formatShardSpec(parseShardSpec(raw))).toBe(`${index}/${count}`);
  });

  it.each(['', '1', '4/4', '5/4', '-1/4', '1/0', '01/4', '1.5/4', 'a/b', '1/2/3', '0/100001', '1 /4'])(
    'refuses %j with a usage error',
    (raw) => {
      expect(() => parseShardSpec(raw)).toThrow(
        expect.objectContaining({ code: 'E_SHARD_SPEC', exitCode: 2 }),
      );
    },
  );
});

describe('shares', () => {
  it('concurrency shares sum to the total and differ by at most one (remainder to the first shards)', () => {
    expect([0, 1, 2, 3].map((index) => shardConcurrency(10, { index, count: 4 }))).toEqual([3, 3, 2, 2]);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 0, max: 10_000 }), (count, extra) => {
        const total = count + extra;
        const shares = Array.from({ length: count }, (_, index) => shardShare(total, { index, count }));
        expect(shares.reduce((a, b) => a + b, 0)).toBe(total);
        expect(Math.max(...shares) - Math.min(...shares)).toBeLessThanOrEqual(1);
      }),
    );
  });

  it('refuses a concurrency below the shard count', () => {
    expect(() => shardConcurrency(3, { index: 0, count: 4 })).toThrow(/cannot be split over 4 shards/);
  });

  it('splits a rate evenly', () => {
    expect(shardRate(10, { index: 1, count: 4 })).toBe(2.5);
    expect(() => shardRate(0, { index: 0, count: 2 })).toThrow(/not a positive rate/);
  });
});

describe('workload share', () => {
  it('is disjoint and covers the run sequence', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 32 }), fc.integer({ min: 0, max: 500 }), (count, size) => {
        const items = Array.from({ length: size }, (_, i) => i);
        const seen = new Set<number>();
        for (let index = 0; index < count; index++) {
          for (const item of shardItems(items, { index, count })) {
            expect(seen.has(item)).toBe(false);
            seen.add(item);
          }
        }
        expect(seen.size).toBe(size);
      }),
    );
  });

  it("a shard's k-th request is the run's request k·N + i", () => {
    const source = { request: (i: number) => `req-${i}` };
    const shard = shardRequestSource(source, { index: 2, count: 3 });
    expect([0, 1, 2].map((k) => shard.request(k))).toEqual(['req-2', 'req-5', 'req-8']);
    expect(globalIndex(4, { index: 0, count: 8 })).toBe(32);
    expect(shardRequestSource(source, { index: 0, count: 1 })).toBe(source);
  });
});

describe('shardSeed', () => {
  it('keeps the run seed for an unsharded run, and is distinct and stable per shard', () => {
    expect(shardSeed(42, { index: 0, count: 1 })).toBe(42);
    const seeds = Array.from({ length: 64 }, (_, index) => shardSeed(42, { index, count: 64 }));
    expect(new Set(seeds).size).toBe(64);
    expect(shardSeed(42, { index: 3, count: 64 })).toBe(seeds[3]);
    expect(shardSeed(42, { index: 0, count: 2 })).not.toBe(shardSeed(43, { index: 0, count: 2 }));
    expect(shardSeed(1, { index: 0, count: 2 })).not.toBe(shardSeed(2 ** 32 + 1, { index: 0, count: 2 }));
    for (const seed of seeds) expect(Number.isInteger(seed) && seed >= 0 && seed < 2 ** 32).toBe(true);
  });
});
