// A telemetry session: GPU source (NVML worker, else DCGM/engine metrics, else "not available"
// with the reason) plus RAPL, with live snapshots and window summaries. Never throws for a missing
// source; never reports zeros for one.
import { startDcgmSampler } from './dcgm.js';
import type { DcgmSampler } from './dcgm.js';
import { GpuStore } from './gpu-store.js';
import type { GpuEnergyDetail, GpuTick } from './gpu-store.js';
import { startNvmlSampler } from './nvml-worker.js';
import type { NvmlSampler } from './nvml-worker.js';
import { discoverRapl, RaplSampler } from './rapl.js';
import type { TimelineBuilder } from '../lib/timeline.js';
import type { TelemetrySnapshot, TelemetryWindowSummary } from './types.js';

export interface TelemetryOptions {
  /** NVML sample interval; 100 ms for runs, 10 ms for `bench profile`. */
  readonly gpuIntervalMs?: number;
  /** RAPL poll interval; 100 ms for runs, 25 ms for `bench profile`. */
  readonly raplIntervalMs?: number;
  /** A DCGM exporter (or the embedded engine's /metrics), used when NVML is not available. */
  readonly dcgmUrl?: string;
  /** Label for the DCGM-style source: 'dcgm' (an exporter, default) or 'engine' (embedded engine). */
  readonly dcgmSource?: 'dcgm' | 'engine';
  /** Scrape period of the DCGM-style source; default 1000 ms ('dcgm') or 250 ms ('engine'). */
  readonly dcgmIntervalMs?: number;
  /** powercap root (tests); default /sys/class/powercap. */
  readonly raplRoot?: string;
  readonly raplCanRead?: (path: string) => Promise<boolean>;
  /** NVML library path; default $BENCH_NVML_LIB or libnvidia-ml.so.1. */
  readonly nvmlLib?: string;
  /** false skips NVML (e.g. the GPU is on another host). */
  readonly nvml?: boolean;
  /** Energy-counter read period; default max(gpuIntervalMs, 100). */
  readonly energyIntervalMs?: number;
}

export interface TelemetrySession {
  readonly source: TelemetrySnapshot['source'];
  /** Why there is no GPU telemetry (null when there is); also the NVML reason when DCGM stood in. */
  readonly gpuReason: string | null;
  readonly raplReason: string | null;
  readonly gpuNames: readonly string[];
  snapshot(): TelemetrySnapshot;
  summarize(startMs: number, endMs: number): TelemetryWindowSummary;
  /** summarize() once samples up to endMs have arrived from the worker (waits at most ~0.5 s). */
  summarizeSettled(startMs: number, endMs: number): Promise<TelemetryWindowSummary>;
  /**
   * GPU power, utilisation and memory per second of [startMs, endMs] into the envelope's timeline
   * block (no-op without GPU telemetry). Optional so that test doubles of a session need not grow it.
   */
  timelineInto?(builder: TimelineBuilder, startMs: number, endMs: number): void;
  /** Counter delta and power integral side by side, for checks; null without GPU telemetry. */
  energyDetail(startMs: number, endMs: number): GpuEnergyDetail | null;
  /** Sampler faults (failed NVML calls / scrapes) so far. */
  faults(): { count: number; last: string | null };
  stop(): Promise<void>;
}

