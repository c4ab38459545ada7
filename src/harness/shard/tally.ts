// The mergeable counters of one shard's point: checked when read from an envelope, and summed.
//
// A shard counts its records with the WindowCounter (src/harness/metrics/window-counter.ts), the
// counting MetricsAccumulator does, so the counters of N shards of a record set add up to the
// counters of the whole set; metricsFromParts() (compute.ts), the one definition of the point
// metrics, then gives from merged parts what one process computes (tested, bit for bit).
import { ChunkSizeAccumulator, type ChunkSizeHistogram } from '../metrics/chunk-sizes.js';
import type { WindowCounters } from '../metrics/window-counter.js';
import { ShardError } from './errors.js';

/** A shard's counter: the WindowCounter (`counters(toCommonMs)` gives the envelope's `shard.counters`). */
export { WindowCounter as ShardTally } from '../metrics/window-counter.js';
export { distributionSeed, metricsFromParts, type MetricsParts } from '../metrics/compute.js';

/** JSON form of a shard's counters (the envelope's `shard.counters`). Times in common-clock ms. */
export type ShardCounters = WindowCounters;

const COUNT_FIELDS = [
  'measured',
  'ok',
  'good',
  'osl_from_usage',
  'osl_counted',
  'osl_sum',
  'isl_sum',
  'isl_n',
  'tokens_in_window',
  'completions_in_window',
  'good_completions_in_window',
  'good_tokens_in_window',
  'coalesced',
  'warmup',
  'outside_window',
  'cancelled',
  'sent_in_window',
] as const;

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** Checks counters read from an envelope; `sloCount` is the template's number of SLOs. */
export function parseCounters(value: unknown, sloCount: number, label: string): ShardCounters {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new ShardError(`${label}: counters missing`, 'E_SHARD_COUNTERS');
  const v = value as Record<string, unknown>;
  for (const field of COUNT_FIELDS)
    if (!isCount(v[field]))
      throw new ShardError(`${label}: counters.${field} must be a non-negative integer`, 'E_SHARD_COUNTERS');
  for (const field of ['first_dispatch_ms', 'last_completion_ms', 'last_token_ms'])
    if (v[field] !== null && !(typeof v[field] === 'number' && Number.isFinite(v[field])))
      throw new ShardError(`${label}: counters.${field} must be a number or null`, 'E_SHARD_COUNTERS');
  const errors = v.errors_by_code;
  if (errors === null || typeof errors !== 'object' || Array.isArray(errors))
    throw new ShardError(`${label}: counters.errors_by_code must be an object`, 'E_SHARD_COUNTERS');
  for (const [code, n] of Object.entries(errors))
    if (!isCount(n))
      throw new ShardError(`${label}: counters.errors_by_code.${code} is not a count`, 'E_SHARD_COUNTERS');
  const pass = v.slo_pass;
  if (!Array.isArray(pass) || pass.length !== sloCount || !pass.every(isCount))
    throw new ShardError(
      `${label}: counters.slo_pass must list ${sloCount} counts (one per SLO of the template)`,
      'E_SHARD_COUNTERS',
    );
  if (v.slo_basis !== 'sent' && v.slo_basis !== 'scheduled')
    throw new ShardError(`${label}: counters.slo_basis must be "sent" or "scheduled"`, 'E_SHARD_COUNTERS');
  const chunks = v.chunk_sizes as { events?: unknown } | null | undefined;
  if (
    chunks === null ||
    typeof chunks !== 'object' ||
    !Array.isArray(chunks.events) ||
    !chunks.events.every(isCount)
  )
    throw new ShardError(`${label}: counters.chunk_sizes must be a chunk-size histogram`, 'E_SHARD_COUNTERS');
  const c = value as ShardCounters;
  const errorTotal = Object.values(c.errors_by_code).reduce((a, b) => a + b, 0);
  if (c.ok + errorTotal !== c.measured || c.good > c.ok)
    throw new ShardError(`${label}: counters are inconsistent (ok + errors ≠ measured)`, 'E_SHARD_COUNTERS');
  return c;
}

/** Sums counters (times: min of first dispatch, max of the last completion/token). */
export function mergeCounters(parts: readonly ShardCounters[], sloCount: number): ShardCounters {
  const errors: Record<string, number> = {};
  const sum = (field: (typeof COUNT_FIELDS)[number]): number => parts.reduce((a, p) => a + p[field], 0);
  for (const p of parts)
    for (const [code, n] of Object.entries(p.errors_by_code)) errors[code] = (errors[code] ?? 0) + n;
  const extreme = (values: (number | null)[], pick: (a: number, b: number) => number): number | null => {
    const present = values.filter((x): x is number => x !== null);
    return present.length === 0 ? null : present.reduce((a, b) => pick(a, b));
  };
  const out: Record<string, unknown> = {};
  for (const field of COUNT_FIELDS) out[field] = sum(field);
  const bases = new Set(parts.map((p) => p.slo_basis));
  if (bases.size > 1)
    throw new ShardError(
      'shards judged their SLOs on different bases (sent vs scheduled)',
      'E_SHARD_MISMATCH',
    );
  const sloPass: number[] = [];
  for (let i = 0; i < sloCount; i++) sloPass.push(parts.reduce((a, p) => a + (p.slo_pass[i] ?? 0), 0));
  return {
    ...(out as Omit<
      ShardCounters,
      | 'errors_by_code'
      | 'first_dispatch_ms'
      | 'last_completion_ms'
      | 'last_token_ms'
      | 'slo_pass'
      | 'slo_basis'
      | 'chunk_sizes'
    >),
    slo_basis: parts[0]?.slo_basis ?? 'sent',
    chunk_sizes: mergeChunkSizes(parts.map((p) => p.chunk_sizes)),
    errors_by_code: errors,
    first_dispatch_ms: extreme(
      parts.map((p) => p.first_dispatch_ms),
      Math.min,
    ),
    last_completion_ms: extreme(
      parts.map((p) => p.last_completion_ms),
      Math.max,
    ),
    last_token_ms: extreme(
      parts.map((p) => p.last_token_ms),
      Math.max,
    ),
    slo_pass: sloPass,
  };
}

function mergeChunkSizes(histograms: readonly ChunkSizeHistogram[]): ChunkSizeHistogram {
  const accumulator = new ChunkSizeAccumulator();
  for (const h of histograms) accumulator.absorb(h);
  return accumulator.finish();
}
