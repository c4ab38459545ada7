// Point configuration and its defaults.
import { CodedError, type ErrorCode } from '../../lib/errors.js';
import type { ArrivalKind } from '../drivers/arrivals.js';
import type { SloTemplate } from '../metrics/slo.js';
import { EVENT_LOOP_DELAY_BUDGET_MS, PACER_LAG_BUDGET_MS, type AuditBudgets } from './audit.js';

export interface GateConfig {
  readonly enabled: boolean;
  /** Completed requests in the CoV window (default 30). */
  readonly window: number;
  /** CoV below which measurement starts (default 0.05). */
  readonly targetCov: number;
  /** Give up waiting after this many seconds and measure anyway (flagged). Default 60. */
  readonly timeoutS: number;
}

interface PointCommon {
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

/** Closed loop: `concurrency` workers, each awaiting its request before sending the next. */
export interface ClosedPointConfig extends PointCommon {
  readonly mode: 'closed';
  readonly concurrency: number;
}

/** Open loop: arrivals at `rps` from an arrival process, optionally capped in flight. */
export interface OpenPointConfig extends PointCommon {
  readonly mode: 'open';
  readonly rps: number;
  readonly arrival: ArrivalKind;
  readonly burstiness?: number;
  readonly maxConcurrency?: number;
}

/**
 * Trace replay: the workload's trace driver sends each entry at its timestamp (× timeScale), open
 * loop. The window covers the trace: it ends when the last response is in, or earlier at durationS /
 * numRequests when given (caps, not targets).
 */
export interface TracePointConfig extends PointCommon {
  readonly mode: 'trace';
  /** Multiplies the trace's time axis (0.5 = twice as fast). */
  readonly timeScale: number;
  /** Entries in the trace. */
  readonly entries: number;
  /** First to last scheduled send, seconds, after timeScale. */
  readonly spanS: number;
}

export type PointConfig = ClosedPointConfig | OpenPointConfig | TracePointConfig;

type Defaulted =
  | 'warmupRequests'
  | 'gate'
  | 'rampS'
  | 'drainGraceS'
  | 'seed'
  | 'sloTemplate'
  | 'bootstrapResamples'
  | 'budgets';
type InputOf<T extends PointConfig> = Omit<T, Defaulted> &
  Partial<Omit<PointCommon, 'gate' | 'budgets'>> & {
    readonly gate?: Partial<GateConfig>;
    readonly budgets?: Partial<AuditBudgets>;
  };
/** What callers give resolvePointConfig: the load, the stop rule, and any overrides. */
export type PointConfigInput =
  | InputOf<ClosedPointConfig>
  | InputOf<TracePointConfig>
  | (Omit<InputOf<OpenPointConfig>, 'arrival'> & { readonly arrival?: ArrivalKind });

export const DEFAULT_GATE: GateConfig = Object.freeze({
  enabled: true,
  window: 30,
  targetCov: 0.05,
  timeoutS: 60,
});
export const DEFAULT_BUDGETS: AuditBudgets = Object.freeze({
  eventLoopDelayP99Ms: EVENT_LOOP_DELAY_BUDGET_MS,
  pacerLagP99Ms: PACER_LAG_BUDGET_MS,
});

export class PointConfigError extends CodedError {
  override name = 'PointConfigError';
  constructor(message: string, code: ErrorCode = 'E_POINT_CONFIG', exitCode = 2) {
    super(message, code, exitCode);
  }
}

/** Fills defaults and validates; throws PointConfigError (exit 2) on bad input. */
export function resolvePointConfig(input: PointConfigInput): PointConfig {
  const common = {
    ...(input.durationS !== undefined ? { durationS: input.durationS } : {}),
    ...(input.numRequests !== undefined ? { numRequests: input.numRequests } : {}),
    warmupRequests: input.warmupRequests ?? 3,
    gate: { ...DEFAULT_GATE, ...input.gate },
    rampS: input.rampS ?? 0,
    drainGraceS: input.drainGraceS ?? 30,
    seed: input.seed ?? 42,
    sloTemplate: input.sloTemplate ?? null,
    bootstrapResamples: input.bootstrapResamples ?? 1000,
    budgets: { ...DEFAULT_BUDGETS, ...input.budgets },
  };
  const config: PointConfig =
    input.mode === 'closed'
      ? { ...common, mode: 'closed', concurrency: input.concurrency }
      : input.mode === 'trace'
        ? { ...common, mode: 'trace', timeScale: input.timeScale, entries: input.entries, spanS: input.spanS }
        : {
            ...common,
            mode: 'open',
            rps: input.rps,
            arrival: input.arrival ?? 'poisson',
            ...(input.burstiness !== undefined ? { burstiness: input.burstiness } : {}),
            ...(input.maxConcurrency !== undefined ? { maxConcurrency: input.maxConcurrency } : {}),
          };
  validatePointConfig(config);
  return config;
}

export function validatePointConfig(config: PointConfig): void {
  const fail = (message: string): never => {
    throw new PointConfigError(message);
  };
  if (config.mode === 'closed') {
    if (!Number.isInteger(config.concurrency) || config.concurrency < 1) {
      fail(`closed loop needs an integer concurrency ≥ 1, got ${config.concurrency}`);
    }
  } else if (config.mode === 'trace') {
    if (!(config.timeScale > 0) || !Number.isFinite(config.timeScale))
      fail(`trace replay needs a time scale > 0, got ${config.timeScale}`);
    if (!Number.isInteger(config.entries) || config.entries < 1)
      fail(`trace replay needs at least one entry, got ${config.entries}`);
    if (!(config.spanS >= 0) || !Number.isFinite(config.spanS))
      fail(`trace span must be a finite number of seconds ≥ 0, got ${config.spanS}`);
  } else {
    if (!(config.rps > 0) || !Number.isFinite(config.rps)) fail(`open loop needs rps > 0, got ${config.rps}`);
    if (config.burstiness !== undefined && !(config.burstiness > 0)) fail(`burstiness must be > 0`);
    if (
      config.maxConcurrency !== undefined &&
      (!Number.isInteger(config.maxConcurrency) || config.maxConcurrency < 1)
    ) {
      fail(`maxConcurrency must be an integer ≥ 1`);
    }
  }
  // A trace ends with its last response; other points need a stop rule.
  if (config.mode !== 'trace' && config.durationS === undefined && config.numRequests === undefined) {
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
}
