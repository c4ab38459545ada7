// Trace replay in `bench run`: a timestamped trace is its own load (no concurrency, no rate), and a
// replay measures the whole trace. Its point has no gate and no warm-up unless --warmup is given,
// and --duration / --num-requests cap the replay instead of setting its length (docs/workloads.md).
import type { TraceWorkload } from '../../harness/plugins/types.js';
import type { RunConfig, SweepPoint } from './options.js';

/** The one point of a trace replay: `value` is the time scale. */
export function tracePoint(timeScale: number): SweepPoint {
  return { mode: 'trace', value: timeScale, prefix: '', label: 'trace' };
}

/** --time-scale (a plugin flag, 1 when absent). */
export function timeScaleOf(config: Pick<RunConfig, 'extra'>): number {
  const raw = Number(config.extra.timeScale ?? 1);
  return Number.isFinite(raw) && raw > 0 ? raw : 1;
}

export interface TraceSettings {
  readonly timeScale: number;
  readonly entries: number;
  /** First to last scheduled send, seconds, after the time scale. */
  readonly spanS: number;
  readonly warmupRequests: number;
  /** A cap on the replay (--duration given); undefined = the whole trace. */
  readonly durationS: number | undefined;
}

/** What a trace point runs with: the trace's facts and the flags that apply to a replay. */
export function traceSettings(
  config: Pick<RunConfig, 'extra' | 'warmupRequests' | 'durationS' | 'flagsGiven'>,
  workload: TraceWorkload,
): TraceSettings {
  const timeScale = timeScaleOf(config);
  let firstMs = workload.originAtMs ?? Infinity;
  let lastMs = -Infinity;
  for (const entry of workload.entries) {
    if (entry.atMs < firstMs) firstMs = entry.atMs;
    if (entry.atMs > lastMs) lastMs = entry.atMs;
  }
  const given = new Set(config.flagsGiven ?? []);
  return {
    timeScale,
    entries: workload.entries.length,
    spanS: workload.entries.length > 0 ? ((lastMs - firstMs) * timeScale) / 1000 : 0,
    warmupRequests: given.has('warmup') ? config.warmupRequests : 0,
    durationS: given.has('duration') ? config.durationS : undefined,
  };
}

/** The trace's mean rate, req/s (entries over its span; a single-instant trace counts as 1 s). */
export function traceRatePerS(trace: Pick<TraceSettings, 'entries' | 'spanS'>): number {
  return trace.entries / Math.max(trace.spanS, 1);
}

/** The load flags a trace replay does not use: one warning each (the trace sets the load). */
export function traceIgnoredFlags(config: Pick<RunConfig, 'flagsGiven'>, suiteId: string): string[] {
  const given = new Set(config.flagsGiven ?? []);
  return ['concurrency', 'rps', 'arrival', 'burstiness', 'max-concurrency', 'ramp']
    .filter((name) => given.has(name))
    .map(
      (name) =>
        `--${name} is ignored by ${suiteId}: a trace replay sends each request at its timestamp (--time-scale changes the speed)`,
    );
}
