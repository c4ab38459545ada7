// The flag table of `bench run`: one row per flag. From it come the commander options
// (commands/run.ts), the value checks of the parse (options.ts), driver_options (point.ts), the
// flags the trials parent sets for each child (trials.ts) and the defaults replay starts from.
// Adding a flag = adding a row here (plus, if it changes behaviour, reading it where it matters).
import { UsageError } from '../errors.js';
import { DEFAULTS } from './defaults.js';

/** --dev-key's help (bench run, replay, profile): without it, which key signs. */
export const DEV_KEY_HELP =
  'ed25519 signing key for --signing-mode dev (default: ./cosign.key if it exists, else your per-user key, created on first use)';

/** A numeric range: checked at parse time (exit 2), documented in --help's table and docs/commands.md. */
export interface NumberRange {
  readonly min: number;
  readonly max: number;
  /** min itself is not allowed (e.g. duration > 0). */
  readonly minExclusive?: boolean;
  readonly integer?: boolean;
  /** How the error names the rule, e.g. "a positive number of seconds". */
  readonly rule: string;
}

export interface FlagRow {
  /** Long name without dashes, e.g. "gate-timeout". */
  readonly name: string;
  /** Argument placeholder ("<seconds>"); absent for a boolean switch. */
  readonly arg?: string;
  /** One line. */
  readonly help: string;
  /** Commander default (as the user would type it; shown in --help). */
  readonly default?: string;
  /** `--no-<name>` switch (default true). */
  readonly negatable?: boolean;
  readonly choices?: readonly string[];
  /** Numeric value (or each element of a comma-separated list). */
  readonly range?: NumberRange;
  readonly list?: boolean;
  /** Where the value lands in RunConfig ("durationS", "gate.timeoutS", "extra.thinkMs"). */
  readonly configKey?: string;
  /** Where it is recorded in driver_options ("duration_s", "gate.timeout_s"); absent: not recorded. */
  readonly driverKey?: string;
  /** The trials parent sets this flag itself for every child (and strips the user's). */
  readonly setByTrialsParent?: boolean;
}

/** Node's timers hold at most 2^31−1 ms (24.8 days): every duration is capped below that. */
export const MAX_SECONDS = 24 * 24 * 3600;
export const MAX_CONCURRENCY = 100_000;
export const MAX_RPS = 1_000_000;
const MAX_TOKENS = 10_000_000;

const seconds = (rule: string, minExclusive: boolean): NumberRange => ({
  min: 0,
  max: MAX_SECONDS,
  minExclusive,
  rule,
});
const positiveSeconds = seconds('a positive number of seconds', true);
const nonNegativeSeconds = seconds('a non-negative number of seconds', false);
const positiveInt = (max: number): NumberRange => ({
  min: 1,
  max,
  integer: true,
  rule: 'a positive integer',
});
const nonNegativeInt = (max: number, rule = 'a non-negative integer'): NumberRange => ({
  min: 0,
  max,
  integer: true,
  rule,
});

