// Derived telemetry numbers for the GPU and profiling panes (pure).
import type { TelemetrySnapshot, TelemetryWindowSummary } from '../../telemetry/types.js';
import { meanOf } from './sparkline-series.js';

/** Sum of the latest power reading of every GPU, or null without GPU telemetry. */
export function totalPowerW(telemetry: TelemetrySnapshot | null): number | null {
  const gpu = telemetry?.gpu;
  if (!gpu?.available) return null;
  let sum = 0;
  let any = false;
  for (const g of gpu.gpus) {
    if (g.latest && Number.isFinite(g.latest.powerW)) {
      sum += g.latest.powerW;
      any = true;
    }
  }
  return any ? sum : null;
}

/** Instantaneous energy per output token: board power ÷ token rate (J/token = W ÷ tok/s). */
export function liveJoulesPerToken(powerW: number | null, tokPerS: number | null | undefined): number | null {
  if (powerW === null || tokPerS == null || !Number.isFinite(tokPerS) || tokPerS <= 0) return null;
  return powerW / tokPerS;
}

export interface Breakdown {
  /** 'window' = from the measurement window's summary; 'live' = from the live sample history. */
  readonly basis: 'window' | 'live';
  readonly gpu:
    | {
        readonly available: true;
        readonly avgUtilPct: number | null;
        readonly hostTimePct: number | null;
        readonly energyJ: number;
        readonly powerUnderLoadW: number | null;
        readonly sampleCount: number;
        readonly intervalMs: number;
      }
    | { readonly available: false; readonly reason: string };
  readonly rapl:
    | {
        readonly available: true;
        readonly packageJ: number;
        readonly dramJ: number | null;
        readonly sampleCount: number;
        readonly intervalMs: number;
      }
    | { readonly available: false; readonly reason: string };
}

const NO_TELEMETRY = 'telemetry not started';

/**
 * % host time = 100 − average GPU utilisation; average power under load = mean power of samples
 * whose GPU utilisation is above 50 %. Uses the window summary when there is one, else the live
 * history (about 1 sample per second per GPU).
 */
export function computeBreakdown(
  telemetry: TelemetrySnapshot | null,
  summary: TelemetryWindowSummary | null,
): Breakdown {
  if (summary) {
    const g = summary.gpu;
    const r = summary.rapl;
    return {
      basis: 'window',
      gpu: g.available
        ? {
            available: true,
            avgUtilPct: g.utilGpuAvgPct,
            hostTimePct: Math.max(0, 100 - g.utilGpuAvgPct),
            energyJ: g.energyJoulesTotal,
            powerUnderLoadW: g.powerUnderLoadAvgW,
            sampleCount: g.sampleCount,
            intervalMs: g.intervalMs,
          }
        : { available: false, reason: g.reason },
      rapl: r.available
        ? {
            available: true,
            packageJ: r.packageJoules,
            dramJ: r.dramJoules,
            sampleCount: r.sampleCount,
            intervalMs: r.intervalMs,
          }
        : { available: false, reason: r.reason },
    };
  }
  const g = telemetry?.gpu;
  const r = telemetry?.rapl;
  let gpu: Breakdown['gpu'] = { available: false, reason: NO_TELEMETRY };
  if (g && !g.available) gpu = { available: false, reason: g.reason };
  if (g?.available) {
    const utils = g.gpus.flatMap((x) => x.utilPctSeries);
    const avgUtilPct = meanOf(utils);
    const loaded: number[] = [];
    for (const x of g.gpus) {
      const n = Math.min(x.powerWSeries.length, x.utilPctSeries.length);
      for (let i = 0; i < n; i += 1) {
        if ((x.utilPctSeries[i] ?? 0) > 50) loaded.push(x.powerWSeries[i] ?? Number.NaN);
      }
    }
    gpu = {
      available: true,
      avgUtilPct,
      hostTimePct: avgUtilPct === null ? null : Math.max(0, 100 - avgUtilPct),
      energyJ: g.energyJ,
      powerUnderLoadW: meanOf(loaded),
      sampleCount: g.sampleCount,
      intervalMs: g.intervalMs,
    };
  }
  let rapl: Breakdown['rapl'] = { available: false, reason: NO_TELEMETRY };
  if (r && !r.available) rapl = { available: false, reason: r.reason };
  if (r?.available) {
    rapl = {
      available: true,
      packageJ: r.packageJ,
      dramJ: r.dramJ,
      sampleCount: r.sampleCount,
      intervalMs: r.intervalMs,
    };
  }
  return { basis: 'live', gpu, rapl };
}
