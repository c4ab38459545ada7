// Convergence gate: measurement starts once the load is steady. Two signals, whichever settles
// first (docs/methodology.md "Convergence gate"):
// - requests: the coefficient of variation (CoV) of the per-request decode rate (tokens/s =
//   1000 / tpot) over the last `window` completed requests is below target;
// - intervals: the output token rate over the last `intervals` intervals of `intervalMs` (fed from
//   the live token counter, so long requests count while they stream) has CoV below target AND
//   no drift (the newer half's mean within target of the older half's). At c=1 with 4 s requests
//   the request window would take minutes to fill; the interval window fills in seconds.
// The gate is bounded by time: it gives up after `maxWaitMs` from start() (then measures anyway,
// with a warning). Pure logic on injected times: O(window) per sample, no allocation.
import type { GateBasis, GateState, GateStatus } from '../types.js';
import { coefficientOfVariation } from './percentile.js';

export interface GateOptions {
  readonly enabled: boolean;
  /** Requests in the sliding window (default 30). */
  readonly window: number;
  /** CoV below which the gate opens (default 0.05). */
  readonly targetCov: number;
  /** Length of one token-rate interval, ms (default 500). */
  readonly intervalMs?: number;
  /** Intervals in the sliding window (default 6: three seconds of steady token rate). */
  readonly intervals?: number;
  /** Give up this long after start() (default: never; the point runner passes gateMaxWaitS()). */
  readonly maxWaitMs?: number;
}

export const DEFAULT_GATE_INTERVAL_MS = 500;
export const DEFAULT_GATE_INTERVALS = 6;
/** The shortest time bound, s: below this a gate could not see even one interval window. */
export const MIN_GATE_WAIT_S = 3;

/**
 * The gate's time bound for a point: never longer than the measurement it precedes (a 5 s point
 * waits at most 5 s), never shorter than one interval window, never above --gate-timeout.
 */
export function gateMaxWaitS(durationS: number | null | undefined, timeoutS: number): number {
  if (durationS === null || durationS === undefined) return timeoutS;
  return Math.min(timeoutS, Math.max(MIN_GATE_WAIT_S, durationS));
}

export class ConvergenceGate {
  private readonly ring: Float64Array;
  private count = 0;
  private head = 0;
  private status: GateStatus;
  private lastCov: number | null = null;
  private basis: GateBasis | null = null;
  // token-rate intervals
  private readonly intervalMs: number;
  private readonly rates: Float64Array;
  private readonly ordered: Float64Array;
  private rateCount = 0;
  private rateHead = 0;
  private intervalStartMs = Number.NaN;
  private intervalStartTokens = 0;
  private lastIntervalCov: number | null = null;
  private lastDrift: number | null = null;
  // time bound
  private startMs = Number.NaN;
  private lastMs = Number.NaN;
  private readonly maxWaitMs: number;

  constructor(private readonly options: GateOptions) {
    if (!Number.isInteger(options.window) || options.window < 2) {
      throw new RangeError(`gate window must be an integer ≥ 2, got ${options.window}`);
    }
    const intervals = options.intervals ?? DEFAULT_GATE_INTERVALS;
    if (!Number.isInteger(intervals) || intervals < 2) {
      throw new RangeError(`gate intervals must be an integer ≥ 2, got ${intervals}`);
    }
    this.intervalMs = options.intervalMs ?? DEFAULT_GATE_INTERVAL_MS;
    if (!(this.intervalMs > 0)) throw new RangeError(`gate intervalMs must be > 0, got ${this.intervalMs}`);
    this.maxWaitMs = options.maxWaitMs ?? Infinity;
    this.ring = new Float64Array(options.window);
    this.rates = new Float64Array(intervals);
    this.ordered = new Float64Array(intervals);
    this.status = options.enabled ? 'waiting' : 'disabled';
  }

  /**
   * The gate phase begins: the time bound starts here, and the interval clock too when the token
   * count is given (else the first observeTokens() sets its baseline).
   */
  start(nowMs: number, totalTokens?: number): void {
    this.startMs = nowMs;
    this.lastMs = nowMs;
    this.intervalStartMs = totalTokens === undefined ? Number.NaN : nowMs;
    this.intervalStartTokens = totalTokens ?? 0;
  }

