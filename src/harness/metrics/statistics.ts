// Headline rules about coordinated omission and open-loop rates (docs/metrics.md "Queueing in the
// headline", "Offered vs achieved rate"). Pure functions of point metrics.

/** Client queue delay is material when its p99 exceeds this share of TTFT p99 … */
export const QUEUE_DELAY_SHARE_OF_TTFT = 0.1;
/** … or this many ms. */
export const QUEUE_DELAY_MATERIAL_MS = 1;

/**
 * Is the client queue delay (t_send − t_sched) big enough that TTFT alone would hide it? Then the
 * headline shows ttft_sched beside ttft. null inputs (nothing measured) are not material.
 */
export function queueDelayMaterial(queueDelayP99Ms: number | null, ttftP99Ms: number | null): boolean {
  if (queueDelayP99Ms === null || !Number.isFinite(queueDelayP99Ms)) return false;
  if (queueDelayP99Ms > QUEUE_DELAY_MATERIAL_MS) return true;
  return ttftP99Ms !== null && ttftP99Ms > 0 && queueDelayP99Ms > QUEUE_DELAY_SHARE_OF_TTFT * ttftP99Ms;
}

/** |z| beyond which achieved and offered counts differ by more than Poisson noise (two-sided 95 %). */
export const RATE_MISMATCH_Z = 2;

export interface RateCheckInput {
  /** The arrival process's rate, req/s (--rps). */
  readonly offeredRps: number;
  /** Measurement window, s. */
  readonly windowS: number;
  /** Arrivals the process produced inside the window (t_sched in the window): the realised offer. */
  readonly scheduledInWindow: number;
  /** Requests actually sent inside the window (t_send in the window). */
  readonly sentInWindow: number;
}

export interface RateCheck {
  readonly offeredRps: number;
  /** scheduledInWindow ÷ window: what the arrival process actually offered this time. */
  readonly offeredRealisedRps: number;
  /** sentInWindow ÷ window. */
  readonly achievedRps: number;
  /** (sent − scheduled) / √scheduled (√ at least 1). */
  readonly z: number;
  readonly warning: string | null;
}

/**
 * Offered vs achieved rate of an open-loop point. The reference is the realised offer — the n
 * arrivals the process scheduled inside the window — so the arrival process's own randomness
 * (Poisson, bursty gamma) never raises the warning; a client that keeps up sends those same n
 * requests, give or take the ones crossing the window's edges. A sent count further than 2 √n from
 * n (Poisson noise of a count of n) means requests were held back: a --max-concurrency cap, a slow
 * generator, or a server that does not accept connections.
 */
export function checkOfferedRate(input: RateCheckInput): RateCheck {
  const { offeredRps, windowS, scheduledInWindow: n, sentInWindow: m } = input;
  const z = (m - n) / Math.max(1, Math.sqrt(n));
  const offeredRealisedRps = windowS > 0 ? n / windowS : 0;
  const achievedRps = windowS > 0 ? m / windowS : 0;
  const warning =
    windowS > 0 && Math.abs(z) > RATE_MISMATCH_Z
      ? `open loop: achieved ${achievedRps.toFixed(2)} req/s against ${offeredRps} offered ` +
        `(${m} sent of ${n} arrivals in ${windowS.toFixed(1)} s, beyond ±${(RATE_MISMATCH_Z * Math.sqrt(n)).toFixed(0)} Poisson noise): ` +
        (z < 0
          ? 'requests waited in the client — latencies from t_send hide it; read ttft_sched and total_sched'
          : 'more requests were sent than arrived')
      : null;
  return { offeredRps, offeredRealisedRps, achievedRps, z, warning };
}
