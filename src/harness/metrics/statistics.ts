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

/** VERDICT needs at least this many trials … */
export const VERDICT_MIN_TRIALS = 3;
/**
 * … each with at least this many measured requests: a p99 from n requests rests on the n/100
 * slowest, so 200 puts two requests above it, and a p50's 95 % interval narrows to about ±7 % of
 * the spread. Shorter trials are DRAFT however many there are.
 */
export const VERDICT_MIN_MEASURED = 200;

export interface TrialFacts {
  /** The gate converged (not gave_up; a disabled gate does not count as converged). */
  readonly converged: boolean;
  /** The generator passed its self-audit. */
  readonly healthy: boolean;
  /** Measured requests (n_requests). */
  readonly measured: number;
  /** Against the embedded engine, or an endpoint that identified itself as it. */
  readonly simulated: boolean;
}

export interface TierDecision {
  readonly tier: 'VERDICT' | 'DRAFT';
  /** Why DRAFT (empty for VERDICT), in a stable order. */
  readonly reasons: readonly string[];
}

/** The tier of a point measured in trials (docs/methodology.md "Trials and tiers"). */
export function decideTier(trials: readonly TrialFacts[]): TierDecision {
  const reasons: string[] = [];
  if (trials.some((t) => t.simulated))
    reasons.push('simulated engine: results say nothing about real hardware');
  if (trials.length < VERDICT_MIN_TRIALS) reasons.push(`fewer than ${VERDICT_MIN_TRIALS} trials`);
  if (trials.some((t) => !t.converged || !t.healthy))
    reasons.push('not every trial converged with a healthy generator');
  const short = trials.filter((t) => t.measured < VERDICT_MIN_MEASURED);
  if (short.length > 0)
    reasons.push(
      `${short.length} trial(s) measured fewer than ${VERDICT_MIN_MEASURED} requests (least: ${Math.min(...short.map((t) => t.measured))})`,
    );
  return { tier: reasons.length === 0 ? 'VERDICT' : 'DRAFT', reasons };
}
