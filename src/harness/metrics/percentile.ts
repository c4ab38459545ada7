// Linear-interpolation percentiles (Hyndman–Fan type 7, numpy's default `linear`).
import type { RankedValues } from './sample-sink.js';

/** Sorted copy of the values as a Float64Array (numeric sort). */
export function sortedCopy(values: ArrayLike<number>): Float64Array {
  const sorted = Float64Array.from(values);
  sorted.sort();
  return sorted;
}

/** Percentile p ∈ [0, 100] of already-sorted values; null when empty. */
export function percentileSorted(sorted: RankedValues, p: number): number | null {
  const n = sorted.length;
  if (n === 0) return null;
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be in [0, 100], got ${p}`);
  const h = ((n - 1) * p) / 100;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  const a = sorted.at(lo) as number;
  const b = sorted.at(hi) as number;
  return a + (h - lo) * (b - a);
}

export function percentile(values: ArrayLike<number>, p: number): number | null {
  return percentileSorted(sortedCopy(values), p);
}

export function mean(values: ArrayLike<number>): number | null {
  const n = values.length;
  if (n === 0) return null;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i] as number;
  return sum / n;
}

/** Coefficient of variation: sample standard deviation (n − 1) ÷ mean; null for n < 2 or mean 0. */
export function coefficientOfVariation(values: ArrayLike<number>): number | null {
  const n = values.length;
  if (n < 2) return null;
  const m = mean(values) as number;
  if (m === 0) return null;
  let squares = 0;
  for (let i = 0; i < n; i++) {
    const d = (values[i] as number) - m;
    squares += d * d;
  }
  return Math.sqrt(squares / (n - 1)) / Math.abs(m);
}
