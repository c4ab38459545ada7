// Convergence gate: measurement starts once the coefficient of variation of the per-request
// decode rate (tokens/s, = 1000 / tpot) over the last `window` completed requests is below target.
// O(window) per completed request (a fixed ring, no allocation).
import type { GateState, GateStatus } from '../types.js';
import { coefficientOfVariation } from './percentile.js';

export interface GateOptions {
  readonly enabled: boolean;
  /** Requests in the sliding window (default 30). */
  readonly window: number;
  /** CoV below which the gate opens (default 0.05). */
  readonly targetCov: number;
}

export class ConvergenceGate {
  private readonly ring: Float64Array;
  private count = 0;
  private head = 0;
  private status: GateStatus;
  private lastCov: number | null = null;

  constructor(private readonly options: GateOptions) {
    if (!Number.isInteger(options.window) || options.window < 2) {
      throw new RangeError(`gate window must be an integer ≥ 2, got ${options.window}`);
    }
    this.ring = new Float64Array(options.window);
    this.status = options.enabled ? 'waiting' : 'disabled';
  }

  /** Adds one completed request's decode rate; returns true when this sample opened the gate. */
  add(rateTokPerS: number): boolean {
    this.ring[this.head] = rateTokPerS;
    this.head = (this.head + 1) % this.ring.length;
    if (this.count < this.ring.length) this.count++;
    if (this.count < this.ring.length) return false;
    this.lastCov = coefficientOfVariation(this.ring);
    if (this.status === 'waiting' && this.lastCov !== null && this.lastCov < this.options.targetCov) {
      this.status = 'converged';
      return true;
    }
    return false;
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
    };
  }
}
