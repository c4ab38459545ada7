import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { SampleSink } from '../../../src/harness/metrics/sample-sink.js';
import { percentileSorted } from '../../../src/harness/metrics/percentile.js';
import { SampleMerger } from '../../../src/harness/shard/merge-samples.js';
import {
  decodeSampleBlock,
  encodeExact,
  encodeSortedSamples,
  type ExactSampleBlock,
} from '../../../src/harness/shard/sample-block.js';
import { createRng } from '../../../src/lib/rng.js';

function sorted(values: number[]): Float64Array {
  const array = Float64Array.from(values);
  array.sort();
  return array;
}

function bits(values: Float64Array): string {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('hex');
}

describe('exact sample blocks', () => {
  it('round-trip bit for bit, including -0, subnormals, huge and negative values', () => {
    const values = sorted([-0, 0, 5e-324, 1e-310, -1e300, 1e300, 0.1 + 0.2, 1 / 3, 12.5, 12.5, -7]);
    const block = encodeExact(values);
    expect(block.n).toBe(values.length);
    const decoded = decodeSampleBlock(JSON.parse(JSON.stringify(block)), 'b');
    expect(decoded.form).toBe('exact');
    if (decoded.form === 'exact') expect(bits(decoded.values)).toBe(bits(values));
  });

  it('an empty block round-trips', () => {
    const decoded = decodeSampleBlock(encodeExact(new Float64Array(0)), 'b');
    expect(decoded.form === 'exact' && decoded.values.length).toBe(0);
  });

  it('is compact for latency-like samples (byte shuffle + deflate)', () => {
    const rng = createRng(7);
    const values = sorted(Array.from({ length: 100_000 }, () => 20 + rng.exponential(0.1)));
    const block = encodeExact(values);
    const rawBase64 = Math.ceil((values.byteLength * 4) / 3);
    // Measured here: ~0.55 of raw; the bound leaves room for zlib versions.
    expect(block.data.length).toBeLessThan(0.8 * rawBase64);
  });

  const good = encodeExact(sorted([1, 2, 3]));
  it.each<[string, unknown, RegExp]>([
    ['not an object', 'x', /not a sample block/],
    ['unknown form', { ...good, form: 'hdr' }, /form must be/],
    ['unknown encoding', { ...good, encoding: 'gzip' }, /unknown encoding/],
    ['negative n', { ...good, n: -1 }, /n must be an integer/],
    ['n over the cap', { ...good, n: 2 ** 30 }, /n must be an integer/],
    ['n disagreeing with the data', { ...good, n: 4 }, /expected 32/],
    ['not base64', { ...good, data: '!!!' }, /not base64/],
    ['not deflate', { ...good, data: Buffer.from('hello').toString('base64') }, /does not inflate/],
    [
      'a deflate bomb',
      { ...good, data: deflateRawSync(Buffer.alloc(10_000_000)).toString('base64') },
      /does not inflate/,
    ],
    ['unsorted', encodeExact(Float64Array.from([3, 1, 2])), /not finite and sorted/],
    ['NaN', encodeExact(Float64Array.from([1, NaN])), /not finite and sorted/],
  ])('refuses %s', (_name, block, message) => {
    expect(() => decodeSampleBlock(block, 'shard 0 ttft')).toThrow(message);
  });
});

describe('binned sample blocks', () => {
  it('carry a binned SampleSink (count, extremes and buckets) and merge to its percentiles', () => {
    const rng = createRng(3);
    const sink = new SampleSink(100);
    const values: number[] = [];
    for (let i = 0; i < 5000; i++) {
      const v = rng.next() < 0.01 ? 0 : rng.next() < 0.02 ? -rng.exponential(1) : 1 + rng.exponential(0.05);
      values.push(v);
      sink.push(v);
    }
    const samples = sink.finish();
    expect(samples.exact).toBe(false);
    const block = encodeSortedSamples(samples);
    expect(block.form).toBe('binned');
    const merger = new SampleMerger(100);
    merger.add(decodeSampleBlock(JSON.parse(JSON.stringify(block)), 'b'));
    const merged = merger.finish();
    expect(merged.exact).toBe(false);
    expect(merged.length).toBe(5000);
    for (const p of [0, 1, 50, 90, 99, 100])
      expect(percentileSorted(merged, p)).toBe(percentileSorted(samples, p));
    const exact = sorted(values);
    for (const p of [50, 90, 99]) {
      const truth = percentileSorted(exact, p) as number;
      expect(Math.abs((percentileSorted(merged, p) as number) - truth)).toBeLessThanOrEqual(
        Math.abs(truth) * 0.00035,
      );
    }
  });

  it('refuses bucket counts that do not sum to n', () => {
    const sink = new SampleSink(1);
    for (let i = 0; i < 1100; i++) sink.push(1 + (i % 3));
    const block = encodeSortedSamples(sink.finish());
    expect(block.form).toBe('binned');
    expect(() => decodeSampleBlock({ ...block, n: 1101 }, 'b')).toThrow(/sum to 1100, not n = 1101/);
    expect(() => decodeSampleBlock({ ...block, min: null }, 'b')).toThrow(/min\/max/);
  });
});

describe('SampleMerger', () => {
  it('the merge of exact blocks is the sorted union, bit for bit', () => {
    const rng = createRng(11);
    const all: number[] = [];
    const merger = new SampleMerger();
    for (let s = 0; s < 5; s++) {
      const part = Array.from({ length: 1000 + s }, () => rng.exponential(0.3));
      all.push(...part);
      merger.add(decodeSampleBlock(encodeExact(sorted(part)), `s${s}`));
    }
    const merged = merger.finish();
    const union = sorted(all);
    expect(merged.exact).toBe(true);
    const out = new Float64Array(merged.length);
    let i = 0;
    merged.forEachValue((v) => (out[i++] = v));
    expect(bits(out)).toBe(bits(union));
    const sink = new SampleSink();
    for (const v of all) sink.push(v);
    expect(Object.is(merged.mean, sink.finish().mean)).toBe(true);
  });

  it('switches to buckets past the exact cap, with exact count and extremes', () => {
    const merger = new SampleMerger(10);
    merger.add(decodeSampleBlock(encodeExact(sorted([1, 2, 3, 4, 5, 6])), 'a'));
    merger.add(decodeSampleBlock(encodeExact(sorted([7, 8, 9, 10, 11, 12])), 'b'));
    const merged = merger.finish();
    expect(merged.exact).toBe(false);
    expect(merged.length).toBe(12);
    expect(merged.at(0)).toBe(1);
    expect(merged.at(11)).toBe(12);
    expect(merged.mean).toBe(6.5);
  });

  it('keeps a block that was exact exact when alone', () => {
    const block: ExactSampleBlock = encodeExact(sorted([2, 1]));
    const merger = new SampleMerger(2);
    merger.add(decodeSampleBlock(block, 'a'));
    expect(merger.finish().exact).toBe(true);
  });
});
