// buildEnvelope: one measured point → the unsigned v1 envelope (signature: null), typed with the
// schema's own type. Pure apart from run_id's random bits: the composition root (src/app/run)
// gathers the facts (fingerprint, provenance, telemetry) and passes them in; the harness gives
// typed metrics, which src/envelope/metrics.ts names. Imports from harness/telemetry are types only.
import { keyedEndpointHash } from './endpoint-hash.js';
import { randomBytes } from 'node:crypto';
import type { PointResult } from '../harness/run/result.js';
import type { HistogramView } from '../harness/types.js';
import type { TelemetryWindowSummary } from '../telemetry/types.js';
import type { TimelineBlock } from '../lib/timeline.js';
import { energyMetricsV1, METRIC, pointMetricsV1 } from './metrics.js';
import { normaliseForPython } from './normalise.js';
import { placeholderPaths } from './placeholders.js';
import { envelopeTimestamp } from './timestamp.js';
import type { EnvelopeWrite, UnsignedEnvelope } from './schema.js';

export const ZERO_HASH = '0'.repeat(64);

/** What the run knows about itself, the same for every point (plus the point's own context). */
export interface RunFacts {
  readonly suiteId: string;
  readonly suiteVersion: string;
  readonly model: { readonly id: string; readonly provider: string; readonly endpointHash: string };
  readonly engine: { readonly name: string; readonly version: string; readonly configHash: string };
  readonly quant: string;
  readonly hardwareClass: string;
  readonly hardwareFingerprint: EnvelopeWrite['hardware_fingerprint'];
  readonly provenance: EnvelopeWrite['software_provenance'];
  readonly dataset: { readonly id: string; readonly hash: string };
  readonly seed: number;
  readonly driverOptions: Readonly<Record<string, unknown>>;
  /** The template as the user named it (slo_template). */
  readonly sloTemplate: string;
  /** The thresholds actually applied, hardware-scaled (metrics.slo_template_resolved). */
  readonly sloResolved: string;
  readonly pointLabel: string;
  readonly runContext: Readonly<Record<string, unknown>>;
  /** Warnings placed before the point's own (simulated engine, plugin validation, ceiling). */
  readonly warnings: readonly string[];
  readonly now?: Date;
}

/** The measured point: the harness result, and how many load workers drove it. */
export interface MeasuredPoint {
  readonly result: PointResult;
  readonly workers: number;
}

export interface PointTelemetry {
  readonly window: TelemetryWindowSummary | null;
  readonly idleBaselineW: number | null;
  readonly serverMetrics: Readonly<Record<string, unknown>> | null;
  /** The point over time, per second (docs/envelope.md "timeline"); absent: not recorded. */
  readonly timeline?: TimelineBlock | null;
}

