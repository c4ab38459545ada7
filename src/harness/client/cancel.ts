// Request cancellation (AIPerf's --request-cancellation-rate): a seeded, timing-independent choice
// of which requests the client aborts mid-stream, and when. Request `id` is cancelled iff
// u(seed, id) < rate, where u is a 32-bit integer hash mapped to [0, 1): the same ids every run.

export interface CancelOptions {
  /** Fraction of requests to cancel, 0..1. */
  readonly rate: number;
  /** Abort this long after the request is sent (ms). */
  readonly afterMs: number;
  readonly seed: number;
}

export class CancelOptionsError extends Error {
  readonly code = 'E_CANCEL_OPTIONS';
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'CancelOptionsError';
  }
}

export function validateCancelOptions(o: CancelOptions): CancelOptions {
  if (!Number.isFinite(o.rate) || o.rate < 0 || o.rate > 1)
    throw new CancelOptionsError(`--cancel-rate must be in [0, 1] (got ${o.rate})`);
  if (!Number.isFinite(o.afterMs) || o.afterMs < 0)
    throw new CancelOptionsError(`--cancel-after-ms must be ≥ 0 (got ${o.afterMs})`);
  return o;
}

/** A uniform value in [0, 1) from (seed, id): murmur3's 32-bit finaliser over a mixed key. */
export function cancelUniform(seed: number, id: number): number {
  let h = (Math.imul(id + 1, 0x9e3779b1) ^ Math.imul(seed | 0, 0x85ebca77)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return (h >>> 0) / 0x1_0000_0000;
}

/** Milliseconds after sending at which request `id` is cancelled, or null to let it run. */
export function cancelDelayMs(o: CancelOptions | undefined, id: number): number | null {
  if (o === undefined || o.rate <= 0) return null;
  return cancelUniform(o.seed, id) < o.rate ? o.afterMs : null;
}
