import { describe, expect, it } from 'vitest';
import { MetricsAccumulator, buildMetrics } from '../../../src/harness/metrics/compute.js';
import { percentileSorted, sortedCopy } from '../../../src/harness/metrics/percentile.js';
import { SampleSink, type SortedSamples } from '../../../src/harness/metrics/sample-sink.js';
import { decodeSampleBlock, encodeSortedSamples } from '../../../src/harness/shard/sample-block.js';
import { createRng } from '../../../src/lib/rng.js';
import { rec } from './records.js';

const lognormalish = (seed: number, n: number): number[] => {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => Math.exp(rng.nextOpen() * 6 - 2));
};

describe('SampleSink', () => {
  it('below the cap: the sorted values themselves, exact', () => {
    const values = lognormalish(1, 5000);
    const sink = new SampleSink(10_000);
    for (const v of values) sink.push(v);
    expect(sink.length).toBe(5000);
    const sorted = sink.finish();
    const reference = sortedCopy(values);
    expect(sorted.exact).toBe(true);
    expect(sorted.length).toBe(5000);
    for (const rank of [0, 1, 2499, 4998, 4999]) expect(sorted.at(rank)).toBe(reference[rank]);
    for (const p of [0, 50, 90, 99, 100])
      expect(percentileSorted(sorted, p)).toBe(percentileSorted(reference, p));
    let n = 0;
    sorted.forEachValue((_, count) => (n += count));
    expect(n).toBe(5000);
  });

  it('past the cap: percentiles within 0.034 %, count/mean/min/max exact, signs and zeros kept', () => {
    const values = [...lognormalish(2, 200_000), 0, 0, 0, -0.5, -12.25, -1e-6];
    const sink = new SampleSink(1000);
    for (const v of values) sink.push(v);
    const sorted = sink.finish();
    const reference = sortedCopy(values);
    expect(sorted.exact).toBe(false);
    expect(sorted.length).toBe(values.length);
    expect(sorted.at(0)).toBe(-12.25);
    expect(sorted.at(values.length - 1)).toBe(reference[values.length - 1]);
    expect(sorted.at(values.length)).toBeUndefined();
    const sum = values.reduce((a, b) => a + b, 0);
    expect(sorted.mean).toBeCloseTo(sum / values.length, 9);
    // Ranks of the negatives and zeros land on their own (signed) buckets.
    expect(sorted.at(1)).toBeCloseTo(-0.5, 3);
    expect(sorted.at(2)).toBeLessThan(0);
    expect(sorted.at(3)).toBe(0);
    expect(sorted.at(5)).toBe(0);
    for (const p of [1, 10, 50, 90, 99, 99.9]) {
      const exact = percentileSorted(reference, p) as number;
      const binned = percentileSorted(sorted, p) as number;
      expect(Math.abs(binned - exact) / exact).toBeLessThan(0.00035);
    }
    let n = 0;
    let previous = -Infinity;
    sorted.forEachValue((value, count) => {
      expect(value).toBeGreaterThanOrEqual(previous);
      previous = value;
      n += count;
    });
    expect(n).toBe(values.length);
  });

  it.each([1, 100, 1024, 1500])(
    'is exact while it holds at most the cap (%i values), binned past it',
    (cap) => {
      const values = lognormalish(5, cap + 1);
      const atCap = new SampleSink(cap);
      for (const v of values.slice(0, cap)) atCap.push(v);
      expect(atCap.finish().exact).toBe(true);
      const pastCap = new SampleSink(cap);
      for (const v of values) pastCap.push(v);
      const binned = pastCap.finish();
      expect(binned.exact).toBe(false);
      expect(binned.length).toBe(cap + 1);
    },
  );

  it('rejects a cap below 1', () => {
    expect(() => new SampleSink(0)).toThrow(RangeError);
  });
});

/** Everything a SortedSamples gives: n, form, mean and every (value, count), as bits. */
function fingerprint(samples: SortedSamples): string {
  const out: number[] = [samples.length, samples.exact ? 1 : 0, samples.mean ?? NaN];
  samples.forEachValue((value, count) => out.push(value, count));
  return Buffer.from(Float64Array.from(out).buffer).toString('hex');
}

