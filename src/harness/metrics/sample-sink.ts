// The samples of one distribution, for end-of-point percentiles in bounded memory.
//
// Values are kept exactly (a growable Float64Array, 8 bytes each) up to a cap; past the cap they
// are folded into a log-bucketed histogram: 1024 buckets per octave, each value represented by
// its bucket's geometric midpoint, i.e. within 0.034 % of the true value. Count, sum, min and max
// stay exact in both forms. The cap is sized so that every ordinary run stays exact; only very
// long runs (millions of samples of one distribution) switch, and say so (`exact: false`).

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

const BUCKETS_PER_OCTAVE = 1024;
const INITIAL_CAPACITY = 1024;

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
    const key = Math.floor(Math.log2(Math.abs(value)) * BUCKETS_PER_OCTAVE);
    map.set(key, (map.get(key) ?? 0) + 1);
  }

  finish(): SortedSamples {
    const entries: [number, number][] = [];
    const midpoint = (key: number): number => Math.pow(2, (key + 0.5) / BUCKETS_PER_OCTAVE);
    const negativeKeys = [...this.negative.keys()].sort((a, b) => b - a);
    for (const key of negativeKeys) entries.push([-midpoint(key), this.negative.get(key) as number]);
    if (this.zeros > 0) entries.push([0, this.zeros]);
    const positiveKeys = [...this.positive.keys()].sort((a, b) => a - b);
    for (const key of positiveKeys) entries.push([midpoint(key), this.positive.get(key) as number]);
    return new BinnedSamples(entries, this.count, this.sum, this.min, this.max);
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
  private buffer: Float64Array | null = new Float64Array(INITIAL_CAPACITY);
  private size = 0;
  private histogram: LogHistogram | null = null;

  constructor(private readonly exactCap = DEFAULT_EXACT_CAP) {
    if (!(exactCap >= 1)) throw new RangeError(`exactCap must be ≥ 1, got ${exactCap}`);
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
