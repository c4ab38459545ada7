// The contract between a load driver and the point runner (src/harness/run).
// A driver decides WHEN requests are sent; the runner owns the client, the recorder, the phases
// and the clock. Drivers never record anything themselves.
import type { RequestRecord, RequestSpec } from '../types.js';

export interface DriverContext {
  /** Monotonic ms (performance.now() in production; injectable in tests). */
  now(): number;
  /**
   * Sends one request and resolves with its record once it has finished (ok or failed).
   * `tSchedMs` is the intended send time (open loop) — pass `now()` in closed loop.
   * Never rejects: failures are records with an errorCode.
   */
  send(spec: RequestSpec, tSchedMs: number): Promise<RequestRecord>;
  /** Aborted when the driver must stop issuing new requests (duration reached, request cap, user stop). */
  readonly stopSignal: AbortSignal;
  readonly seed: number;
  /** Waits until monotonic time `atMs` (high-resolution; resolves early if stopSignal aborts). */
  sleepUntil(atMs: number): Promise<void>;
  /** A slot waited `waitMs` after the server pushed back (429/5xx) before its next request. */
  onBackoff?(waitMs: number): void;
}

/** Resolves when the driver has stopped issuing requests. In-flight requests are drained by the runner. */
export type Driver = (context: DriverContext) => Promise<void>;