/** RFC 9562 UUIDv7: 48-bit Unix ms timestamp, version 7, variant 10, random rest. */
export function uuidv7(now: Date = new Date()): string {
  const bytes = randomBytes(16);
  const ms = BigInt(now.getTime());
  for (let i = 0; i < 6; i++) bytes[i] = Number((ms >> BigInt(8 * (5 - i))) & 0xffn);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x70;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The envelope timestamp as InferenceBench's pydantic model writes it: `…:SS.ffffffZ`, or `…:SSZ`
 * when the fraction is zero (JS clocks have ms, so the last 3 digits are 0). See timestamp.ts.
 */
export function timestampMicros(now: Date = new Date()): string {
  return envelopeTimestamp(now);
}

/**
 * The last step of every envelope we build: InferenceBench's load-time normalisation (whitespace
 * strip on typed strings, timestamp form; normalise.ts) and the `placeholders` list, so the bytes we
 * sign are the bytes Python hashes and a reader can tell placeholders from data.
 */
export function finishEnvelope(unsigned: UnsignedEnvelope): UnsignedEnvelope {
  const { envelope } = normaliseForPython(unsigned);
  const { placeholders: _previous, ...rest } = envelope;
  return { ...rest, placeholders: placeholderPaths(rest) };
}

/**
 * A hash of the endpoint so runs against the same server can be matched without storing the URL:
 * keyed (HMAC under a per-user key, see endpoint-hash.ts), so it cannot be reversed by guessing.
 */
export function endpointHash(baseUrl: string | null): string {
  return keyedEndpointHash(baseUrl);
}

function telemetryBlock(telemetry: PointTelemetry): Record<string, unknown> {
  const t = telemetry.window;
  const gpu = !t
    ? { available: false, reason: 'telemetry not started' }
    : t.gpu.available
      ? {
          available: true,
          gpu_count: t.gpu.gpuCount,
          energy_method: t.gpu.energyMethod,
          sample_count: t.gpu.sampleCount,
          interval_ms: t.gpu.intervalMs,
          util_gpu_avg_pct: t.gpu.utilGpuAvgPct,
          power_under_load_avg_w: t.gpu.powerUnderLoadAvgW,
        }
      : { available: false, reason: t.gpu.reason };
  const rapl = !t
    ? { available: false, reason: 'telemetry not started' }
    : t.rapl.available
      ? {
          available: true,
          package_joules: t.rapl.packageJoules,
          dram_joules: t.rapl.dramJoules,
          sample_count: t.rapl.sampleCount,
          interval_ms: t.rapl.intervalMs,
        }
      : { available: false, reason: t.rapl.reason };
  return {
    source: t?.source ?? 'none',
    gpu,
    rapl,
    idle_baseline_w: telemetry.idleBaselineW,
    server_metrics: telemetry.serverMetrics,
  };
}

function histogramBlock(view: HistogramView): { edges_ms: number[]; counts: number[] } {
  return { edges_ms: [...view.edgesMs], counts: [...view.counts] };
}

function qualityBlock(point: MeasuredPoint): Record<string, unknown> {
  const { result } = point;
  const { workerEventLoopDelayP99Ms, ...client } = result.client;
  return {
    valid: result.valid,
    gate: result.gate,
    steady_state: result.steadyState,
    client: {
      ...client,
      workers: point.workers,
      worker_event_loop_delay_p99_ms: workerEventLoopDelayP99Ms ?? null,
    },
    slo: result.slo,
  };
}

/** The unsigned envelope (signature: null). Every value is JSON-safe: no undefined, NaN or Infinity. */
export function buildEnvelope(
  facts: RunFacts,
  point: MeasuredPoint,
  telemetry: PointTelemetry,
): UnsignedEnvelope {
  const now = facts.now ?? new Date();
  const { result } = point;
  const measured = pointMetricsV1(result);
  const energy = energyMetricsV1(telemetry.window, result.detail.tokensInWindow);
  const rate = result.rate;
  const metrics: Record<string, number | string | null> = {
    ...measured.metrics,
    ...energy.metrics,
    // Open loop: what was offered and what the client achieved (docs/metrics.md).
    ...(rate
      ? {
          offered_rps: rate.offeredRps,
          offered_realised_rps: rate.offeredRealisedRps,
          achieved_rps: rate.achievedRps,
        }
      : {}),
    [METRIC.sloHardwareClass]: facts.hardwareClass,
    [METRIC.sloTemplateResolved]: facts.sloResolved,
  };
  const ci: Record<string, unknown> = {};
  for (const [name, interval] of Object.entries(measured.ci)) ci[name] = { ...interval, level: 0.95 };
  const envelope = {
    envelope_version: 'v1',
    suite_id: facts.suiteId,
    suite_version: facts.suiteVersion,
    run_id: uuidv7(now),
    timestamp: timestampMicros(now),
    model: {
      id: facts.model.id,
      revision: 'unknown',
      provider: facts.model.provider,
      endpoint_hash: facts.model.endpointHash,
    },
    engine: {
      name: facts.engine.name,
      version: facts.engine.version,
      config_hash: facts.engine.configHash,
      image_digest: '',
    },
    quantization: { format: facts.quant, method: '' },
    hardware_fingerprint: facts.hardwareFingerprint,
    software_provenance: facts.provenance,
    dataset: { id: facts.dataset.id, hash: facts.dataset.hash },
    seed: facts.seed,
    driver_options: facts.driverOptions,
    metrics,
    distributions: {},
    slo_template: facts.sloTemplate,
    warnings: [...facts.warnings, ...result.warnings, ...energy.warnings],
    signature: null,
    run_context: { ...facts.runContext, point: facts.pointLabel, incomplete: result.incomplete },
    quality: { ...qualityBlock(point), queue_delay_material: result.queueDelayMaterial },
    counts: result.counts,
    metric_ci: ci,
    // Bounded per-request samples for bench diff's CIs (docs/metrics.md "Sample block").
    samples: result.sampleBlock,
    histograms: {
      ttft_ms: histogramBlock(result.histograms.ttft),
      tpot_ms: histogramBlock(result.histograms.tpot),
      itl_ms: histogramBlock(result.histograms.itl),
      total_ms: histogramBlock(result.histograms.total),
    },
    telemetry: telemetryBlock(telemetry),
    ...(telemetry.timeline ? { timeline: telemetry.timeline } : {}),
  };
  return finishEnvelope(scrub(envelope) as UnsignedEnvelope);
}

/** Drops undefined fields and turns non-finite numbers into null, recursively (the hash rejects both). */
export function scrub(value: unknown): unknown {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (Array.isArray(value)) return value.map(scrub);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      if (item !== undefined) out[key] = scrub(item);
    }
    return out;
  }
  return value;
}
