// The plugin contract: the Node analogue of InferenceBench's `inferencebench.plugins` entry points.
// A plugin package declares `"inferencebench": {"plugins": ["./dist/plugin.js"]}` in package.json;
// each listed module's default export is a `BenchPlugin`. `llm.inference` is built in and uses it too.
import type { RequestSpec } from '../types.js';

export type DriverKind = 'closed_loop' | 'open_loop' | 'trace';
export type WorkloadKind = 'single-turn' | 'multi-turn' | 'trace';

export interface BenchmarkSpec {
  /** Short id inside the plugin, e.g. "chatbot-short". Full suite id = `${plugin.id}.${id}`. */
  readonly id: string;
  readonly description: string;
  readonly modality: 'text';
  readonly kind: WorkloadKind;
  readonly driver: DriverKind;
  readonly defaultDataset: string;
  readonly defaultSloTemplate: string;
  /** Defaults for the request shape (max tokens etc.), overridable by flags. */
  readonly defaultMaxTokens: number;
  /** How answers are scored after the load: absent = not scored; `judge_llm` = an LLM judge (--judge-model). */
  readonly scoring?: 'judge_llm';
}

export interface PluginContext {
  readonly seed: number;
  readonly model: string;
  readonly engine: string;
  readonly endpointType: 'chat' | 'completions';
  readonly datasetId?: string;
  readonly datasetPath?: string;
  readonly tokenizerPath?: string;
  readonly maxTokens?: number;
  /** Free-form flags forwarded from the CLI (e.g. prefixTokens, numPrefixes, timeScale). */
  readonly extra: Readonly<Record<string, unknown>>;
}

export interface ValidationResult {
  readonly warnings: readonly string[];
  readonly errors: readonly string[];
}

/** Single-turn workloads: request i is a pure function of (seed, i). */
export interface SingleTurnWorkload {
  readonly kind: 'single-turn';
  readonly datasetId: string;
  /** sha256 of the canonical content in the order used. */
  readonly datasetHash: string;
  readonly size: number;
  request(index: number): RequestSpec;
}

export interface TraceEntry {
  /** Offset from the trace start, ms (before --time-scale). */
  readonly atMs: number;
  readonly request: RequestSpec;
}

export interface TraceWorkload {
  readonly kind: 'trace';
  readonly datasetId: string;
  readonly datasetHash: string;
  readonly entries: readonly TraceEntry[];
  /**
   * The trace's time zero, ms (default: the earliest entry's atMs). A shard's share keeps the whole
   * trace's, so its entries are sent at their own places on the common clock.
   */
  readonly originAtMs?: number;
}

export interface SessionTurn {
  readonly userMessage: string;
  readonly maxTokens: number;
  /** Think time before this turn is sent, ms (0 for the first turn). */
  readonly thinkMs: number;
}

export interface MultiTurnWorkload {
  readonly kind: 'multi-turn';
  readonly datasetId: string;
  readonly datasetHash: string;
  readonly sessions: readonly (readonly SessionTurn[])[];
}

export type Workload = SingleTurnWorkload | TraceWorkload | MultiTurnWorkload;

export interface BenchPlugin {
  readonly id: string;
  /** semver; recorded as the envelope's suite_version. */
  readonly version: string;
  readonly benchmarks: readonly BenchmarkSpec[];
  validate(spec: BenchmarkSpec, context: PluginContext): ValidationResult;
  loadWorkload(spec: BenchmarkSpec, context: PluginContext): Promise<Workload>;
}
