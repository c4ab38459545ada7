// What `bench run --shard i/N` changes in a point (src/app/run/point.ts calls these):
// the load share, the workload share, the shard's coordinator session, and the shard envelope
// built from the point's journal (counters + full-resolution samples).
import type { UnsignedEnvelope } from '../../envelope/index.js';
import { MetricsAccumulator, type SloBasis } from '../../harness/metrics/compute.js';
import { forEachJournalRecord } from '../../harness/metrics/journal.js';
import { DEFAULT_EXACT_CAP } from '../../harness/metrics/sample-sink.js';
import type { SloTemplate } from '../../harness/metrics/slo.js';
import type { Workload } from '../../harness/plugins/types.js';
import { clockRecord, type ClockRecord } from '../../harness/shard/clock.js';
import {
  shardConcurrency,
  shardItems,
  shardRate,
  shardRequestSource,
  shardSeed,
  shardShare,
  type ShardSpec,
} from '../../harness/shard/plan.js';
import { ShardSession } from '../../harness/shard/session.js';
import { VERSION } from '../version.js';
import type { RunConfig, SweepPoint } from '../run/options.js';
import type { ShardRunConfig } from './options.js';
import { toShardEnvelope } from './shard-envelope.js';

/** The shard's share of a load point (same label and file prefix as the run's point). */
export function sharePoint(point: SweepPoint, spec: ShardSpec): SweepPoint {
  // A trace point keeps its clock: each shard replays its share of the entries at their timestamps.
  if (point.mode === 'trace') return point;
  return {
    ...point,
    value: point.mode === 'closed' ? shardConcurrency(point.value, spec) : shardRate(point.value, spec),
  };
}

/** The shard's share of the workload: request k is the run's request k·N + i; traces and sessions by item. */
export function shareWorkload(workload: Workload, spec: ShardSpec): Workload {
  if (spec.count === 1) return workload;
  switch (workload.kind) {
    case 'single-turn': {
      const source = shardRequestSource(workload, spec);
      return { ...workload, size: Math.ceil(workload.size / spec.count), request: (k) => source.request(k) };
    }
    case 'trace':
      return {
        ...workload,
        entries: shardItems(workload.entries, spec),
        originAtMs: workload.originAtMs ?? workload.entries.reduce((m, e) => Math.min(m, e.atMs), Infinity),
      };
    case 'multi-turn':
      return { ...workload, sessions: shardItems(workload.sessions, spec) };
  }
}

export function shareRequests(numRequests: number | null, spec: ShardSpec): number | null {
  return numRequests === null ? null : Math.max(1, shardShare(numRequests, spec));
}

export { shardSeed };

/** Joins the run at the coordinator (null for a lone 0/1 shard without one). */
export async function openShardSession(shard: ShardRunConfig): Promise<ShardSession | null> {
  if (shard.coordinator === null) return null;
  return ShardSession.open({ url: shard.coordinator, runId: shard.runId, shard: shard.shard });
}

export interface ShardEnvelopeInput {
  readonly unsigned: UnsignedEnvelope;
  readonly config: RunConfig;
  readonly shard: ShardRunConfig;
  readonly session: ShardSession | null;
  /** The run-wide point (total load) and its driver_options. */
  readonly runDriverOptions: Readonly<Record<string, unknown>>;
  /** Monotonic window of the point. */
  readonly window: { readonly startMs: number; readonly endMs: number };
  readonly journalPath: string;
  readonly slo: SloTemplate;
  readonly bootstrapResamples: number;
  /** What the SLOs are judged on: 'scheduled' in open loop, as the point's own metrics do. */
  readonly sloBasis: SloBasis;
}

/** The shard envelope: the point's envelope plus the shard block, counters and samples from its journal. */
export async function shardEnvelopeOf(input: ShardEnvelopeInput): Promise<UnsignedEnvelope> {
  const { config, shard, session, window } = input;
  const accumulator = new MetricsAccumulator(window, {
    slo: input.slo,
    sloBasis: input.sloBasis,
    bootstrapResamples: 0,
    seed: config.seed,
  });
  await forEachJournalRecord(input.journalPath, (record) => accumulator.add(record));
  const { samples } = accumulator.finish();
  const now = performance.now();
  const clock: ClockRecord =
    session?.clock ??
    clockRecord({ offsetMs: 0, roundTripMs: 0, atShardMs: performance.timeOrigin + now, exchanges: 0 }, null);
  const toCommon = (mono: number): number =>
    session !== null ? session.toCommonMs(mono) : performance.timeOrigin + mono;
  return toShardEnvelope(input.unsigned, {
    runId: shard.runId,
    shard: shard.shard,
    runSeed: config.seed,
    shardSeed: shardSeed(config.seed, shard.shard),
    toolVersion: VERSION,
    run: {
      driver_options: input.runDriverOptions,
      duration_s: config.durationS,
      num_requests: config.numRequests,
      warmup_requests: config.warmupRequests,
      max_tokens: config.maxTokens,
      endpoint_type: config.endpointType,
    },
    window: { startMs: toCommon(window.startMs), endMs: toCommon(window.endMs) },
    anchor: session?.anchor ?? { timeOriginMs: performance.timeOrigin, wallMs: Date.now() },
    clock,
    slo: input.slo,
    bootstrapResamples: input.bootstrapResamples,
    counters: accumulator.counters(toCommon),
    samples,
    exactCap: DEFAULT_EXACT_CAP,
  });
}
