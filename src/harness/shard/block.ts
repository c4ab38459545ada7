// The `shard` block of a shard envelope: what a merge needs, and nothing host-specific beyond the
// client's health. Built by the point runner of a `bench run --shard i/N`, read by `bench merge`.
import { DISTRIBUTION_NAMES, type DistributionName } from '../metrics/compute.js';
import type { SortedSamples } from '../metrics/sample-sink.js';
import type { SloMetric, SloTemplate } from '../metrics/slo.js';
import type { ClockRecord, OffsetEstimate } from './clock.js';
import { ShardError } from './errors.js';
import type { ShardSpec } from './plan.js';
import { encodeExact, encodeSortedSamples, type SampleBlock } from './sample-block.js';
import { parseCounters, type ShardCounters } from './tally.js';

export const SHARD_FORMAT = 'inferencebench.shard/v1';

export interface ShardBlock {
  readonly format: typeof SHARD_FORMAT;
  /** The run this shard belongs to (the merged envelope's run_id). */
  readonly run_id: string;
  readonly index: number;
  readonly count: number;
  readonly run_seed: number;
  readonly shard_seed: number;
  readonly tool_version: string;
  /** Run-wide settings every shard must share (total load, duration, workload flags …). */
  readonly run: Readonly<Record<string, unknown>>;
  /** The measurement window on the coordinator's clock (epoch ms). */
  readonly window: { readonly start_ms: number; readonly end_ms: number; readonly duration_s: number };
  readonly clock: {
    /** performance.timeOrigin of the shard process and Date.now() when the anchor was taken. */
    readonly anchor: { readonly time_origin_ms: number; readonly wall_ms: number };
    readonly start: OffsetJson;
    readonly end: OffsetJson | null;
    readonly skew_ppm: number | null;
  };
  readonly slo: {
    readonly template: string;
    readonly slos: readonly { metric: SloMetric; percentile: number; max_ms: number }[];
  } | null;
  readonly bootstrap_resamples: number;
  readonly counters: ShardCounters;
  readonly samples: Readonly<Record<DistributionName, SampleBlock>>;
}

interface OffsetJson {
  readonly offset_ms: number;
  readonly round_trip_ms: number;
  readonly at_shard_ms: number;
  readonly exchanges: number;
}

const offsetJson = (o: OffsetEstimate): OffsetJson => ({
  offset_ms: o.offsetMs,
  round_trip_ms: o.roundTripMs,
  at_shard_ms: o.atShardMs,
  exchanges: o.exchanges,
});

/**
 * Per-shard exact cap: a shard keeps its samples exact while n ≤ ⌊totalCap/N⌋, so that the union
 * of N exact blocks fits the merge's exact cap; past it the shard sends buckets (as SampleSink).
 */
export function shardExactCap(totalCap: number, count: number): number {
  return Math.max(1, Math.floor(totalCap / count));
}

/** A sample block for one distribution, exact when it fits the shard's cap. */
export function sampleBlockFor(samples: SortedSamples, exactCap: number): SampleBlock {
  if (samples.exact && samples.length <= exactCap) return encodeSortedSamples(samples);
  if (!samples.exact) return encodeSortedSamples(samples);
  // Exact but over the shard's cap: fold into buckets (encodeSortedSamples bins non-exact input).
  return encodeSortedSamples({
    exact: false,
    length: samples.length,
    mean: samples.mean,
    at: (rank) => samples.at(rank),
    forEachValue: (fn) => samples.forEachValue(fn),
  });
}

export interface ShardBlockInput {
  readonly runId: string;
  readonly shard: ShardSpec;
  readonly runSeed: number;
  readonly shardSeed: number;
  readonly toolVersion: string;
  readonly run: Readonly<Record<string, unknown>>;
  readonly window: { readonly startMs: number; readonly endMs: number };
  readonly anchor: { readonly timeOriginMs: number; readonly wallMs: number };
  readonly clock: ClockRecord;
  readonly slo: SloTemplate | null;
  readonly bootstrapResamples: number;
  readonly counters: ShardCounters;
  readonly samples: Readonly<Record<DistributionName, SortedSamples>>;
  /** Total exact cap of a distribution after the merge (SampleSink's default). */
  readonly exactCap: number;
}

