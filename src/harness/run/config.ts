// Point configuration and its defaults.
import type { ArrivalKind } from '../drivers/arrivals.js';
import type { SloTemplate } from '../metrics/slo.js';
import type { AuditBudgets } from './audit.js';

export interface GateConfig {
  readonly enabled: boolean;
  /** Completed requests in the CoV window (default 30). */
  readonly window: number;
  /** CoV below which measurement starts (default 0.05). */
  readonly targetCov: number;
  /** Give up waiting after this many seconds and measure anyway (flagged). Default 60. */
  readonly timeoutS: number;
}

export interface PointConfig {
  readonly mode: 'closed' | 'open';
  readonly concurrency?: number;
  readonly rps?: number;
  readonly arrival?: ArrivalKind;
  readonly burstiness?: number;
  readonly maxConcurrency?: number;
  /** Measurement window length after the gate opens. */
  readonly durationS?: number;
  /** Stop after this many requests were sent inside the measurement window. */
  readonly numRequests?: number;
  /** The first N requests are sent, awaited and discarded. Default 3. */
  readonly warmupRequests: number;
  readonly gate: GateConfig;
  readonly rampS: number;
  /** After issuing stops, in-flight requests get this long before they are aborted. Default 30. */
  readonly drainGraceS: number;
  readonly seed: number;
  readonly sloTemplate: SloTemplate | null;
  readonly bootstrapResamples: number;
  readonly budgets: AuditBudgets;
}

export const DEFAULT_GATE: GateConfig = Object.freeze({
  enabled: true,
  window: 30,
  targetCov: 0.05,
  timeoutS: 60,
});
export const DEFAULT_BUDGETS: AuditBudgets = Object.freeze({ eventLoopDelayP99Ms: 5, pacerLagP99Ms: 1 });

export class PointConfigError extends Error {
  readonly code = 'E_POINT_CONFIG';
  readonly exitCode = 2;
}

/** Fills defaults and validates; throws PointConfigError (exit 2) on bad input. */
export function resolvePointConfig(
  partial: Partial<Omit<PointConfig, 'gate' | 'budgets'>> & {
    readonly mode: 'closed' | 'open';
    readonly gate?: Partial<GateConfig>;
    readonly budgets?: Partial<AuditBudgets>;
  },
): PointConfig {
  const config: PointConfig = {
    ...partial,
    warmupRequests: partial.warmupRequests ?? 3,
    gate: { ...DEFAULT_GATE, ...partial.gate },
    rampS: partial.rampS ?? 0,
    drainGraceS: partial.drainGraceS ?? 30,
    seed: partial.seed ?? 42,
    sloTemplate: partial.sloTemplate ?? null,
    bootstrapResamples: partial.bootstrapResamples ?? 1000,
    budgets: { ...DEFAULT_BUDGETS, ...partial.budgets },
  };
  validatePointConfig(config);
  return config;
}

export function validatePointConfig(config: PointConfig): void {
  const fail = (message: string): never => {
    throw new PointConfigError(message);
  };
  if (config.mode === 'closed') {
    if (config.concurrency === undefined || !Number.isInteger(config.concurrency) || config.concurrency < 1) {
      fail(`closed loop needs an integer concurrency ≥ 1, got ${config.concurrency}`);
    }
  } else if (config.rps === undefined || !(config.rps > 0) || !Number.isFinite(config.rps)) {
    fail(`open loop needs rps > 0, got ${config.rps}`);
  }
  if (config.durationS === undefined && config.numRequests === undefined) {
    fail('a point needs durationS or numRequests');
  }
  if (config.durationS !== undefined && !(config.durationS > 0))
    fail(`durationS must be > 0, got ${config.durationS}`);
  if (config.numRequests !== undefined && (!Number.isInteger(config.numRequests) || config.numRequests < 1)) {
    fail(`numRequests must be an integer ≥ 1, got ${config.numRequests}`);
  }
  if (!Number.isInteger(config.warmupRequests) || config.warmupRequests < 0) {
    fail(`warmupRequests must be an integer ≥ 0, got ${config.warmupRequests}`);
  }
  if (!Number.isInteger(config.gate.window) || config.gate.window < 2) fail(`gate window must be ≥ 2`);
  if (!(config.gate.targetCov > 0)) fail(`gate targetCov must be > 0`);
  if (!(config.gate.timeoutS >= 0)) fail(`gate timeoutS must be ≥ 0`);
  if (!(config.rampS >= 0)) fail(`rampS must be ≥ 0`);
  if (!(config.drainGraceS >= 0)) fail(`drainGraceS must be ≥ 0`);
  if (config.burstiness !== undefined && !(config.burstiness > 0)) fail(`burstiness must be > 0`);
  if (
    config.maxConcurrency !== undefined &&
    (!Number.isInteger(config.maxConcurrency) || config.maxConcurrency < 1)
  ) {
    fail(`maxConcurrency must be an integer ≥ 1`);
  }
}
