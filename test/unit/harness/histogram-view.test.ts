import { describe, expect, it } from 'vitest';
import { histogramViewOf, LogBuckets } from '../../../src/harness/index.js';

describe('log-bucket histogram views', () => {
  it('trims to the occupied range; edges bracket every value; counts add up', () => {
    const values = [0.05, 1, 1.1, 9.9, 10, 250, 250, 4000];
    const view = histogramViewOf(values, 5, 4000);
    expect(view.n).toBe(values.length);
    expect(view.counts.reduce((a, b) => a + b, 0)).toBe(values.length);
    expect(view.edgesMs).toHaveLength(view.counts.length + 1);
    for (let i = 1; i < view.edgesMs.length; i++)
      expect(view.edgesMs[i]!).toBeGreaterThan(view.edgesMs[i - 1]!);
    expect(view.edgesMs[0]).toBe(0); // 0.05 ms falls in the [0, 0.1) bucket
    expect(view.edgesMs.at(-1)!).toBeGreaterThan(4000);
    // 10 buckets per decade: 1 and 1.1 share [1, 1.259); 9.9 and 10 do not.
    const bucketOf = (v: number): number =>
      view.edgesMs.findIndex((e, i) => v >= e && v < view.edgesMs[i + 1]!);
    expect(bucketOf(1)).toBe(bucketOf(1.1));
    expect(bucketOf(9.9)).not.toBe(bucketOf(10));
    expect(view.counts[bucketOf(250)]).toBe(2);
    expect(Object.isFrozen(view)).toBe(true);
  });

  it('an empty view has no buckets', () => {
    const view = new LogBuckets().view(null, null);
    expect(view).toEqual({ edgesMs: [], counts: [], n: 0, p50Ms: null, p99Ms: null });
  });
});