describe('SampleSink blocks (the shard merge feeds it whole blocks)', () => {
  const values = [...lognormalish(4, 3000), 0, -0, -2.5, 0.1 + 0.2];
  // [cap, block sizes]: below, at and past the cap, a block that crosses it, a block after binning.
  it.each<[number, number[]]>([
    [10_000, [1000, 2004]],
    [3004, [3004]],
    [3004, [3003, 1]],
    [3003, [3004]],
    [1500, [1000, 1000, 1004]],
    [100, [0, 99, 1, 1, 2903]],
    [1, [3004]],
  ])('pushAll() keeps the samples one push() each keeps, bit for bit (cap %i, blocks %j)', (cap, sizes) => {
    const one = new SampleSink(cap);
    for (const v of values) one.push(v);
    const blocks = new SampleSink(cap);
    let offset = 0;
    for (const size of sizes) {
      blocks.pushAll(Float64Array.from(values.slice(offset, offset + size)));
      offset += size;
    }
    expect(offset).toBe(values.length);
    expect(blocks.length).toBe(one.length);
    expect(fingerprint(blocks.finish())).toBe(fingerprint(one.finish()));
  });

  it('addBinned() folds the bucket counts of another sink: the same as binning every value here', () => {
    const [a, b] = [values.slice(0, 1000), values.slice(1000)];
    const source = new SampleSink(1);
    for (const v of b) source.push(v);
    const block = decodeSampleBlock(encodeSortedSamples(source.finish()), 'b');
    if (block.form !== 'binned') throw new Error('expected a binned block');
    const merged = new SampleSink();
    merged.pushAll(Float64Array.from(a));
    merged.addBinned(block);
    const whole = new SampleSink(1);
    for (const v of [...a, ...b]) whole.push(v);
    const m = merged.finish();
    const w = whole.finish();
    expect(m.exact).toBe(false);
    const pairs = (s: SortedSamples): number[] => {
      const out: number[] = [];
      s.forEachValue((value, count) => out.push(value, count));
      return out;
    };
    expect(pairs(m)).toEqual(pairs(w));
    expect([m.length, m.at(0), m.at(m.length - 1)]).toEqual([w.length, w.at(0), w.at(w.length - 1)]);
    // The sum is exact in both, up to the order of its additions.
    expect(m.mean).toBeCloseTo(w.mean as number, 12);
  });
});

describe('MetricsAccumulator', () => {
  const window = { startMs: 0, endMs: 10_000 };
  const records = Array.from({ length: 3000 }, (_, i) =>
    rec({ id: i, tSend: i * 3, events: [i * 3 + 20 + (i % 17), i * 3 + 30 + (i % 5), i * 3 + 41] }),
  );

  it('records in any order give the same metrics as buildMetrics', () => {
    const shuffled = [...records].reverse();
    const accumulator = new MetricsAccumulator(window, { bootstrapResamples: 100, seed: 7 });
    for (const r of shuffled) accumulator.add(r);
    const { metrics } = accumulator.finish();
    expect(metrics).toEqual(buildMetrics(records, window, { bootstrapResamples: 100, seed: 7 }));
    expect(metrics.distributions.ttft.exact).toBe(true);
  });

  it('a small exact cap bins the distributions but keeps counts and close percentiles', () => {
    const exact = buildMetrics(records, window, { bootstrapResamples: 0 });
    const binned = buildMetrics(records, window, { bootstrapResamples: 0, exactCap: 100 });
    expect(binned.distributions.itl.exact).toBe(false);
    expect(binned.counts).toEqual(exact.counts);
    expect(binned.throughputTokPerS).toBe(exact.throughputTokPerS);
    expect(binned.coalescedFraction).toBe(exact.coalescedFraction);
    for (const name of ['ttft', 'itl', 'icl', 'total'] as const) {
      expect(binned.distributions[name].n).toBe(exact.distributions[name].n);
      expect(binned.distributions[name].max).toBe(exact.distributions[name].max);
      for (const p of ['p50', 'p90', 'p99'] as const) {
        const e = exact.distributions[name][p] as number;
        expect(Math.abs((binned.distributions[name][p] as number) - e) / e).toBeLessThan(0.00035);
      }
    }
  });

  it('finish() only once', () => {
    const accumulator = new MetricsAccumulator(window);
    accumulator.finish();
    expect(() => accumulator.finish()).toThrow(/twice/);
  });
});