export const RUN_FLAGS: readonly FlagRow[] = [
  {
    name: 'model',
    arg: '<id>',
    help: "provider-prefixed model id (default: the endpoint's first model; embedded: Llama-3.1-8B)",
    configKey: 'model',
  },
  {
    name: 'engine',
    arg: '<name>',
    help: 'inference engine recorded on the envelope (vllm, sglang, trtllm, llama.cpp, …)',
    default: DEFAULTS.engine,
    configKey: 'engine',
  },
  {
    name: 'hardware',
    arg: '<class>',
    help: 'hardware class (SLO scaling; the embedded engine simulates it)',
    default: DEFAULTS.hardware,
    configKey: 'hardware',
  },
  {
    name: 'quant',
    arg: '<format>',
    help: 'quantization format: fp16, bf16, fp8, nvfp4, awq-int4',
    default: DEFAULTS.quant,
    configKey: 'quant',
  },
  {
    name: 'concurrency',
    arg: '<n[,n…]>',
    help: 'closed-loop concurrency (single point uses the first level)',
    range: positiveInt(MAX_CONCURRENCY),
    list: true,
  },
  {
    name: 'rps',
    arg: '<rate>',
    help: 'open-loop arrival rate in req/s (switches to the open-loop driver)',
    range: { min: 0, max: MAX_RPS, rule: 'a non-negative rate in req/s' },
  },
  {
    name: 'arrival',
    arg: '<process>',
    help: 'open-loop arrival process',
    choices: ['poisson', 'gamma', 'constant'],
    configKey: 'arrival',
  },
  {
    name: 'burstiness',
    arg: '<shape>',
    help: 'gamma shape for --arrival gamma (<1 burstier, >1 smoother)',
    range: { min: 0, max: 1000, minExclusive: true, rule: 'a positive gamma shape' },
    configKey: 'burstiness',
  },
  {
    name: 'max-concurrency',
    arg: '<n>',
    help: 'open loop: cap on requests in flight (waiting shows as queue delay)',
    range: positiveInt(MAX_CONCURRENCY),
    configKey: 'maxConcurrency',
    driverKey: 'max_concurrency',
  },
  {
    name: 'sweep',
    arg: '<list>',
    help: 'closed-loop concurrency points, one envelope each (e.g. 1,4,16,64)',
    range: { ...positiveInt(MAX_CONCURRENCY), rule: 'positive integers' },
    list: true,
  },
  {
    name: 'rps-sweep',
    arg: '<list>',
    help: 'open-loop rate points, one envelope each (e.g. 0.5,1,2,4)',
    range: { min: 0, max: MAX_RPS, minExclusive: true, rule: 'positive rates' },
    list: true,
  },
  { name: 'all-benchmarks', help: 'run every benchmark the plugin ships', configKey: 'allBenchmarks' },
  { name: 'list', help: "print the plugin's benchmark ids and exit", configKey: 'list' },
  {
    name: 'dataset',
    arg: '<id>',
    help: "dataset id override (default: the benchmark's)",
    configKey: 'datasetId',
  },
  {
    name: 'dataset-path',
    arg: '<path>',
    help: 'dataset file (sharegpt-v3, custom, trace)',
    configKey: 'datasetPath',
    driverKey: 'dataset_path',
  },
  {
    name: 'tokenizer',
    arg: '<path>',
    help: 'tokenizer.json for client-side token counts and exact-length prompts',
    configKey: 'tokenizerPath',
    driverKey: 'tokenizer',
  },
  {
    name: 'duration',
    arg: '<seconds>',
    help: 'measurement duration per point',
    default: String(DEFAULTS.durationS),
    range: positiveSeconds,
    configKey: 'durationS',
    driverKey: 'duration_s',
  },
  {
    name: 'num-requests',
    arg: '<n>',
    help: 'stop each point after n measured requests instead of --duration',
    range: positiveInt(1_000_000_000),
    configKey: 'numRequests',
    driverKey: 'num_requests',
  },
  {
    name: 'max-tokens',
    arg: '<n>',
    help: "max output tokens per request (default: the benchmark's)",
    range: positiveInt(MAX_TOKENS),
    configKey: 'maxTokens',
    driverKey: 'max_tokens',
  },
  {
    name: 'endpoint-type',
    arg: '<type>',
    help: 'OpenAI API to stream',
    choices: ['chat', 'completions'],
    configKey: 'endpointType',
    driverKey: 'endpoint_type',
  },
  {
    name: 'api-key-env',
    arg: '<name>',
    help: 'environment variable holding the API key',
    default: DEFAULTS.apiKeyEnv,
    configKey: 'apiKeyEnv',
  },
  {
    name: 'seed',
    arg: '<n>',
    help: 'random seed (requests, arrivals, bootstrap)',
    default: String(DEFAULTS.seed),
    range: nonNegativeInt(Number.MAX_SAFE_INTEGER),
    configKey: 'seed',
    setByTrialsParent: true,
  },
  {
    name: 'base-url',
    arg: '<url>',
    help: 'engine base URL, e.g. http://localhost:8000/v1 (default: embedded engine)',
    configKey: 'baseUrl',
  },
  {
    name: 'metrics-url',
    arg: '<url>',
    help: 'Prometheus /metrics of the engine (default: derived from --base-url)',
    configKey: 'metricsUrl',
  },
  {
    name: 'dcgm-url',
    arg: '<url>',
    help: 'DCGM exporter /metrics as the GPU source when the GPU is on another host',
    configKey: 'dcgmUrl',
  },
  {
    name: 'output',
    arg: '<dir>',
    help: 'directory for the signed envelope(s)',
    default: DEFAULTS.outputDir,
    configKey: 'outputDir',
    setByTrialsParent: true,
  },
  {
    name: 'slo-template',
    arg: '<id|path>',
    help: 'SLO template id or YAML file',
    default: DEFAULTS.sloTemplate,
    configKey: 'sloTemplate',
  },
  {
    name: 'signing-mode',
    arg: '<mode>',
    help: 'envelope signing',
    default: DEFAULTS.signingMode,
    choices: ['dev', 'keyless'],
    configKey: 'signingMode',
  },
  {
    name: 'dev-key',
    arg: '<path>',
    help: DEV_KEY_HELP,
    configKey: 'devKeyPath',
  },
  { name: 'strict', help: 'treat plugin validation warnings as fatal', configKey: 'strict' },
  {
    name: 'warmup',
    arg: '<n>',
    help: 'requests discarded at the start of every point',
    default: String(DEFAULTS.warmupRequests),
    range: nonNegativeInt(1_000_000),
    configKey: 'warmupRequests',
    driverKey: 'warmup_requests',
  },
  {
    name: 'gate',
    negatable: true,
    help: 'skip the convergence gate',
    configKey: 'gate.enabled',
    driverKey: 'gate.enabled',
  },
  {
    name: 'gate-cov',
    arg: '<fraction>',
    help: 'convergence gate: CoV target of per-request output token rate',
    default: String(DEFAULTS.gate.targetCov),
    range: { min: 0, max: 1, minExclusive: true, rule: 'a fraction in (0, 1)' },
    configKey: 'gate.targetCov',
    driverKey: 'gate.target_cov',
  },
  {
    name: 'gate-window',
    arg: '<n>',
    help: 'convergence gate: completed requests in the CoV window',
    default: String(DEFAULTS.gate.window),
    range: { min: 2, max: 1_000_000, integer: true, rule: 'an integer ≥ 2' },
    configKey: 'gate.window',
    driverKey: 'gate.window',
  },
  {
    name: 'gate-timeout',
    arg: '<seconds>',
    help: 'measure anyway (flagged) if the gate has not converged by then',
    default: String(DEFAULTS.gate.timeoutS),
    range: nonNegativeSeconds,
    configKey: 'gate.timeoutS',
    driverKey: 'gate.timeout_s',
  },
  {
    name: 'ramp',
    arg: '<seconds>',
    help: 'ramp concurrency or rate up over this long (excluded from the window)',
    range: nonNegativeSeconds,
    configKey: 'rampS',
    driverKey: 'ramp_s',
  },
  {
    name: 'trials',
    arg: '<n>',
    help: 'repeat each point in fresh processes with seeds seed..seed+n-1',
    default: '1',
    range: positiveInt(1000),
    configKey: 'trials',
    setByTrialsParent: true,
  },
  {
    name: 'tui',
    negatable: true,
    help: 'headless: progress lines on stderr, results on stdout',
    configKey: 'tui',
    setByTrialsParent: true,
  },
  {
    name: 'report',
    arg: '<format>',
    help: "also write a self-contained page of the run's envelopes: html → <output>/report.html",
    choices: ['html'],
    configKey: 'report',
    setByTrialsParent: true,
  },
  {
    name: 'json',
    help: 'print the result (envelope paths + metrics) as JSON on stdout',
    configKey: 'json',
    setByTrialsParent: true,
  },
  {
    name: 'detach',
    help: 'run in the background; follow it with bench watch <output>',
    configKey: 'detach',
    setByTrialsParent: true,
  },
  {
    name: 'workers',
    arg: '<n>',
    help: 'load-generation worker threads, each with its own pool and event loop (0 = none; default: automatic)',
    range: nonNegativeInt(1024),
    configKey: 'workers',
  },
  {
    name: 'request-timeout',
    arg: '<seconds>',
    help: 'overall deadline per request',
    default: String(DEFAULTS.requestTimeoutS),
    range: positiveSeconds,
    configKey: 'requestTimeoutS',
  },
  {
    name: 'max-event-bytes',
    arg: '<bytes>',
    help: 'largest SSE event accepted; a longer one fails its request with event_too_large',
    default: String(DEFAULTS.maxEventBytes),
    range: { min: 1024, max: 256 * 1024 * 1024, integer: true, rule: 'an integer from 1024 to 268435456' },
    configKey: 'maxEventBytes',
  },
  {
    name: 'idle-timeout',
    arg: '<seconds>',
    help: 'a stream with no bytes for this long is a stall',
    default: String(DEFAULTS.idleTimeoutS),
    range: positiveSeconds,
    configKey: 'idleTimeoutS',
  },
  {
    name: 'drain-grace',
    arg: '<seconds>',
    help: 'how long in-flight requests may finish after a point ends',
    default: String(DEFAULTS.drainGraceS),
    range: nonNegativeSeconds,
    configKey: 'drainGraceS',
  },
  {
    name: 'time-scale',
    arg: '<factor>',
    help: 'trace workloads: multiply inter-arrival times',
    range: { min: 0, max: 1e6, minExclusive: true, rule: 'a positive number' },
    configKey: 'extra.timeScale',
  },
  {
    name: 'prefix-tokens',
    arg: '<n>',
    help: 'synthetic: shared-prefix length in tokens',
    range: nonNegativeInt(MAX_TOKENS),
    configKey: 'extra.prefixTokens',
  },
  {
    name: 'num-prefixes',
    arg: '<n>',
    help: 'synthetic: number of shared prefixes',
    range: positiveInt(1_000_000),
    configKey: 'extra.numPrefixes',
  },
  {
    name: 'input-tokens',
    arg: '<dist>',
    help: 'synthetic/long-context: input length (fixed:N, uniform:A,B, normal:MEAN,SD[,MIN,MAX], hist:PATH)',
    configKey: 'extra.inputTokens',
  },
  {
    name: 'output-tokens',
    arg: '<dist>',
    help: 'synthetic/trace: output length distribution (as --input-tokens)',
    configKey: 'extra.outputTokens',
  },
  {
    name: 'num-prompts',
    arg: '<n>',
    range: positiveInt(10_000_000),
    help: 'synthetic/long-context: distinct prompts before fresh ones are generated',
    configKey: 'extra.numPrompts',
  },
  {
    name: 'num-sessions',
    arg: '<n>',
    range: positiveInt(1_000_000),
    help: 'multi-turn: sessions in the pool',
    configKey: 'extra.numSessions',
  },
  {
    name: 'turns',
    arg: '<dist>',
    help: 'multi-turn: turns per session (default: uniform:2,5)',
    configKey: 'extra.turnsPerSession',
  },
  {
    name: 'think-ms',
    arg: '<dist>',
    help: 'multi-turn: think time between turns (default: uniform:200,1000)',
    configKey: 'extra.thinkMs',
  },
  {
    name: 'max-turns',
    arg: '<n>',
    range: positiveInt(10_000),
    help: 'multi-turn: cap on turns per session',
    configKey: 'extra.maxTurns',
  },
  {
    name: 'block-tokens',
    arg: '<n>',
    range: positiveInt(1_000_000),
    help: 'trace: tokens per hash_id block',
    configKey: 'extra.blockTokens',
  },
  {
    name: 'ignore-eos',
    help: 'ask the server for exactly the output length (ignore_eos + min_tokens)',
    configKey: 'extra.ignoreEos',
  },
  {
    name: 'max-model-len',
    arg: '<n>',
    range: positiveInt(100_000_000),
    help: "model context length for validation (default: the catalog's)",
    configKey: 'extra.maxModelLen',
  },
  {
    name: 'prices-file',
    arg: '<path>',
    help: "token prices (YAML/JSON in LiteLLM's model_prices shape) for cost_usd_per_million_tokens; checked before any request",
    configKey: 'extra.pricesFile',
  },
  {
    name: 'gpu-hour-usd',
    arg: '<usd>',
    help: 'self-hosted cost: $ per GPU-hour (× GPUs ÷ measured throughput)',
    range: { min: 0, max: 1_000_000, rule: 'a non-negative number of dollars' },
    configKey: 'analysis.gpuHourUsd',
  },
  {
    name: 'ceilings',
    arg: '<file>',
    help: 'speed-of-light ceilings by key path, laid over the shipped ones (%SoL)',
    configKey: 'analysis.ceilingsPath',
  },
  {
    name: 'model-bytes',
    arg: '<bytes>',
    help: 'model weight bytes for %SoL when the catalog does not know the model',
    range: { min: 0, max: 1e16, minExclusive: true, rule: 'a positive number of bytes' },
    configKey: 'analysis.modelBytes',
  },
  {
    name: 'judge-model',
    arg: '<id>',
    help: 'LLM-as-judge model id (specs with scoring: judge_llm; ignored with a warning otherwise)',
    configKey: 'extra.judgeModel',
  },
  {
    name: 'judge-base-url',
    arg: '<url>',
    help: "the judge's OpenAI-compatible base URL (default: the run's base URL)",
    configKey: 'extra.judgeBaseUrl',
  },
  {
    name: 'judge-max-questions',
    arg: '<n>',
    help: 'cap on judged questions (0 = all); only the judged ones count in the accuracy',
    range: nonNegativeInt(MAX_TOKENS, 'an integer ≥ 0'),
    configKey: 'extra.judgeMaxQuestions',
  },
  {
    name: 'cancel-rate',
    arg: '<fraction>',
    help: 'abort this seeded fraction of requests mid-stream (counted as cancelled, never as errors)',
    range: { min: 0, max: 1, rule: 'a fraction in [0, 1]' },
    configKey: 'cancel.rate',
    driverKey: 'cancel_rate',
  },
  {
    name: 'cancel-after-ms',
    arg: '<ms>',
    help: 'with --cancel-rate: abort this long after sending (default: 500)',
    range: { min: 0, max: MAX_SECONDS * 1000, rule: 'a non-negative number of milliseconds' },
    configKey: 'cancel.afterMs',
    driverKey: 'cancel_after_ms',
  },
  {
    name: 'sim-timing',
    arg: '<mode>',
    help: 'embedded engine timing: sim (GPU model), fixed, nodelay',
    choices: ['sim', 'fixed', 'nodelay'],
    configKey: 'simTiming',
  },
  {
    name: 'sim-fault-rate',
    arg: '<p>',
    help: 'embedded engine: probability of an injected fault per request',
    range: { min: 0, max: 1, rule: 'a probability in [0, 1]' },
    configKey: 'simFaultRate',
  },
  // Sharded runs (docs/scale-out.md): parsed together by app/shard/options.ts.
  {
    name: 'shard',
    arg: '<i/N>',
    help: 'run shard i of N of a sharded run: 1/N of the load and its share of the workload',
  },
  {
    name: 'coordinator',
    arg: '<url>',
    help: 'sharded run: the coordinator (start barrier, clock exchange, results), e.g. http://bench-coordinator:7400',
  },
  {
    name: 'run-id',
    arg: '<uuid>',
    help: 'sharded run: the run id (UUIDv7) every shard shares',
  },
];

