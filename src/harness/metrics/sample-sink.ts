// The samples of one distribution, for end-of-point percentiles in bounded memory.
//
// Values are kept exactly (a growable Float64Array, 8 bytes each) up to a cap; past the cap they
// are folded into a log-bucketed histogram: 1024 buckets per octave, each value represented by
// its bucket's geometric midpoint, i.e. within 0.034 % of the true value. Count, sum, min and max
// stay exact in both forms. The cap is sized so that every ordinary run stays exact; only very
// long runs (millions of samples of one distribution) switch, and say so (`exact: false`).
// The shard merge (shard/merge-samples.ts) feeds a sink whole blocks: exact blocks with pushAll(),
// binned ones with addBinned(), so a merge keeps and bins samples exactly as one process would.

/** Samples sorted ascending, addressed by rank. A sorted Float64Array satisfies the first two members. */
export interface RankedValues {
  readonly length: number;
  /** Value at 0-based rank (ascending). */
  at(rank: number): number | undefined;
}

export interface SortedSamples extends RankedValues {
  /** False when the values past the cap were binned (values within 0.034 %). */
  readonly exact: boolean;
  /** Arithmetic mean (exact in both forms); null when empty. */
  readonly mean: number | null;
  /** Calls fn for each stored value (ascending) with how many samples it stands for. */
  forEachValue(fn: (value: number, count: number) => void): void;
}

/** 4 Mi values = 32 MiB per distribution before it bins. */
export const DEFAULT_EXACT_CAP = 4 * 1024 * 1024;

export const BUCKETS_PER_OCTAVE = 1024;
const INITIAL_CAPACITY = 1024;

/** The log bucket of a non-zero value: ⌊log2|v| · 1024⌋ (its sign picks the positive or negative map). */
export const bucketKey = (value: number): number =>
  Math.floor(Math.log2(Math.abs(value)) * BUCKETS_PER_OCTAVE);
/** The value a bucket stands for: its geometric midpoint. */
export const bucketMidpoint = (key: number): number => Math.pow(2, (key + 0.5) / BUCKETS_PER_OCTAVE);

/** Binned samples as bucket counts per sign (a shard's binned sample block, decoded). */
export interface BinnedCounts {
  readonly n: number;
  readonly sum: number;
  readonly min: number;
  readonly max: number;
  readonly zeros: number;
  readonly positiveKeys: Int32Array;
  readonly positiveCounts: Float64Array;
  readonly negativeKeys: Int32Array;
  readonly negativeCounts: Float64Array;
}

class ExactSamples implements SortedSamples {
  readonly exact = true;
  readonly mean: number | null;

  constructor(private readonly values: Float64Array) {
    let sum = 0;
    for (let i = 0; i < values.length; i++) sum += values[i] as number;
    this.mean = values.length > 0 ? sum / values.length : null;
  }

  get length(): number {
    return this.values.length;
  }

  at(rank: number): number | undefined {
    return this.values[rank];
  }

  forEachValue(fn: (value: number, count: number) => void): void {
    for (let i = 0; i < this.values.length; i++) fn(this.values[i] as number, 1);
  }
}

/** Log-bucketed counts of signed values; bucket keys are floor(log2|v| · 1024). */
class LogHistogram {
  private readonly positive = new Map<number, number>();
  private readonly negative = new Map<number, number>();
  private zeros = 0;
  count = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;

  add(value: number): void {
    this.count++;
    this.sum += value;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    if (value === 0) {
      this.zeros++;
      return;
    }
    const map = value > 0 ? this.positive : this.negative;
    const key = bucketKey(value);
    map.set(key, (map.get(key) ?? 0) + 1);
  }

  /** Adds bucket counts (as if their samples had been added one by one, up to the sum's rounding). */
  addBinned(counts: BinnedCounts): void {
    if (counts.n === 0) return;
    this.count += counts.n;
    this.sum += counts.sum;
    this.zeros += counts.zeros;
    if (counts.min < this.min) this.min = counts.min;
    if (counts.max > this.max) this.max = counts.max;
    addBuckets(this.positive, counts.positiveKeys, counts.positiveCounts);
    addBuckets(this.negative, counts.negativeKeys, counts.negativeCounts);
  }

  finish(): SortedSamples {
    const entries: [number, number][] = [];
    const negativeKeys = [...this.negative.keys()].sort((a, b) => b - a);
    for (const key of negativeKeys) entries.push([-bucketMidpoint(key), this.negative.get(key) as number]);
    if (this.zeros > 0) entries.push([0, this.zeros]);
    const positiveKeys = [...this.positive.keys()].sort((a, b) => a - b);
    for (const key of positiveKeys) entries.push([bucketMidpoint(key), this.positive.get(key) as number]);
    return new BinnedSamples(entries, this.count, this.sum, this.min, this.max);
  }
}

