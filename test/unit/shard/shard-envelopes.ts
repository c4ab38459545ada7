// Signed shard envelopes for merge tests, built the way a sharded point builds them: the shard's
// records go through MetricsAccumulator (its own metrics, its samples) and ShardTally (counters),
// the block is added by toShardEnvelope, and the envelope is signed and written with a dev key.
import { join } from 'node:path';
import {
  flattenMetrics,
  signEnvelope,
  timestampMicros,
  writeEnvelope,
  type UnsignedEnvelope,
} from '../../../src/envelope/index.js';
import { toShardEnvelope } from '../../../src/app/shard/shard-envelope.js';
import { VERSION } from '../../../src/app/version.js';
import { MetricsAccumulator, type MeasurementWindow } from '../../../src/harness/metrics/compute.js';
import type { SloTemplate } from '../../../src/harness/metrics/slo.js';
import { clockRecord } from '../../../src/harness/shard/clock.js';
import { shardSeed, type ShardSpec } from '../../../src/harness/shard/plan.js';
import { ShardTally } from '../../../src/harness/shard/tally.js';
import type { RequestRecord } from '../../../src/harness/types.js';
import { sampleUnsignedEnvelope } from '../envelope/sample-envelope.js';

export const RUN_ID = '019e3b45-8552-7705-ab62-1cb802fe5680';
export const SLO: SloTemplate = {
  id: 'test',
  description: '',
  slos: [
    { metric: 'ttft', percentile: 99, maxMs: 40 },
    { metric: 'tpot', percentile: 90, maxMs: 9 },
  ],
};
export const RESAMPLES = 200;
export const SEED = 42;

export interface ShardEnvelopeOptions {
  readonly shard: ShardSpec;
  readonly records: readonly RequestRecord[];
  readonly window: MeasurementWindow;
  /** Shifts this shard's window on the coordinator clock (ms), e.g. to test the tolerance. */
  readonly windowShiftMs?: number;
  readonly runId?: string;
  readonly toolVersion?: string;
  readonly incomplete?: boolean;
  readonly exactCap?: number;
}

export function unsignedShardEnvelope(o: ShardEnvelopeOptions): UnsignedEnvelope {
  const acc = new MetricsAccumulator(o.window, { slo: SLO, bootstrapResamples: RESAMPLES, seed: SEED });
  const tally = new ShardTally(o.window, SLO);
  for (const r of o.records) {
    acc.add(r);
    tally.add(r);
  }
  const { metrics, samples } = acc.finish();
  const flat = flattenMetrics(metrics);
  const base = sampleUnsignedEnvelope();
  const unsigned = {
    ...base,
    timestamp: timestampMicros(new Date()),
    run_id: '019e3b45-8552-7705-ab62-' + (0x1000000000000 + o.shard.index).toString(16).slice(1),
    metrics: { ...flat.metrics, slo_hardware_class: 'h100' },
    metric_ci: {},
    run_context: { tool: { name: 'inferencebench', version: VERSION }, incomplete: o.incomplete ?? false },
    quality: { valid: true, client: { event_loop_delay_p99_ms: 1.5, distorted: false } },
  };
  const shift = o.windowShiftMs ?? 0;
  const epoch = 1_790_000_000_000;
  return toShardEnvelope(unsigned, {
    runId: o.runId ?? RUN_ID,
    shard: o.shard,
    runSeed: SEED,
    shardSeed: shardSeed(SEED, o.shard),
    toolVersion: o.toolVersion ?? VERSION,
    run: { concurrency: 64, duration_s: 60, driver_options: { mode: 'closed_loop', concurrency: 64 } },
    window: { startMs: epoch + o.window.startMs + shift, endMs: epoch + o.window.endMs + shift },
    anchor: { timeOriginMs: epoch, wallMs: epoch },
    clock: clockRecord({ offsetMs: 0.4, roundTripMs: 0.2, atShardMs: epoch, exchanges: 8 }, null),
    slo: SLO,
    bootstrapResamples: RESAMPLES,
    counters: tally.counters((t) => epoch + t),
    samples,
    exactCap: o.exactCap ?? 4 * 1024 * 1024,
  });
}

export async function writeShardEnvelope(
  dir: string,
  keyPath: string,
  o: ShardEnvelopeOptions,
): Promise<string> {
  const { envelope } = await signEnvelope(unsignedShardEnvelope(o), { mode: 'dev', keyPath });
  return writeEnvelope(join(dir), `shard${o.shard.index}-`, envelope);
}
