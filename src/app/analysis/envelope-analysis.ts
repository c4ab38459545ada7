// %SoL, descriptor and next lever for an envelope as it is on disk (ours or the Python tool's):
// the inputs are read from the envelope, the ceilings and model bytes are resolved by name.
import {
  concurrencyOf,
  getPath,
  getString,
  metricNumber,
  type LoadedEnvelope,
} from '../report/envelopeView.js';
import type { Ceilings } from './ceilings.js';
import { buildDescriptor, type ContextDescriptor } from './descriptor.js';
import type { LeverPoint } from './next-lever.js';
import { serverMetricsView } from './server-metrics.js';
import { resolveHardwareCeilings, resolveModelBytes } from './sol-context.js';
import { decodeMbu, prefillMfu, workloadSol, type SolInputs, type SolValue } from './sol.js';

export interface SolOptions {
  readonly ceilings: Ceilings;
  /** --model-bytes (weights), overriding the catalog. */
  readonly modelBytes?: number;
  /** Hardware class when the envelope does not say (e.g. --hardware). */
  readonly hardware?: string;
}

/** The GPU the envelope ran on: fingerprint GPU name, else its hardware class. */
export function hardwareOf(envelope: object, fallback?: string): string | undefined {
  const gpus = getPath(envelope, 'hardware_fingerprint', 'gpus');
  const name = Array.isArray(gpus) && gpus.length > 0 ? getString(gpus[0], 'model') : undefined;
  return (
    name ??
    getString(envelope, 'run_context', 'hardware') ??
    getString(envelope, 'metrics', 'slo_hardware_class') ??
    fallback
  );
}

function gpuCountOf(envelope: object): number {
  const gpus = getPath(envelope, 'hardware_fingerprint', 'gpus');
  if (Array.isArray(gpus) && gpus.length > 0) return gpus.length;
  const telemetryCount = getPath(envelope, 'telemetry', 'gpu', 'gpu_count');
  return typeof telemetryCount === 'number' && telemetryCount > 0 ? telemetryCount : 1;
}

export function solInputsOf(loaded: LoadedEnvelope, options: SolOptions): SolInputs {
  const env = loaded.envelope;
  const model = getString(env, 'model', 'id') ?? '';
  const quant = getString(env, 'quantization', 'format') || 'fp16';
  const bytes = resolveModelBytes(model, quant, options.modelBytes);
  const hw = resolveHardwareCeilings(options.ceilings, hardwareOf(env, options.hardware), quant);
  const m = (key: string): number | null => metricNumber(env, key) ?? null;
  const isl = m('isl_mean');
  const reqPerS = m('req_per_s_all');
  const server = serverMetricsView(env);
  const closedLoop = getString(env, 'driver_options', 'mode') !== 'open_loop';
  const batch = (closedLoop ? concurrencyOf(loaded) : undefined) ?? server?.runningMean ?? null;
  return {
    model: bytes.bytes,
    ...(bytes.reason !== undefined ? { modelReason: bytes.reason } : {}),
    gpuCount: gpuCountOf(env),
    hbm: hw.hbm,
    compute: hw.compute,
    ...(hw.reason !== undefined ? { hardwareReason: hw.reason } : {}),
    outputTokPerS: m('throughput_tok_per_s'),
    promptTokPerS: isl !== null && reqPerS !== null ? isl * reqPerS : null,
    batch,
    islMean: isl,
    oslMean: m('osl_mean'),
    stepMs: m('tpot_mean_ms') ?? m('tpot_p50_ms'),
  };
}

export interface PointSol {
  readonly workload: SolValue;
  readonly mbu: SolValue;
  readonly mfu: SolValue;
}

export function pointSol(loaded: LoadedEnvelope, options: SolOptions): PointSol {
  const inputs = solInputsOf(loaded, options);
  return { workload: workloadSol(inputs), mbu: decodeMbu(inputs), mfu: prefillMfu(inputs) };
}

export function descriptorOf(loaded: LoadedEnvelope, options: SolOptions, sol: PointSol): ContextDescriptor {
  const hardware = hardwareOf(loaded.envelope, options.hardware);
  const quant = getString(loaded.envelope, 'quantization', 'format') || 'fp16';
  const hbmKey = resolveHardwareCeilings(options.ceilings, hardware, quant).hbm?.key;
  const concurrency = concurrencyOf(loaded);
  return buildDescriptor(loaded.envelope, {
    ...(hardware !== undefined ? { hardware } : {}),
    ...(hbmKey !== undefined ? { ceilingToken: hbmKey.split('.')[0]! } : {}),
    ...(concurrency !== undefined ? { concurrency } : {}),
    sol: sol.workload,
  });
}

const fraction = (v: SolValue): number | null => (v.ok ? v.fraction : null);

export function leverPointOf(loaded: LoadedEnvelope, label: string, sol: PointSol): LeverPoint {
  const env = loaded.envelope;
  const server = serverMetricsView(env);
  const util = metricNumber(env, 'gpu_util_avg_pct') ?? getPath(env, 'telemetry', 'gpu', 'util_gpu_avg_pct');
  return {
    label,
    sol: fraction(sol.workload),
    solKey: sol.workload.ceilingKey ?? null,
    mbu: fraction(sol.mbu),
    mfu: fraction(sol.mfu),
    gpuUtilPct: typeof util === 'number' ? util : null,
    queueTimeMeanMs: server?.queueTimeMeanMs ?? null,
    waitingMax: server?.waitingMax ?? null,
    ttftP50Ms: metricNumber(env, 'ttft_p50_ms') ?? null,
    clientDistorted: getPath(env, 'quality', 'client', 'distorted') === true,
  };
}
