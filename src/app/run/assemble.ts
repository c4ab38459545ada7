// Builds the unsigned v1 envelope for one measured point. Pure apart from the inputs it is given:
// the composition root gathers facts (fingerprint, provenance, telemetry) and passes them in.
import { randomBytes } from 'node:crypto';
import { sha256Hex } from '../../envelope/index.js';
import type { TelemetryWindowSummary } from '../../telemetry/types.js';
import type { SweepPoint } from './options.js';

export const ZERO_HASH = '0'.repeat(64);

export interface PointOutcome {
  readonly metrics: Readonly<Record<string, number | string | null>>;
  readonly ci: Readonly<Record<string, { readonly lo: number; readonly hi: number; readonly n: number }>>;
  readonly counts: Readonly<Record<string, unknown>>;
  readonly quality: Readonly<Record<string, unknown>>;
  readonly histograms: Readonly<
    Record<string, { readonly edgesMs: readonly number[]; readonly counts: readonly number[] }>
  >;
  readonly warnings: readonly string[];
  readonly windowS: number;
  readonly outputTokensInWindow: number;
  readonly incomplete: boolean;
}

export interface AssembleInput {
  readonly suiteId: string;
  readonly suiteVersion: string;
  readonly model: { readonly id: string; readonly provider: string; readonly endpointHash: string };
  readonly engine: { readonly name: string; readonly version: string; readonly configHash: string };
  readonly quant: string;
  readonly hardwareClass: string;
  readonly hardwareFingerprint: Readonly<Record<string, unknown>>;
  readonly provenance: Readonly<object>;
  readonly dataset: { readonly id: string; readonly hash: string };
  readonly seed: number;
  readonly driverOptions: Readonly<Record<string, unknown>>;
  readonly sloTemplate: string;
  readonly sloResolved: string;
  readonly point: SweepPoint;
  readonly outcome: PointOutcome;
  readonly telemetry: TelemetryWindowSummary | null;
  readonly idleBaselineW: number | null;
  readonly serverMetrics: Readonly<Record<string, unknown>> | null;
  readonly runContext: Readonly<Record<string, unknown>>;
  readonly extraWarnings: readonly string[];
  readonly now?: Date;
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

/** UTC with microseconds and Z, as InferenceBench writes it (JS clocks have ms: the last 3 digits are 0). */
export function timestampMicros(now: Date = new Date()): string {
  return now.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** A hash of the endpoint so runs against the same server can be matched without storing the URL. */
export function endpointHash(baseUrl: string | null): string {
  return baseUrl === null ? ZERO_HASH : sha256Hex(baseUrl);
}

function energyMetrics(
  telemetry: TelemetryWindowSummary | null,
  outputTokens: number,
): { metrics: Record<string, number | null>; warnings: string[] } {
  if (!telemetry || !telemetry.gpu.available) {
    return {
      metrics: { power_avg_w: null, power_peak_w: null, energy_joules_total: null, joules_per_token: null },
      warnings: [
        `energy metrics not available: ${telemetry && !telemetry.gpu.available ? telemetry.gpu.reason : 'no telemetry'}`,
      ],
    };
  }
  const gpu = telemetry.gpu;
  const warnings: string[] = [];
  if (gpu.energyMethod === 'power_integral')
    warnings.push('energy_joules_total is an integral of sampled power (no energy counter available)');
  return {
    metrics: {
      power_avg_w: gpu.powerAvgW,
      power_peak_w: gpu.powerPeakW,
      energy_joules_total: gpu.energyJoulesTotal,
      joules_per_token: outputTokens > 0 ? gpu.energyJoulesTotal / outputTokens : null,
      power_under_load_avg_w: gpu.powerUnderLoadAvgW,
      gpu_util_avg_pct: gpu.utilGpuAvgPct,
    },
    warnings,
  };
}

function telemetryBlock(
  telemetry: TelemetryWindowSummary | null,
  idleBaselineW: number | null,
  serverMetrics: Readonly<Record<string, unknown>> | null,
): Record<string, unknown> {
  const gpu = !telemetry
    ? { available: false, reason: 'telemetry not started' }
    : telemetry.gpu.available
      ? {
          available: true,
          gpu_count: telemetry.gpu.gpuCount,
          energy_method: telemetry.gpu.energyMethod,
          sample_count: telemetry.gpu.sampleCount,
          interval_ms: telemetry.gpu.intervalMs,
          util_gpu_avg_pct: telemetry.gpu.utilGpuAvgPct,
          power_under_load_avg_w: telemetry.gpu.powerUnderLoadAvgW,
        }
      : { available: false, reason: telemetry.gpu.reason };
  const rapl = !telemetry
    ? { available: false, reason: 'telemetry not started' }
    : telemetry.rapl.available
      ? {
          available: true,
          package_joules: telemetry.rapl.packageJoules,
          dram_joules: telemetry.rapl.dramJoules,
          sample_count: telemetry.rapl.sampleCount,
          interval_ms: telemetry.rapl.intervalMs,
        }
      : { available: false, reason: telemetry.rapl.reason };
  return {
    source: telemetry?.source ?? 'none',
    gpu,
    rapl,
    idle_baseline_w: idleBaselineW,
    server_metrics: serverMetrics,
  };
}

function snakeHistograms(histograms: PointOutcome['histograms']): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, view] of Object.entries(histograms)) {
    out[name] = { edges_ms: [...view.edgesMs], counts: [...view.counts] };
  }
  return out;
}

/** The unsigned envelope (signature: null). Every value is JSON-safe: no undefined, NaN or Infinity. */
export function assembleEnvelope(input: AssembleInput): Record<string, unknown> {
  const now = input.now ?? new Date();
  const energy = energyMetrics(input.telemetry, input.outcome.outputTokensInWindow);
  const metrics: Record<string, number | string | null> = {
    ...input.outcome.metrics,
    ...energy.metrics,
    slo_hardware_class: input.hardwareClass,
    slo_template_resolved: input.sloResolved,
  };
  const warnings = [...input.extraWarnings, ...input.outcome.warnings, ...energy.warnings];
  const ci: Record<string, unknown> = {};
  for (const [name, interval] of Object.entries(input.outcome.ci)) ci[name] = { ...interval, level: 0.95 };
  return scrub({
    envelope_version: 'v1',
    suite_id: input.suiteId,
    suite_version: input.suiteVersion,
    run_id: uuidv7(now),
    timestamp: timestampMicros(now),
    model: {
      id: input.model.id,
      revision: 'unknown',
      provider: input.model.provider,
      endpoint_hash: input.model.endpointHash,
    },
    engine: {
      name: input.engine.name,
      version: input.engine.version,
      config_hash: input.engine.configHash,
      image_digest: '',
    },
    quantization: { format: input.quant, method: '' },
    hardware_fingerprint: input.hardwareFingerprint,
    software_provenance: input.provenance,
    dataset: { id: input.dataset.id, hash: input.dataset.hash },
    seed: input.seed,
    driver_options: input.driverOptions,
    metrics,
    distributions: {},
    slo_template: input.sloTemplate,
    warnings,
    signature: null,
    run_context: { ...input.runContext, point: input.point.label, incomplete: input.outcome.incomplete },
    quality: input.outcome.quality,
    counts: input.outcome.counts,
    metric_ci: ci,
    histograms: snakeHistograms(input.outcome.histograms),
    telemetry: telemetryBlock(input.telemetry, input.idleBaselineW, input.serverMetrics),
  }) as Record<string, unknown>;
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
