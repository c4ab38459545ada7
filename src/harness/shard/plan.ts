// Shard maths: which part of a run shard i of N drives. Pure and deterministic.
//
// - Load: concurrency C (or rate R) is split so that the shares sum to exactly C (R): every shard
//   gets ⌊C/N⌋ and the first C mod N shards one more; a rate is split evenly (R/N each, so N
//   superposed Poisson processes of rate R/N are one of rate R).
// - Workload: request k of shard i is request k·N + i of the run's workload (round-robin), so the
//   shards' requests are disjoint, cover the run's sequence, and do not depend on timing.
// - Seeds: the workload keeps the run seed (so the union of the shards is the run's workload);
//   arrivals and everything else random in a shard use shardSeed(runSeed, i, N).
import { ShardError } from './errors.js';

export interface ShardSpec {
  /** 0-based shard index. */
  readonly index: number;
  readonly count: number;
}

/** Largest N accepted by --shard (a Kubernetes Indexed Job allows up to 100 000 completions). */
export const MAX_SHARDS = 100_000;

const INTEGER = /^(0|[1-9][0-9]*)$/;

/** Parses `i/N` (0 ≤ i < N, 1 ≤ N ≤ MAX_SHARDS). */
export function parseShardSpec(raw: string): ShardSpec {
  const parts = raw.trim().split('/');
  if (parts.length !== 2 || !INTEGER.test(parts[0] ?? '') || !INTEGER.test(parts[1] ?? ''))
    throw new ShardError(`--shard must be i/N with integers 0 ≤ i < N (got "${raw}")`, 'E_SHARD_SPEC');
  const index = Number(parts[0]);
  const count = Number(parts[1]);
  if (count < 1 || count > MAX_SHARDS)
    throw new ShardError(`--shard N must be 1..${MAX_SHARDS} (got "${raw}")`, 'E_SHARD_SPEC');
  if (index >= count)
    throw new ShardError(`--shard index must be below N: ${index} is not < ${count}`, 'E_SHARD_SPEC');
  return { index, count };
}

export function formatShardSpec(spec: ShardSpec): string {
  return `${spec.index}/${spec.count}`;
}

/** Shard i's share of an integer total: ⌊total/N⌋, +1 for the first total mod N shards. */
export function shardShare(total: number, spec: ShardSpec): number {
  if (!Number.isInteger(total) || total < 0)
    throw new ShardError(`cannot split ${total}: not a non-negative integer`, 'E_SHARD_SHARE');
  const base = Math.floor(total / spec.count);
  return base + (spec.index < total % spec.count ? 1 : 0);
}

/**
 * Shard i's concurrency. Refused when some shard would get 0 (C < N): a shard with nothing to do
 * cannot take part in the window.
 */
export function shardConcurrency(concurrency: number, spec: ShardSpec): number {
  if (concurrency < spec.count)
    throw new ShardError(
      `concurrency ${concurrency} cannot be split over ${spec.count} shards (each needs at least 1)`,
      'E_SHARD_SHARE',
    );
  return shardShare(concurrency, spec);
}

/** Shard i's arrival rate: R/N. */
export function shardRate(rps: number, spec: ShardSpec): number {
  if (!(rps > 0) || !Number.isFinite(rps))
    throw new ShardError(`cannot split rate ${rps}: not a positive rate`, 'E_SHARD_SHARE');
  return rps / spec.count;
}

/** The run-wide index of shard i's k-th item (round-robin). */
export function globalIndex(k: number, spec: ShardSpec): number {
  return k * spec.count + spec.index;
}

/** How many of `size` items (indices 0..size−1) fall to shard i. */
export function shardItemCount(size: number, spec: ShardSpec): number {
  return shardShare(size, spec);
}

/** Shard i's part of a list: items i, i+N, i+2N, … (disjoint across shards; their union is the list). */
export function shardItems<T>(items: readonly T[], spec: ShardSpec): T[] {
  const out: T[] = [];
  for (let j = spec.index; j < items.length; j += spec.count) out.push(items[j] as T);
  return out;
}

/** A request source whose k-th request is the run's request k·N + i. */
export function shardRequestSource<T>(
  source: { request(index: number): T },
  spec: ShardSpec,
): { request(index: number): T } {
  if (spec.count === 1) return source;
  return { request: (k: number) => source.request(globalIndex(k, spec)) };
}

/**
 * The seed of shard i of N from the run seed (FNV-1a over the label, mixed with the seed): distinct
 * per (i, N), stable across versions. Shard 0 of 1 keeps the run seed, so an unsharded run is unchanged.
 */
export function shardSeed(runSeed: number, spec: ShardSpec): number {
  if (spec.count === 1) return runSeed;
  const label = `shard:${spec.index}/${spec.count}`;
  let h = (Math.floor(runSeed) >>> 0) ^ 0x811c9dc5;
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  // Spread the high part of seeds above 2^32 too, so seeds 1 and 2^32+1 differ.
  h = (h ^ Math.floor(runSeed / 4294967296)) >>> 0;
  return h;
}
