// Public API of the plugin registry and the built-in llm.inference plugin.
export type * from './types.js';
export {
  discoverPlugins,
  defaultSearchRoots,
  globalNodeModules,
  BUILTIN_SOURCE,
  type DiscoverOptions,
  type DiscoveredPlugins,
  type PluginFailure,
} from './discover.js';
export { resolveSuite, knownSuiteIds, type ResolvedSuite } from './resolve.js';
export { assertValid } from './validation.js';
export { pluginShapeProblem, isBenchPlugin } from './shape.js';
export {
  PluginError,
  UnknownSuiteError,
  DatasetFormatError,
  DatasetMissingError,
  ValidationFailedError,
} from './errors.js';
export { hashItems, canonicalJson } from './hash.js';
export { createLabelledRng as createRng, permutation, type Rng } from '../../lib/rng.js';
export { llmInferencePlugin } from './llm-inference/plugin.js';
export {
  LLM_INFERENCE_ID,
  LLM_INFERENCE_VERSION,
  LLM_INFERENCE_SPECS,
  DATASET_IDS,
} from './llm-inference/specs.js';
export { workloadToDriver, type WorkloadDriverOptions } from './workload-driver.js';
export {
  createTraceDriver,
  summariseLags,
  type TraceDriver,
  type TraceDriverOptions,
  type ScheduleLagStats,
} from '../drivers/trace.js';
export {
  createMultiTurnDriver,
  perTurnTtft,
  type MultiTurnDriverOptions,
  type TurnTtftStats,
} from '../drivers/multiturn.js';