/** "gate-timeout" → "gateTimeout" (commander's attribute name). */
export function attributeOf(name: string): string {
  return name.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
}

const byName = new Map(RUN_FLAGS.map((row) => [row.name, row]));

export function flagRow(name: string): FlagRow {
  const row = byName.get(name);
  if (row === undefined) throw new Error(`no flag --${name} in the run flag table`);
  return row;
}

/** Is `value` a finite number inside the row's range (an integer where the row says so)? */
export function inRange(range: NumberRange, value: number): boolean {
  if (!Number.isFinite(value)) return false;
  if (range.integer && !Number.isSafeInteger(value)) return false;
  return (range.minExclusive ? value > range.min : value >= range.min) && value <= range.max;
}

function rangeText(range: NumberRange): string {
  return `${range.rule}, at most ${range.max}`;
}

/** Parses one numeric value of flag `name`; bad input is a UsageError (exit 2) naming the rule. */
export function parseNumber(name: string, raw: string): number {
  const range = flagRow(name).range;
  if (range === undefined) throw new Error(`--${name} is not numeric`);
  const trimmed = raw.trim();
  const value = trimmed === '' ? Number.NaN : Number(trimmed);
  if (!inRange(range, value)) {
    throw new UsageError(`--${name} must be ${rangeText(range)} (got "${raw}")`);
  }
  return value;
}

