// Merging the sample blocks of one distribution across shards.
//
// While every block is exact and the total fits the exact cap, the merge is the sorted union of the
// samples: bit for bit the array a single process would have sorted, so percentiles, mean and
// bootstrap CIs computed from it are identical. Past the cap (or when any shard already binned),
// exact values are folded into the same log buckets SampleSink uses (1024 per octave) and binned
// blocks add their bucket counts: memory is then bounded by the number of buckets, not samples.
import { DEFAULT_EXACT_CAP, type SortedSamples } from '../metrics/sample-sink.js';
import { bucketKey, bucketMidpoint, type DecodedBlock } from './sample-block.js';

class SortedExact implements SortedSamples {
  readonly exact = true;
  readonly mean: number | null;

  constructor(private readonly values: Float64Array) {
    // Summed in ascending order, as SampleSink's exact form does: the same bits for the same values.
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

  /** The sorted values (shared, do not modify). */
  sorted(): Float64Array {
    return this.values;
  }
}

/** Mergeable log-bucket counts (same keys and midpoints as SampleSink's binned form). */
export class BucketCounts {
  readonly positive = new Map<number, number>();
  readonly negative = new Map<number, number>();
  zeros = 0;
  count = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;

  addValue(value: number): void {
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

  addBinned(block: Extract<DecodedBlock, { form: 'binned' }>): void {
    if (block.n === 0) return;
    this.count += block.n;
    this.sum += block.sum;
    this.zeros += block.zeros;
    if (block.min < this.min) this.min = block.min;
    if (block.max > this.max) this.max = block.max;
    const add = (map: Map<number, number>, keys: Int32Array, counts: Float64Array): void => {
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i] as number;
        map.set(key, (map.get(key) ?? 0) + (counts[i] as number));
      }
    };
    add(this.positive, block.positiveKeys, block.positiveCounts);
    add(this.negative, block.negativeKeys, block.negativeCounts);
  }

  finish(): SortedSamples {
    const entries: [number, number][] = [];
    const negativeKeys = [...this.negative.keys()].sort((a, b) => b - a);
    for (const key of negativeKeys) entries.push([-bucketMidpoint(key), this.negative.get(key) as number]);
    if (this.zeros > 0) entries.push([0, this.zeros]);
    const positiveKeys = [...this.positive.keys()].sort((a, b) => a - b);
    for (const key of positiveKeys) entries.push([bucketMidpoint(key), this.positive.get(key) as number]);
    return new SortedBinned(entries, this.count, this.sum, this.min, this.max);
  }
}

/** Binned samples addressed by rank; the same reading rules as SampleSink's binned form. */
class SortedBinned implements SortedSamples {
  readonly exact = false;
  readonly mean: number | null;
  private readonly values: Float64Array;
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

/**
 * Accumulates decoded blocks of one distribution; `finish()` gives the merged samples. Exact blocks
 * are held (as decoded) until the exact total passes `exactCap`, then folded into buckets.
 */
export class SampleMerger {
  private exactBlocks: Float64Array[] = [];
  private exactTotal = 0;
  private buckets: BucketCounts | null = null;

  constructor(private readonly exactCap = DEFAULT_EXACT_CAP) {}

  add(block: DecodedBlock): void {
    if (block.form === 'binned') {
      this.binned().addBinned(block);
      return;
    }
    if (this.buckets !== null || this.exactTotal + block.values.length > this.exactCap) {
      const buckets = this.binned();
      const values = block.values;
      for (let i = 0; i < values.length; i++) buckets.addValue(values[i] as number);
      return;
    }
    this.exactBlocks.push(block.values);
    this.exactTotal += block.values.length;
  }

  private binned(): BucketCounts {
    if (this.buckets === null) {
      const buckets = new BucketCounts();
      for (const values of this.exactBlocks)
        for (let i = 0; i < values.length; i++) buckets.addValue(values[i] as number);
      this.exactBlocks = [];
      this.exactTotal = 0;
      this.buckets = buckets;
    }
    return this.buckets;
  }

  finish(): SortedSamples {
    if (this.buckets !== null) return this.buckets.finish();
    const union = new Float64Array(this.exactTotal);
    let offset = 0;
    for (const values of this.exactBlocks) {
      union.set(values, offset);
      offset += values.length;
    }
    this.exactBlocks = [];
    union.sort();
    return new SortedExact(union);
  }
}

/** Sorted exact samples from a sorted Float64Array (for tests and single-shard paths). */
export function exactSamples(sorted: Float64Array): SortedSamples {
  return new SortedExact(sorted);
}
