// The shard envelope's sample blocks: every measured sample of one distribution, encoded losslessly
// and compactly so that shards can be merged exactly (docs/scale-out.md, "Sample blocks").
//
// exact   the samples themselves, sorted ascending, as float64 little-endian, byte-shuffled (all
//         first bytes, then all second bytes, …: sorted doubles share their high bytes, which
//         deflate then folds), raw-deflated, base64. Lossless: decoding gives the same bits.
// binned  what a SampleSink keeps past its exact cap: counts per log bucket (1024 per octave,
//         key = ⌊log2|v|·1024⌋, as SampleSink), plus the exact n, sum, min and max. Positive and
//         negative keys as int32 LE, then counts as float64 LE, shuffled, deflated, base64.
//
// This is distinct from any small, bounded sample kept for diff CIs: it is the full resolution.
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import {
  bucketKey,
  BUCKETS_PER_OCTAVE,
  type BinnedCounts,
  type SortedSamples,
} from '../metrics/sample-sink.js';
import { ShardError } from './errors.js';

// The log buckets are SampleSink's (one definition of key and midpoint).
export { bucketKey, bucketMidpoint, BUCKETS_PER_OCTAVE, type BinnedCounts } from '../metrics/sample-sink.js';
/** The largest exact block a decoder accepts (SampleSink's default exact cap: 32 MiB of doubles). */
export const MAX_EXACT_BLOCK = 4 * 1024 * 1024;
/** The most buckets a binned block may list (a double spans < 2100 octaves × 1024 keys × 2 signs). */
export const MAX_BINNED_BUCKETS = 2 * 2100 * BUCKETS_PER_OCTAVE;

export const EXACT_ENCODING = 'f64le-sorted-shuffle-deflate-base64';
export const BINNED_ENCODING = 'log1024-i32le-f64le-shuffle-deflate-base64';

export interface ExactSampleBlock {
  readonly form: 'exact';
  readonly encoding: typeof EXACT_ENCODING;
  readonly n: number;
  readonly data: string;
}

export interface BinnedSampleBlock {
  readonly form: 'binned';
  readonly encoding: typeof BINNED_ENCODING;
  readonly n: number;
  readonly sum: number;
  readonly min: number | null;
  readonly max: number | null;
  readonly zeros: number;
  readonly positive_buckets: number;
  readonly negative_buckets: number;
  readonly data: string;
}

export type SampleBlock = ExactSampleBlock | BinnedSampleBlock;

export type DecodedBlock =
  { readonly form: 'exact'; readonly values: Float64Array } | ({ readonly form: 'binned' } & BinnedCounts);

function shuffle(bytes: Uint8Array, width: number): Uint8Array {
  const n = bytes.length / width;
  const out = new Uint8Array(bytes.length);
  for (let b = 0; b < width; b++) {
    const base = b * n;
    for (let i = 0; i < n; i++) out[base + i] = bytes[i * width + b] as number;
  }
  return out;
}

