// Closed loop: `concurrency` workers, each sending a request and awaiting it before the next.
// Optional ramp: worker w starts at rampS·w/concurrency seconds.
import { CodedError, type ErrorCode } from '../../lib/errors.js';
// A server that pushes back (429, 5xx, refused connections) must not be hammered: after such a
// failure the slot waits — the server's Retry-After (capped), else exponential backoff from 50 ms —
// before its next request, and the wait is reported (context.onBackoff).
import type { RequestRecord, RequestSpec } from '../types.js';
import type { Driver } from './types.js';

export interface RequestSource {
  request(index: number): RequestSpec;
}

export interface ClosedLoopOptions {
  readonly concurrency: number;
  readonly rampS?: number;
  readonly workload: RequestSource;
}

/** Backoff after pushback: Retry-After is capped at this; exponential starts at BASE and stops at MAX. */
export const RETRY_AFTER_CAP_MS = 10_000;
export const BACKOFF_BASE_MS = 50;
export const BACKOFF_MAX_MS = 5_000;

/** True for answers that mean "slow down": 429, 5xx, a refused connection. */
export function isPushback(record: RequestRecord): boolean {
  const code = record.errorCode;
  if (code === null) return false;
  if (code === 'connect_error') return true;
  const status = record.httpStatus;
  return status !== null && (status === 429 || status >= 500);
}

/** How long a slot waits after its `failures`-th pushback in a row. */
export function backoffMs(record: RequestRecord, failures: number): number {
  if (record.retryAfterMs !== undefined && record.retryAfterMs >= 0)
    return Math.min(record.retryAfterMs, RETRY_AFTER_CAP_MS);
  return Math.min(BACKOFF_BASE_MS * 2 ** Math.min(failures - 1, 20), BACKOFF_MAX_MS);
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
      let failures = 0;
      while (!context.stopSignal.aborted) {
        const index = next++;
        const record = await context.send(workload.request(index), context.now());
        if (!isPushback(record)) {
          failures = 0;
          continue;
        }
        failures++;
        const waitMs = backoffMs(record, failures);
        context.onBackoff?.(waitMs);
        await context.sleepUntil(context.now() + waitMs);
      }
    };
    const workers: Promise<void>[] = [];
    for (let w = 0; w < concurrency; w++) workers.push(worker(w));
    await Promise.all(workers);
  };
}