export function buildShardBlock(input: ShardBlockInput): ShardBlock {
  const cap = shardExactCap(input.exactCap, input.shard.count);
  const samples = {} as Record<DistributionName, SampleBlock>;
  for (const name of DISTRIBUTION_NAMES) samples[name] = sampleBlockFor(input.samples[name], cap);
  return {
    format: SHARD_FORMAT,
    run_id: input.runId,
    index: input.shard.index,
    count: input.shard.count,
    run_seed: input.runSeed,
    shard_seed: input.shardSeed,
    tool_version: input.toolVersion,
    run: input.run,
    window: {
      start_ms: input.window.startMs,
      end_ms: input.window.endMs,
      duration_s: (input.window.endMs - input.window.startMs) / 1000,
    },
    clock: {
      anchor: { time_origin_ms: input.anchor.timeOriginMs, wall_ms: input.anchor.wallMs },
      start: offsetJson(input.clock.start),
      end: input.clock.end === null ? null : offsetJson(input.clock.end),
      skew_ppm: input.clock.skewPpm,
    },
    slo:
      input.slo === null
        ? null
        : {
            template: input.slo.id,
            slos: input.slo.slos.map((s) => ({
              metric: s.metric,
              percentile: s.percentile,
              max_ms: s.maxMs,
            })),
          },
    bootstrap_resamples: input.bootstrapResamples,
    counters: input.counters,
    samples,
  };
}

/** Empty sorted samples (a shard with nothing measured in a distribution). */
export const emptyBlock = (): SampleBlock => encodeExact(new Float64Array(0));

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const SLO_METRICS = new Set(['ttft', 'tpot', 'itl', 'total', 'ttft_sched', 'total_sched', 'ttfo']);

/** Structural check of a `shard` block read from a file (sample blocks are decoded later). */
export function parseShardBlock(value: unknown, label: string): ShardBlock {
  const fail = (what: string): never => {
    throw new ShardError(`${label}: ${what}`, 'E_SHARD_BLOCK');
  };
  if (value === undefined || value === null)
    fail('not a shard envelope (no "shard" block; was it written by bench run --shard?)');
  if (typeof value !== 'object' || Array.isArray(value)) fail('"shard" is not an object');
  const b = value as Record<string, unknown>;
  if (b.format !== SHARD_FORMAT)
    fail(`unknown shard format ${JSON.stringify(b.format)} (expected ${SHARD_FORMAT})`);
  if (typeof b.run_id !== 'string' || b.run_id === '') fail('shard.run_id missing');
  const count = b.count;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1)
    fail('shard.count must be a positive integer');
  const index = b.index;
  if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= (count as number))
    fail('shard.index must be an integer below shard.count');
  if (!Number.isSafeInteger(b.run_seed) || !Number.isSafeInteger(b.shard_seed))
    fail('shard seeds must be integers');
  if (typeof b.tool_version !== 'string') fail('shard.tool_version missing');
  if (b.run === null || typeof b.run !== 'object' || Array.isArray(b.run)) fail('shard.run missing');
  const w = b.window as Record<string, unknown> | null;
  if (
    w === null ||
    typeof w !== 'object' ||
    !finite(w.start_ms) ||
    !finite(w.end_ms) ||
    !finite(w.duration_s) ||
    w.end_ms < w.start_ms
  )
    fail('shard.window must have start_ms ≤ end_ms and duration_s');
  const clock = b.clock as Record<string, unknown> | null;
  const start = clock?.start as Record<string, unknown> | undefined;
  if (
    clock === null ||
    typeof clock !== 'object' ||
    start === undefined ||
    !finite(start.offset_ms) ||
    !finite(start.round_trip_ms)
  )
    fail('shard.clock.start must record offset_ms and round_trip_ms');
  let sloCount = 0;
  if (b.slo !== null) {
    const slo = b.slo as Record<string, unknown> | undefined;
    const slos = slo?.slos;
    if (
      slo === undefined ||
      typeof slo.template !== 'string' ||
      !Array.isArray(slos) ||
      !slos.every(
        (s: Record<string, unknown>) =>
          SLO_METRICS.has(s.metric as string) && finite(s.percentile) && finite(s.max_ms),
      )
    )
      fail('shard.slo must be null or {template, slos: [{metric, percentile, max_ms}]}');
    sloCount = (slos as unknown[]).length;
  }
  const resamples = b.bootstrap_resamples;
  if (typeof resamples !== 'number' || !Number.isInteger(resamples) || resamples < 0 || resamples > 100_000)
    fail('shard.bootstrap_resamples must be an integer 0..100000');
  parseCounters(b.counters, sloCount, `${label}: shard.counters`);
  const samples = b.samples as Record<string, unknown> | null;
  if (samples === null || typeof samples !== 'object') fail('shard.samples missing');
  for (const name of DISTRIBUTION_NAMES)
    if ((samples as Record<string, unknown>)[name] === undefined) fail(`shard.samples.${name} missing`);
  return value as ShardBlock;
}

/** The SLO template a block was measured with (ids and limits as recorded). */
export function sloOfBlock(block: ShardBlock): SloTemplate | null {
  if (block.slo === null) return null;
  return {
    id: block.slo.template,
    description: '',
    slos: block.slo.slos.map((s) => ({ metric: s.metric, percentile: s.percentile, maxMs: s.max_ms })),
  };
}