  /** Adds one completed request's decode rate; returns true when this sample opened the gate. */
  add(rateTokPerS: number): boolean {
    this.ring[this.head] = rateTokPerS;
    this.head = (this.head + 1) % this.ring.length;
    if (this.count < this.ring.length) this.count++;
    if (this.count < this.ring.length) return false;
    this.lastCov = coefficientOfVariation(this.ring);
    if (this.status === 'waiting' && this.lastCov !== null && this.lastCov < this.options.targetCov) {
      this.open('requests');
      return true;
    }
    return false;
  }

  /**
   * The cumulative output-token count at `nowMs` (the live counter). Closes an interval once
   * `intervalMs` has passed since the last one closed (a late sample closes one longer interval);
   * returns true when this sample opened the gate.
   */
  observeTokens(nowMs: number, totalTokens: number): boolean {
    if (Number.isNaN(this.startMs)) this.start(nowMs);
    if (Number.isNaN(this.intervalStartMs)) {
      this.intervalStartMs = nowMs;
      this.intervalStartTokens = totalTokens;
      return false;
    }
    this.lastMs = Math.max(this.lastMs, nowMs);
    const spanMs = nowMs - this.intervalStartMs;
    if (spanMs < this.intervalMs) return false;
    const rate = ((totalTokens - this.intervalStartTokens) * 1000) / spanMs;
    this.intervalStartMs = nowMs;
    this.intervalStartTokens = totalTokens;
    const k = this.rates.length;
    this.rates[this.rateHead] = rate;
    this.rateHead = (this.rateHead + 1) % k;
    if (this.rateCount < k) this.rateCount++;
    if (this.rateCount < k) return false;
    // oldest first
    for (let i = 0; i < k; i++) this.ordered[i] = this.rates[(this.rateHead + i) % k] as number;
    this.lastIntervalCov = coefficientOfVariation(this.ordered);
    this.lastDrift = drift(this.ordered);
    const target = this.options.targetCov;
    if (
      this.status === 'waiting' &&
      this.lastIntervalCov !== null &&
      this.lastIntervalCov < target &&
      this.lastDrift !== null &&
      this.lastDrift < target
    ) {
      this.open('intervals');
      return true;
    }
    return false;
  }

  /** Checks the time bound; returns true when it just gave up. */
  tick(nowMs: number): boolean {
    this.lastMs = Math.max(Number.isNaN(this.lastMs) ? nowMs : this.lastMs, nowMs);
    if (this.status !== 'waiting' || Number.isNaN(this.startMs)) return false;
    if (nowMs - this.startMs < this.maxWaitMs) return false;
    this.status = 'gave_up';
    return true;
  }

  giveUp(): void {
    if (this.status === 'waiting') this.status = 'gave_up';
  }

  get isOpen(): boolean {
    return this.status !== 'waiting';
  }

  state(): GateState {
    return {
      status: this.status,
      cov: this.lastCov,
      n: this.count,
      window: this.ring.length,
      targetCov: this.options.targetCov,
      basis: this.basis,
      intervalCov: this.lastIntervalCov,
      intervalDrift: this.lastDrift,
      intervalN: this.rateCount,
      intervals: this.rates.length,
      waitedS: Number.isNaN(this.startMs) ? 0 : Math.max(0, this.lastMs - this.startMs) / 1000,
      maxWaitS: this.maxWaitMs / 1000,
    };
  }

  private open(basis: GateBasis): void {
    this.status = 'converged';
    this.basis = basis;
  }
}

/** |mean(newer half) − mean(older half)| / mean(all); null when the mean is 0. */
function drift(values: Float64Array): number | null {
  const n = values.length;
  const half = Math.floor(n / 2);
  let older = 0;
  let newer = 0;
  for (let i = 0; i < half; i++) older += values[i] as number;
  for (let i = n - half; i < n; i++) newer += values[i] as number;
  let all = 0;
  for (let i = 0; i < n; i++) all += values[i] as number;
  const mean = all / n;
  if (mean === 0) return null;
  return Math.abs(newer / half - older / half) / Math.abs(mean);
}