/** A comma-separated list of numbers, each in the flag's range. */
export function parseNumberList(name: string, raw: string): number[] {
  const parts = raw.split(',').map((s) => s.trim());
  if (parts.length === 0 || parts.some((p) => p === ''))
    throw new UsageError(`--${name} must be a comma-separated list (got "${raw}")`);
  return parts.map((p) => parseNumber(name, p));
}

/** One of the row's choices; bad input is a UsageError (exit 2). */
export function parseChoice<T extends string>(name: string, raw: string): T {
  const choices = flagRow(name).choices ?? [];
  if (!choices.includes(raw))
    throw new UsageError(`--${name} must be one of ${choices.join(', ')} (got "${raw}")`);
  return raw as T;
}

/** Names of the flags the trials parent sets for each child: [flags that take a value, switches]. */
export function trialsParentFlags(): { withValue: Set<string>; alone: Set<string> } {
  const withValue = new Set<string>();
  const alone = new Set<string>();
  for (const row of RUN_FLAGS) {
    if (!row.setByTrialsParent) continue;
    if (row.arg !== undefined) withValue.add(`--${row.name}`);
    else alone.add(row.negatable ? `--no-${row.name}` : `--${row.name}`);
  }
  return { withValue, alone };
}

function getPath(source: unknown, path: string): unknown {
  let value: unknown = source;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (next === null || typeof next !== 'object') node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1] ?? ''] = value;
}

/** driver_options entries of the flags that have a driverKey, read from the config. */
export function driverOptionsFromTable(config: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const row of RUN_FLAGS) {
    if (row.driverKey === undefined || row.configKey === undefined) continue;
    const value = getPath(config, row.configKey);
    setPath(out, row.driverKey, value === undefined ? null : value);
  }
  return out;
}
