// Open loop: requests are sent at the arrival process's absolute deadlines (start + offset, so
// no drift accumulates), whether or not earlier ones finished. With maxConcurrency, an arrival
// that finds every slot busy waits for one; its t_sched stays the arrival time, so the wait shows
// as client_queue_delay and in ttft_sched — never hidden, not even when the window ends.
import { createArrivalProcess, type ArrivalKind } from './arrivals.js';
import { DriverOptionsError, type RequestSource } from './closed.js';
import type { Driver } from './types.js';

export interface OpenLoopOptions {
  readonly rps: number;
  readonly arrival: ArrivalKind;
  readonly burstiness?: number;
  readonly maxConcurrency?: number;
  readonly rampS?: number;
  readonly workload: RequestSource;
}

export function createOpenLoopDriver(options: OpenLoopOptions): Driver {
  const { maxConcurrency, workload } = options;
  if (maxConcurrency !== undefined && (!Number.isInteger(maxConcurrency) || maxConcurrency < 1)) {
    throw new DriverOptionsError(`maxConcurrency must be a positive integer, got ${maxConcurrency}`);
  }
  return async (context) => {
    const arrivals = createArrivalProcess({
      rps: options.rps,
      arrival: options.arrival,
      burstiness: options.burstiness ?? 1,
      rampS: options.rampS ?? 0,
      seed: context.seed,
    });
    const startMs = context.now();
    // When issuing stops, arrivals that were already due (a --max-concurrency backlog, or a burst
    // the pacer had not caught up with) are still sent in order as slots free up: dropping them
    // would hide the queue. The runner's drain grace bounds this (once it aborts in-flight
    // requests, the rest of the backlog is recorded as aborted at once).
    let stopAtMs = context.stopSignal.aborted ? context.now() : Infinity;
    const onStop = (): void => {
      stopAtMs = context.now();
    };
    context.stopSignal.addEventListener('abort', onStop, { once: true });
    let inFlight = 0;
    let wakeSlot: (() => void) | null = null;
    const release = (): void => {
      inFlight--;
      const wake = wakeSlot;
      wakeSlot = null;
      wake?.();
    };
    let index = 0;
    // End of the last wait for a slot: arrivals that fell due before it are already late because
    // of that wait (queue delay), so they skip the pacer and its lag statistics.
    let slotFreeAtMs = -Infinity;
    try {
      for (;;) {
        const tSchedMs = startMs + arrivals.nextOffsetMs();
        if (tSchedMs > stopAtMs) break;
        if (!context.stopSignal.aborted && tSchedMs > slotFreeAtMs) await context.sleepUntil(tSchedMs);
        if (tSchedMs > stopAtMs) break; // the stop came while waiting for this arrival
        if (maxConcurrency !== undefined && inFlight >= maxConcurrency) {
          while (inFlight >= maxConcurrency) {
            await new Promise<void>((resolve) => {
              wakeSlot = resolve;
            });
          }
          slotFreeAtMs = context.now();
        }
        inFlight++;
        void context.send(workload.request(index++), tSchedMs).then(release, release);
      }
    } finally {
      context.stopSignal.removeEventListener('abort', onStop);
    }
  };
}
