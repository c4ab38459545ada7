// Arrival processes for the open-loop driver: Poisson (exponential gaps), gamma (shape =
// burstiness; < 1 burstier than Poisson, > 1 more regular) and constant, all seeded, with an
// optional linear ramp of the rate from 0 to the target over `rampS` seconds.
//
// Gaps are drawn in "operational time" Λ with mean 1 and mapped to wall time through the
// integrated rate Λ(t) = ∫₀ᵗ rate(s) ds, so the ramp is an exact non-homogeneous process.
import { CodedError, type ErrorCode } from '../../lib/errors.js';
import { createRng, type Rng } from '../../lib/rng.js';

export type ArrivalKind = 'poisson' | 'gamma' | 'constant';

export interface ArrivalOptions {
  /** Target rate, requests per second (> 0). */
  readonly rps: number;
  readonly arrival: ArrivalKind;
  /** Gamma shape (only for 'gamma'); 1 = Poisson. */
  readonly burstiness?: number;
  /** Linear ramp from 0 to rps over this many seconds (0 = none). */
  readonly rampS?: number;
  readonly seed: number;
}

export class ArrivalOptionsError extends CodedError {
  override name = 'ArrivalOptionsError';
  constructor(message: string, code: ErrorCode = 'E_ARRIVAL_OPTIONS', exitCode = 2) {
    super(message, code, exitCode);
  }
}

export interface ArrivalProcess {
  /** Offset of the next arrival from the start, ms (strictly non-decreasing). */
  nextOffsetMs(): number;
}

export function createArrivalProcess(options: ArrivalOptions): ArrivalProcess {
  const { rps, arrival } = options;
  if (!(rps > 0) || !Number.isFinite(rps)) throw new ArrivalOptionsError(`rps must be > 0, got ${rps}`);
  const burstiness = options.burstiness ?? 1;
  if (arrival === 'gamma' && !(burstiness > 0)) {
    throw new ArrivalOptionsError(`burstiness (gamma shape) must be > 0, got ${burstiness}`);
  }
  const rampMs = Math.max(0, (options.rampS ?? 0) * 1000);
  const ratePerMs = rps / 1000;
  const rng: Rng = createRng(options.seed);
  const gap = (): number => {
    if (arrival === 'constant') return 1;
    if (arrival === 'gamma') return rng.gamma(burstiness, 1 / burstiness);
    return rng.exponential(1);
  };
  // Λ reached at the end of the ramp: ∫₀^R rate·s/R ds = rate·R/2.
  const rampLambda = (ratePerMs * rampMs) / 2;
  let lambda = 0;
  return {
    nextOffsetMs: () => {
      lambda += gap();
      if (rampMs > 0 && lambda < rampLambda) return Math.sqrt((2 * rampMs * lambda) / ratePerMs);
      return rampMs + (lambda - rampLambda) / ratePerMs;
    },
  };
}