export async function startTelemetry(options: TelemetryOptions = {}): Promise<TelemetrySession> {
  const gpuIntervalMs = options.gpuIntervalMs ?? 100;
  const raplIntervalMs = options.raplIntervalMs ?? 100;
  let store: GpuStore | null = null;
  const pending: GpuTick[] = [];
  const onTicks = (ticks: GpuTick[]): void => {
    if (store) for (const t of ticks) store.add(t);
    else pending.push(...ticks);
  };
  let source: TelemetrySnapshot['source'] = 'none';
  let nvmlSampler: NvmlSampler | null = null;
  let dcgmSampler: DcgmSampler | null = null;
  const reasons: string[] = [];

  if (options.nvml !== false) {
    const r = await startNvmlSampler(
      {
        ...(options.nvmlLib !== undefined ? { libPath: options.nvmlLib } : {}),
        intervalMs: gpuIntervalMs,
        ...(options.energyIntervalMs !== undefined ? { energyIntervalMs: options.energyIntervalMs } : {}),
      },
      onTicks,
    );
    if ('devices' in r) {
      nvmlSampler = r;
      source = 'nvml';
      store = new GpuStore(
        r.devices.map((d) => d.name),
        { intervalMs: r.intervalMs, energyIntervalMs: r.energyIntervalMs },
      );
    } else reasons.push(r.reason);
  } else reasons.push('NVML disabled');

  if (!store && options.dcgmUrl) {
    // an exporter refreshes at most every second; the embedded engine computes its gauges per scrape
    const intervalMs =
      options.dcgmIntervalMs ?? Math.max(gpuIntervalMs, options.dcgmSource === 'engine' ? 250 : 1000);
    const r = await startDcgmSampler({ url: options.dcgmUrl, intervalMs }, onTicks);
    if ('gpus' in r) {
      dcgmSampler = r;
      // Series the embedded engine simulates are 'engine' (simulated), whoever asked for them.
      source = r.gpus.some((g) => g.simulated) ? 'engine' : (options.dcgmSource ?? 'dcgm');
      store = new GpuStore(
        r.gpus.map((g) => g.name),
        { intervalMs, energyIntervalMs: intervalMs },
      );
    } else reasons.push(r.reason);
  }
  if (store) for (const t of pending.splice(0)) store.add(t);
  const gpuReason: string = reasons.join('; ') || 'no GPU source';

  let rapl: RaplSampler | null = null;
  let raplReason: string | null = null;
  const disc = await discoverRapl({
    ...(options.raplRoot !== undefined ? { root: options.raplRoot } : {}),
    ...(options.raplCanRead ? { canRead: options.raplCanRead } : {}),
  });
  if (disc.available) {
    rapl = new RaplSampler(disc.zones, { intervalMs: raplIntervalMs });
    rapl.start();
  } else raplReason = disc.reason;

  const gpuStore = store;
  let stopped: Promise<void> | null = null;

  const session: TelemetrySession = {
    source,
    gpuReason: gpuStore ? null : gpuReason,
    raplReason,
    gpuNames: gpuStore ? gpuStore.names : [],
    snapshot(): TelemetrySnapshot {
      const tot = rapl?.totals();
      return {
        source,
        gpu: gpuStore
          ? {
              available: true,
              gpus: gpuStore.live(),
              energyJ: gpuStore.energySinceStartJ(),
              sampleCount: gpuStore.sampleCount,
              intervalMs: gpuStore.intervalMs,
            }
          : { available: false, reason: gpuReason },
        rapl:
          rapl && tot
            ? {
                available: true,
                packageJ: tot.packageJ,
                dramJ: tot.dramJ,
                sampleCount: rapl.sampleCount,
                intervalMs: rapl.intervalMs,
              }
            : { available: false, reason: raplReason ?? 'RAPL not available' },
      };
    },
    summarize(startMs: number, endMs: number): TelemetryWindowSummary {
      return {
        source,
        gpu: gpuStore ? gpuStore.summarize(startMs, endMs) : { available: false, reason: gpuReason },
        rapl: rapl
          ? rapl.summarize(startMs, endMs)
          : { available: false, reason: raplReason ?? 'RAPL not available' },
      };
    },
    async summarizeSettled(startMs: number, endMs: number): Promise<TelemetryWindowSummary> {
      const deadline = performance.now() + Math.max(500, 3 * (gpuStore?.intervalMs ?? 0));
      while (gpuStore && gpuStore.lastTickMs() < endMs && performance.now() < deadline)
        await new Promise((r) => setTimeout(r, 10));
      return session.summarize(startMs, endMs);
    },
    timelineInto(builder: TimelineBuilder, startMs: number, endMs: number): void {
      gpuStore?.timelineInto(builder, startMs, endMs);
    },
    energyDetail: (startMs, endMs) => (gpuStore ? gpuStore.energyDetail(startMs, endMs) : null),
    faults: () => nvmlSampler?.faults() ?? dcgmSampler?.faults() ?? { count: 0, last: null },
    stop(): Promise<void> {
      stopped ??= (async () => {
        rapl?.stop();
        await nvmlSampler?.stop();
        await dcgmSampler?.stop();
      })();
      return stopped;
    },
  };
  return session;
}

export type IdleBaseline =
  | {
      readonly available: true;
      readonly powerAvgW: number;
      readonly powerPeakW: number;
      readonly utilGpuAvgPct: number;
      readonly sampleCount: number;
      readonly windowS: number;
      readonly startMs: number;
      readonly endMs: number;
    }
  | { readonly available: false; readonly reason: string };

/**
 * Mean GPU power over `seconds` of idle before the first point (reported separately from the
 * points' power). Resolves early with the reason when the session has no GPU telemetry.
 */
export async function measureIdleBaseline(session: TelemetrySession, seconds: number): Promise<IdleBaseline> {
  if (session.gpuReason !== null) return { available: false, reason: session.gpuReason };
  const startMs = performance.now();
  await new Promise((r) => setTimeout(r, Math.max(0, seconds * 1000)));
  const endMs = performance.now();
  const s = (await session.summarizeSettled(startMs, endMs)).gpu;
  if (!s.available) return { available: false, reason: s.reason };
  return {
    available: true,
    powerAvgW: s.powerAvgW,
    powerPeakW: s.powerPeakW,
    utilGpuAvgPct: s.utilGpuAvgPct,
    sampleCount: s.sampleCount,
    windowS: (endMs - startMs) / 1000,
    startMs,
    endMs,
  };
}
