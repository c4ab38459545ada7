// Open loop: requests are sent at the arrival process's absolute deadlines (start + offset, so
// no drift accumulates), whether or not earlier ones finished. With maxConcurrency, an arrival
// that finds every slot busy waits for one; its t_sched stays the arrival time, so the wait shows
// as client_queue_delay and in ttft_sched — never hidden.
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
    let inFlight = 0;
    let wakeSlot: (() => void) | null = null;
    const onStop = (): void => wakeSlot?.();
    context.stopSignal.addEventListener('abort', onStop, { once: true });
    const release = (): void => {
      inFlight--;
      const wake = wakeSlot;
      wakeSlot = null;
      wake?.();
    };
    let index = 0;
    try {
      while (!context.stopSignal.aborted) {
        const tSchedMs = startMs + arrivals.nextOffsetMs();
        await context.sleepUntil(tSchedMs);
        if (context.stopSignal.aborted) break;
        while (maxConcurrency !== undefined && inFlight >= maxConcurrency && !context.stopSignal.aborted) {
          await new Promise<void>((resolve) => {
            wakeSlot = resolve;
          });
        }
        if (context.stopSignal.aborted) break;
        inFlight++;
        void context.send(workload.request(index++), tSchedMs).then(release, release);
      }
    } finally {
      context.stopSignal.removeEventListener('abort', onStop);
    }
  };
}
