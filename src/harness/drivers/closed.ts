// Closed loop: `concurrency` workers, each sending a request and awaiting it before the next.
// Optional ramp: worker w starts at rampS·w/concurrency seconds.
import { CodedError, type ErrorCode } from '../../lib/errors.js';
import type { RequestSpec } from '../types.js';
import type { Driver } from './types.js';

export interface RequestSource {
  request(index: number): RequestSpec;
}

export interface ClosedLoopOptions {
  readonly concurrency: number;
  readonly rampS?: number;
  readonly workload: RequestSource;
}

export class DriverOptionsError extends CodedError {
  override name = 'DriverOptionsError';
  constructor(message: string, code: ErrorCode = 'E_DRIVER_OPTIONS', exitCode = 2) {
    super(message, code, exitCode);
  }
}

export function createClosedLoopDriver(options: ClosedLoopOptions): Driver {
  const { concurrency, workload } = options;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new DriverOptionsError(`concurrency must be a positive integer, got ${concurrency}`);
  }
  const rampMs = Math.max(0, (options.rampS ?? 0) * 1000);
  return async (context) => {
    let next = 0;
    const startMs = context.now();
    const worker = async (w: number): Promise<void> => {
      if (rampMs > 0 && w > 0) await context.sleepUntil(startMs + (rampMs * w) / concurrency);
      while (!context.stopSignal.aborted) {
        const index = next++;
        await context.send(workload.request(index), context.now());
      }
    };
    const workers: Promise<void>[] = [];
    for (let w = 0; w < concurrency; w++) workers.push(worker(w));
    await Promise.all(workers);
  };
}
