// Trace replay: sends each entry at trace-start + atMs × timeScale (open loop: sends never wait for
// responses) and measures schedule lag = actual send − scheduled send, per request. After the last
// send it resolves once every response is in (the trace's end), or as soon as the run stops issuing.
import type { RequestRecord } from '../types.js';
import type { TraceWorkload } from '../plugins/types.js';
import type { Driver, DriverContext } from './types.js';

export interface ScheduleLagStats {
  /** Requests whose send time is known. */
  readonly n: number;
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
  readonly maxMs: number | null;
  readonly meanMs: number | null;
  /** Entries not sent because the run stopped first. */
  readonly skipped: number;
}

export interface TraceDriverOptions {
  /** Multiplies the trace's time axis: 0.5 replays twice as fast, 2 at half speed. */
  readonly timeScale: number;
}

export type TraceDriver = Driver & {
  /** Schedule-lag statistics over the requests sent so far (complete once the runner has drained). */
  scheduleLag(): ScheduleLagStats;
};

/** Linear-interpolated percentile (numpy type 7) of an ascending-sorted array. */
export function sortedPercentile(sorted: ArrayLike<number>, q: number): number | null {
  const n = sorted.length;
  if (n === 0) return null;
  const pos = (n - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, n - 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

export function summariseLags(lagsMs: readonly number[], skipped: number): ScheduleLagStats {
  const sorted = Float64Array.from(lagsMs).sort();
  const n = sorted.length;
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    n,
    p50Ms: sortedPercentile(sorted, 0.5),
    p99Ms: sortedPercentile(sorted, 0.99),
    maxMs: n > 0 ? sorted[n - 1]! : null,
    meanMs: n > 0 ? sum / n : null,
    skipped,
  };
}

function stopped(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

export function createTraceDriver(workload: TraceWorkload, options: TraceDriverOptions): TraceDriver {
  const timeScale = options.timeScale;
  if (!(timeScale > 0) || !Number.isFinite(timeScale))
    throw new RangeError(`timeScale must be a positive number (got ${timeScale})`);
  const entries = [...workload.entries].sort((a, b) => a.atMs - b.atMs);
  const lags: number[] = [];
  let skipped = 0;

  const driver: Driver = async (context: DriverContext) => {
    lags.length = 0;
    skipped = 0;
    const pending = new Set<Promise<void>>();
    // Workloads may build prompts lazily: build the first one before the clock starts.
    void entries[0]?.request;
    const startMs = context.now();
    const firstAtMs = workload.originAtMs ?? entries[0]?.atMs ?? 0;
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i]!;
      const tSchedMs = startMs + (entry.atMs - firstAtMs) * timeScale;
      if (context.stopSignal.aborted) {
        skipped = entries.length - i;
        break;
      }
      if (tSchedMs > context.now()) await context.sleepUntil(tSchedMs);
      if (context.stopSignal.aborted) {
        skipped = entries.length - i;
        break;
      }
      const sent = context.send(entry.request, tSchedMs).then((record: RequestRecord) => {
        lags.push(record.tSendMs - tSchedMs);
      });
      pending.add(sent);
      void sent.finally(() => pending.delete(sent));
      // Workloads may build prompts lazily: build the next one now, while waiting for its time.
      void entries[i + 1]?.request;
    }
    // The trace is over when its last response is: keep the window open until then (or until the
    // run stops issuing — then in-flight requests are the runner's to drain).
    if (!context.stopSignal.aborted && pending.size > 0)
      await Promise.race([Promise.all(pending), stopped(context.stopSignal)]);
  };

  return Object.assign(driver, { scheduleLag: () => summariseLags(lags, skipped) });
}