function addBuckets(map: Map<number, number>, keys: Int32Array, counts: Float64Array): void {
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as number;
    map.set(key, (map.get(key) ?? 0) + (counts[i] as number));
  }
}

class BinnedSamples implements SortedSamples {
  readonly exact = false;
  readonly mean: number | null;
  private readonly values: Float64Array;
  /** cumulative[i] = number of samples in buckets 0..i. */
  private readonly cumulative: Float64Array;

  constructor(
    entries: readonly [number, number][],
    readonly length: number,
    sum: number,
    private readonly min: number,
    private readonly max: number,
  ) {
    this.mean = length > 0 ? sum / length : null;
    this.values = new Float64Array(entries.length);
    this.cumulative = new Float64Array(entries.length);
    let running = 0;
    entries.forEach(([value, count], i) => {
      // The extreme buckets' midpoints may lie beyond the exact extremes.
      this.values[i] = Math.min(max, Math.max(min, value));
      running += count;
      this.cumulative[i] = running;
    });
  }

  at(rank: number): number | undefined {
    if (!(rank >= 0 && rank < this.length)) return undefined;
    if (rank === 0) return this.min;
    if (rank === this.length - 1) return this.max;
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.cumulative[mid] as number) > rank) hi = mid;
      else lo = mid + 1;
    }
    return this.values[lo];
  }

  forEachValue(fn: (value: number, count: number) => void): void {
    let previous = 0;
    for (let i = 0; i < this.values.length; i++) {
      const cumulative = this.cumulative[i] as number;
      fn(this.values[i] as number, cumulative - previous);
      previous = cumulative;
    }
  }
}

/** Append-only sample store: exact up to `exactCap` values, binned past it. */
export class SampleSink {
  private buffer: Float64Array | null;
  private size = 0;
  private histogram: LogHistogram | null = null;

  constructor(private readonly exactCap = DEFAULT_EXACT_CAP) {
    if (!(exactCap >= 1)) throw new RangeError(`exactCap must be ≥ 1, got ${exactCap}`);
    // Never larger than the cap: the sink is exact exactly while it holds ≤ exactCap values.
    this.buffer = new Float64Array(Math.min(INITIAL_CAPACITY, Math.floor(exactCap)));
  }

  get length(): number {
    return this.histogram !== null ? this.histogram.count : this.size;
  }

  push(value: number): void {
    if (this.histogram !== null) {
      this.histogram.add(value);
      return;
    }
    let buffer = this.buffer as Float64Array;
    if (this.size === buffer.length) {
      if (this.size >= this.exactCap) {
        this.spill().add(value);
        return;
      }
      const grown = new Float64Array(Math.min(this.exactCap, buffer.length * 2));
      grown.set(buffer);
      this.buffer = buffer = grown;
    }
    buffer[this.size++] = value;
  }

  /** Appends every value of `values` in order: the same samples as one push() each. */
  pushAll(values: Float64Array): void {
    const n = values.length;
    if (this.histogram === null && this.size + n > this.exactCap) this.spill();
    const histogram = this.histogram;
    if (histogram !== null) {
      for (let i = 0; i < n; i++) histogram.add(values[i] as number);
      return;
    }
    let buffer = this.buffer as Float64Array;
    if (this.size + n > buffer.length) {
      const grown = new Float64Array(Math.min(this.exactCap, Math.max(this.size + n, buffer.length * 2)));
      grown.set(buffer.subarray(0, this.size));
      this.buffer = buffer = grown;
    }
    buffer.set(values, this.size);
    this.size += n;
  }

  /** Adds samples that are already binned; the sink is binned from then on. */
  addBinned(counts: BinnedCounts): void {
    (this.histogram ?? this.spill()).addBinned(counts);
  }

  /** Sorts in place and hands the samples over; the sink must not be used afterwards. */
  finish(): SortedSamples {
    if (this.histogram !== null) return this.histogram.finish();
    const values = (this.buffer as Float64Array).subarray(0, this.size);
    values.sort();
    this.buffer = null;
    return new ExactSamples(values);
  }

  private spill(): LogHistogram {
    const histogram = new LogHistogram();
    const buffer = this.buffer as Float64Array;
    for (let i = 0; i < this.size; i++) histogram.add(buffer[i] as number);
    this.buffer = null;
    this.histogram = histogram;
    return histogram;
  }
}

/** Sorted exact samples from an ascending Float64Array (kept, not copied). */
export function exactSamples(sorted: Float64Array): SortedSamples {
  return new ExactSamples(sorted);
}
