// Public API of the harness (the app wires these into `bench run`).
export * from './types.js';
export type { Driver, DriverContext } from './drivers/types.js';
export {
  createStreamClient,
  ClientOptionsError,
  type StreamClient,
  type StreamClientOptions,
  type StreamClientStats,
  type SendMeta,
} from './client/stream-client.js';
export { SseParser, type SseSink } from './client/sse.js';
export {
  createClosedLoopDriver,
  DriverOptionsError,
  type ClosedLoopOptions,
  type RequestSource,
} from './drivers/closed.js';
export { createOpenLoopDriver, type OpenLoopOptions } from './drivers/open.js';
export {
  createArrivalProcess,
  ArrivalOptionsError,
  type ArrivalKind,
  type ArrivalOptions,
  type ArrivalProcess,
} from './drivers/arrivals.js';
export {
  buildMetrics,
  summarizeSorted,
  isGood,
  inWindow,
  DISTRIBUTION_NAMES,
  REPORTED_PERCENTILES,
  type BuildMetricsOptions,
  type Distribution,
  type DistributionName,
  type MeasurementWindow,
  type PointMetrics,
  type SloReport,
  type SloTargetResult,
} from './metrics/compute.js';
export {
  percentile,
  percentileSorted,
  sortedCopy,
  mean,
  coefficientOfVariation,
} from './metrics/percentile.js';
export { bootstrapPercentileCi, type ConfidenceInterval } from './metrics/bootstrap.js';
export { ConvergenceGate, gateMaxWaitS, type GateOptions } from './metrics/gate.js';
export {
  buildSampleBlock,
  describeJournal,
  sha256File,
  stratifiedValues,
  type JournalReference,
  SAMPLE_BLOCK_CAP,
  type SampleBlock,
  type SampleBlockEntry,
} from './metrics/sample-block.js';
export { ChunkSizeAccumulator, type ChunkSizeHistogram } from './metrics/chunk-sizes.js';
export {
  checkOfferedRate,
  decideTier,
  queueDelayMaterial,
  VERDICT_MIN_MEASURED,
  VERDICT_MIN_TRIALS,
  type RateCheck,
  type TierDecision,
  type TrialFacts,
} from './metrics/statistics.js';
export { Recorder, type RecorderOptions } from './metrics/recorder.js';
export { JournalWriter, readJournal, forEachJournalRecord, JournalError } from './metrics/journal.js';
export { histogramViewOf, LogBuckets } from './metrics/histogram-view.js';
export * as samples from './metrics/samples.js';
export {
  loadSloTemplates,
  loadSloTemplateFile,
  parseSloTemplates,
  resolveSloTemplate,
  describeSloTemplate,
  compactSloText,
  scaleSloTemplate,
  scaleLimits,
  sloTemplateForHardware,
  hardwareClassOf,
  detectHardwareClass,
  HARDWARE_CLASSES,
  UNKNOWN_CLASS,
  type HardwareClass,
  SloTemplateError,
  SLO_METRICS,
  type Slo,
  type SloMetric,
  type SloTemplate,
} from './metrics/slo.js';
export {
  resolvePointConfig,
  validatePointConfig,
  PointConfigError,
  DEFAULT_GATE,
  DEFAULT_BUDGETS,
  type ClosedPointConfig,
  type OpenPointConfig,
  type PointConfig,
  type PointConfigInput,
  type GateConfig,
} from './run/config.js';
export { EVENT_LOOP_DELAY_BUDGET_MS, PACER_LAG_BUDGET_MS, type AuditBudgets } from './run/audit.js';
export {
  runPoint,
  runPointDetailed,
  type PointClient,
  type PointDeps,
  type PointResult,
  type PointRun,
} from './run/point.js';
export { PhaseMachine, type PhaseView } from './run/phases.js';
export { pointWarnings, type PointFacts } from './run/warnings.js';
export { systemClock, VirtualClock, type Clock, type TimerHandle } from './clock.js';
export { createRng, createLabelledRng, permutation, type Rng } from '../lib/rng.js';
