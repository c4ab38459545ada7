// Seeded percentile bootstrap (95 % CI by default) in O(resamples), whatever the sample size.
//
// A bootstrap resample is n draws with replacement from the sample, i.e. n draws from the
// empirical CDF F̂. Draws from F̂ are F̂⁻¹(U) for uniform U, so the resample's j-th order
// statistic is F̂⁻¹(U₍ⱼ₎), and the order statistics of n uniforms are Beta-distributed:
// U₍ⱼ₎ ~ Beta(j, n − j + 1) and, given U₍ⱼ₎ = u, U₍ⱼ₊₁₎ = u + (1 − u)·Beta(1, n − j).
// A type-7 percentile needs exactly two neighbouring order statistics, so each resample costs a
// couple of gamma draws instead of n draws and a sort. The result has the same distribution as
// the textbook resample-and-sort bootstrap (tested against it).
import type { Rng } from '../../lib/rng.js';
import type { RankedValues } from './sample-sink.js';

export interface ConfidenceInterval {
  readonly lo: number;
  readonly hi: number;
  readonly n: number;
}

export interface BootstrapOptions {
  readonly resamples: number;
  /** Coverage, default 0.95. */
  readonly level?: number;
}

/** One bootstrap replicate of the type-7 percentile p of `sorted`. */
export function bootstrapReplicate(sorted: RankedValues, p: number, rng: Rng): number {
  const n = sorted.length;
  if (n === 1) return sorted.at(0) as number;
  const h = ((n - 1) * p) / 100;
  const lo = Math.floor(h);
  const frac = h - lo;
  // 1-based order statistic j = lo + 1.
  const j = lo + 1;
  const u = rng.beta(j, n - j + 1);
  const a = sorted.at(Math.min(n - 1, Math.floor(u * n))) as number;
  if (frac === 0 || j >= n) return a;
  const v = u + (1 - u) * (1 - Math.pow(rng.nextOpen(), 1 / (n - j)));
  const b = sorted.at(Math.min(n - 1, Math.floor(v * n))) as number;
  return a + frac * (b - a);
}

/** Percentile bootstrap CI of the type-7 percentile p (0–100) of sorted values; null when empty. */
export function bootstrapPercentileCi(
  sorted: RankedValues,
  p: number,
  rng: Rng,
  options: BootstrapOptions,
): ConfidenceInterval | null {
  const n = sorted.length;
  if (n === 0 || options.resamples < 1) return null;
  const replicates = new Float64Array(options.resamples);
  for (let r = 0; r < options.resamples; r++) replicates[r] = bootstrapReplicate(sorted, p, rng);
  replicates.sort();
  const alpha = (1 - (options.level ?? 0.95)) / 2;
  return {
    lo: percentileOf(replicates, alpha * 100),
    hi: percentileOf(replicates, (1 - alpha) * 100),
    n,
  };
}

function percentileOf(sorted: Float64Array, p: number): number {
  const h = ((sorted.length - 1) * p) / 100;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return (sorted[lo] as number) + (h - lo) * ((sorted[hi] as number) - (sorted[lo] as number));
}

/** The textbook bootstrap (resample n with replacement, sort): O(n log n) per resample. For tests. */
export function naiveBootstrapReplicate(sorted: ArrayLike<number>, p: number, rng: Rng): number {
  const n = sorted.length;
  const resample = new Float64Array(n);
  for (let i = 0; i < n; i++) resample[i] = sorted[rng.below(n)] as number;
  resample.sort();
  return percentileOf(resample, p);
}
