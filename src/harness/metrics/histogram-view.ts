// Log-scaled bucket counts for display: O(1) add, a frozen HistogramView on demand.
import type { HistogramView } from '../types.js';
import type { SortedSamples } from './sample-sink.js';

export const VIEW_MIN_MS = 0.1;
export const VIEW_BUCKETS_PER_DECADE = 10;
export const VIEW_DECADES = 7; // 0.1 ms … 1e6 ms

export class LogBuckets {
  private readonly counts = new Float64Array(VIEW_BUCKETS_PER_DECADE * VIEW_DECADES + 2);
  private total = 0;

  add(valueMs: number, count = 1): void {
    let index: number;
    if (!(valueMs >= VIEW_MIN_MS)) index = 0;
    else {
      index = 1 + Math.floor(Math.log10(valueMs / VIEW_MIN_MS) * VIEW_BUCKETS_PER_DECADE);
      if (index >= this.counts.length) index = this.counts.length - 1;
    }
    this.counts[index] = (this.counts[index] ?? 0) + count;
    this.total += count;
  }

  get n(): number {
    return this.total;
  }

  /** Edge of bucket i (bucket 0 is [0, 0.1 ms); the last is open-ended). */
  static edge(i: number): number {
    if (i <= 0) return 0;
    return VIEW_MIN_MS * Math.pow(10, (i - 1) / VIEW_BUCKETS_PER_DECADE);
  }

  /** The occupied range only (trimmed), with the given percentiles. */
  view(p50Ms: number | null, p99Ms: number | null): HistogramView {
    let first = -1;
    let last = -1;
    for (let i = 0; i < this.counts.length; i++) {
      if ((this.counts[i] ?? 0) > 0) {
        if (first < 0) first = i;
        last = i;
      }
    }
    if (first < 0)
      return Object.freeze({ edgesMs: Object.freeze([]), counts: Object.freeze([]), n: 0, p50Ms, p99Ms });
    const counts: number[] = [];
    const edgesMs: number[] = [];
    for (let i = first; i <= last; i++) {
      counts.push(this.counts[i] ?? 0);
      edgesMs.push(roundEdge(LogBuckets.edge(i)));
    }
    edgesMs.push(roundEdge(LogBuckets.edge(last + 1)));
    return Object.freeze({
      edgesMs: Object.freeze(edgesMs),
      counts: Object.freeze(counts),
      n: this.total,
      p50Ms,
      p99Ms,
    });
  }
}

function roundEdge(value: number): number {
  return Number(value.toPrecision(4));
}

/** Builds a view from a list of values (final, exact). */
export function histogramViewOf(
  values: ArrayLike<number>,
  p50Ms: number | null,
  p99Ms: number | null,
): HistogramView {
  const buckets = new LogBuckets();
  for (let i = 0; i < values.length; i++) buckets.add(values[i] as number);
  return buckets.view(p50Ms, p99Ms);
}

/** Builds a view from a distribution's final samples (exact or binned). */
export function histogramViewOfSorted(
  samples: SortedSamples,
  p50Ms: number | null,
  p99Ms: number | null,
): HistogramView {
  const buckets = new LogBuckets();
  samples.forEachValue((value, count) => buckets.add(value, count));
  return buckets.view(p50Ms, p99Ms);
}