function unshuffle(bytes: Uint8Array, width: number): Uint8Array {
  const n = bytes.length / width;
  const out = new Uint8Array(bytes.length);
  for (let b = 0; b < width; b++) {
    const base = b * n;
    for (let i = 0; i < n; i++) out[i * width + b] = bytes[base + i] as number;
  }
  return out;
}

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function f64Bytes(values: Float64Array): Uint8Array {
  if (!littleEndian) throw new ShardError('big-endian hosts are not supported', 'E_SAMPLE_BLOCK', 1);
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

function pack(bytes: Uint8Array, width: number): string {
  return deflateRawSync(shuffle(bytes, width), { level: 6 }).toString('base64');
}

function unpack(data: unknown, expectedBytes: number, width: number, label: string): Uint8Array {
  if (typeof data !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(data))
    throw new ShardError(`${label}: data is not base64`, 'E_SAMPLE_BLOCK');
  let raw: Buffer;
  try {
    raw = inflateRawSync(Buffer.from(data, 'base64'), { maxOutputLength: Math.max(1, expectedBytes) });
  } catch (error) {
    throw new ShardError(
      `${label}: data does not inflate to ${expectedBytes} bytes (${(error as Error).message})`,
      'E_SAMPLE_BLOCK',
    );
  }
  if (raw.length !== expectedBytes)
    throw new ShardError(
      `${label}: data holds ${raw.length} bytes, expected ${expectedBytes}`,
      'E_SAMPLE_BLOCK',
    );
  return unshuffle(new Uint8Array(raw.buffer, raw.byteOffset, raw.length), width);
}

/** Encodes sorted exact values (ascending, finite). */
export function encodeExact(sorted: Float64Array): ExactSampleBlock {
  return { form: 'exact', encoding: EXACT_ENCODING, n: sorted.length, data: pack(f64Bytes(sorted), 8) };
}

/** Encodes the samples a SampleSink handed over: exact values as they are, binned ones by bucket. */
export function encodeSortedSamples(samples: SortedSamples): SampleBlock {
  if (samples.exact) {
    const values = new Float64Array(samples.length);
    let i = 0;
    samples.forEachValue((value) => {
      values[i++] = value;
    });
    return encodeExact(values);
  }
  const positive = new Map<number, number>();
  const negative = new Map<number, number>();
  let zeros = 0;
  samples.forEachValue((value, count) => {
    if (value === 0) zeros += count;
    else {
      const map = value > 0 ? positive : negative;
      const key = bucketKey(value);
      map.set(key, (map.get(key) ?? 0) + count);
    }
  });
  const n = samples.length;
  return encodeBinned({
    n,
    sum: (samples.mean ?? 0) * n,
    min: n > 0 ? (samples.at(0) as number) : 0,
    max: n > 0 ? (samples.at(n - 1) as number) : 0,
    zeros,
    positive,
    negative,
  });
}

export interface BinnedInput {
  readonly n: number;
  readonly sum: number;
  readonly min: number;
  readonly max: number;
  readonly zeros: number;
  readonly positive: ReadonlyMap<number, number>;
  readonly negative: ReadonlyMap<number, number>;
}

export function encodeBinned(input: BinnedInput): BinnedSampleBlock {
  const pos = [...input.positive.keys()].sort((a, b) => a - b);
  const neg = [...input.negative.keys()].sort((a, b) => a - b);
  const keys = new Int32Array(pos.length + neg.length);
  const counts = new Float64Array(pos.length + neg.length);
  pos.forEach((key, i) => {
    keys[i] = key;
    counts[i] = input.positive.get(key) as number;
  });
  neg.forEach((key, i) => {
    keys[pos.length + i] = key;
    counts[pos.length + i] = input.negative.get(key) as number;
  });
  const keyBytes = shuffle(new Uint8Array(keys.buffer), 4);
  const countBytes = shuffle(f64Bytes(counts), 8);
  const joined = new Uint8Array(keyBytes.length + countBytes.length);
  joined.set(keyBytes, 0);
  joined.set(countBytes, keyBytes.length);
  return {
    form: 'binned',
    encoding: BINNED_ENCODING,
    n: input.n,
    sum: input.sum,
    min: input.n > 0 ? input.min : null,
    max: input.n > 0 ? input.max : null,
    zeros: input.zeros,
    positive_buckets: pos.length,
    negative_buckets: neg.length,
    data: deflateRawSync(joined, { level: 6 }).toString('base64'),
  };
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

/** Decodes and checks a block from an envelope (hostile input: every field is checked). */
export function decodeSampleBlock(block: unknown, label: string): DecodedBlock {
  if (block === null || typeof block !== 'object')
    throw new ShardError(`${label}: not a sample block`, 'E_SAMPLE_BLOCK');
  const b = block as Record<string, unknown>;
  if (b.form === 'exact') {
    if (b.encoding !== EXACT_ENCODING)
      throw new ShardError(`${label}: unknown encoding ${String(b.encoding)}`, 'E_SAMPLE_BLOCK');
    if (!isCount(b.n) || b.n > MAX_EXACT_BLOCK)
      throw new ShardError(`${label}: n must be an integer 0..${MAX_EXACT_BLOCK}`, 'E_SAMPLE_BLOCK');
    const bytes = unpack(b.data, b.n * 8, 8, label);
    const values = new Float64Array(bytes.buffer, bytes.byteOffset, b.n);
    for (let i = 0; i < values.length; i++) {
      const v = values[i] as number;
      if (!Number.isFinite(v) || (i > 0 && v < (values[i - 1] as number)))
        throw new ShardError(`${label}: values are not finite and sorted (index ${i})`, 'E_SAMPLE_BLOCK');
    }
    return { form: 'exact', values };
  }
  if (b.form === 'binned') {
    if (b.encoding !== BINNED_ENCODING)
      throw new ShardError(`${label}: unknown encoding ${String(b.encoding)}`, 'E_SAMPLE_BLOCK');
    const { n, zeros, positive_buckets: np, negative_buckets: nn, sum, min, max } = b;
    if (!isCount(n) || !isCount(zeros) || !isCount(np) || !isCount(nn) || np + nn > MAX_BINNED_BUCKETS)
      throw new ShardError(`${label}: bad binned block counts`, 'E_SAMPLE_BLOCK');
    if (typeof sum !== 'number' || !Number.isFinite(sum))
      throw new ShardError(`${label}: sum must be a finite number`, 'E_SAMPLE_BLOCK');
    const extremes = n === 0 ? min === null && max === null : isFiniteNumber(min) && isFiniteNumber(max);
    if (!extremes || (n > 0 && (min as number) > (max as number)))
      throw new ShardError(`${label}: min/max do not fit n`, 'E_SAMPLE_BLOCK');
    const total = np + nn;
    const raw = unpack(b.data, total * 12, 1, label);
    const keys = new Int32Array(new Uint8Array(unshuffle(raw.subarray(0, total * 4), 4)).buffer);
    const counts = new Float64Array(new Uint8Array(unshuffle(raw.subarray(total * 4), 8)).buffer);
    let counted = zeros;
    for (let i = 0; i < total; i++) {
      const c = counts[i] as number;
      if (!(Number.isInteger(c) && c > 0))
        throw new ShardError(`${label}: bucket counts must be positive integers`, 'E_SAMPLE_BLOCK');
      if (i > 0 && i !== np && (keys[i] as number) <= (keys[i - 1] as number))
        throw new ShardError(`${label}: bucket keys are not strictly ascending`, 'E_SAMPLE_BLOCK');
      counted += c;
    }
    if (counted !== n)
      throw new ShardError(`${label}: bucket counts sum to ${counted}, not n = ${n}`, 'E_SAMPLE_BLOCK');
    return {
      form: 'binned',
      n,
      sum,
      min: n === 0 ? 0 : (min as number),
      max: n === 0 ? 0 : (max as number),
      zeros,
      positiveKeys: keys.slice(0, np),
      positiveCounts: counts.slice(0, np),
      negativeKeys: keys.slice(np),
      negativeCounts: counts.slice(np),
    };
  }
  throw new ShardError(`${label}: form must be "exact" or "binned"`, 'E_SAMPLE_BLOCK');
}

function isFiniteNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}
