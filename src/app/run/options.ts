// `bench run` flags → a validated RunConfig, driven by the flag table (flags.ts). Pure: no I/O,
// so every rule is table-tested.
import { UsageError } from '../errors.js';
import { parseShardFlags, type ShardRunConfig } from '../shard/options.js';
import { DEFAULTS } from './defaults.js';
import { attributeOf, parseChoice, parseNumber, parseNumberList, RUN_FLAGS, type FlagRow } from './flags.js';

export type EndpointTypeFlag = 'chat' | 'completions';
export type ArrivalFlag = 'poisson' | 'gamma' | 'constant';
export type SigningModeFlag = 'dev' | 'keyless';

/**
 * Raw commander output, keyed by attribute name ("gateTimeout"): strings where the user typed
 * strings, booleans for switches. Which keys exist is the flag table's business (flags.ts).
 */
export type RawRunFlags = Readonly<Record<string, string | boolean | undefined>>;

export interface SweepPoint {
  readonly mode: 'closed' | 'open' | 'trace';
  /** closed: concurrency; open: requests per second; trace: the time scale. */
  readonly value: number;
  /** File-name prefix: "c16-", "r2.5-", or "" for a single point. */
  readonly prefix: string;
  readonly label: string;
}

export interface RunConfig {
  readonly suiteId: string;
  readonly model: string;
  readonly engine: string;
  readonly hardware: string;
  readonly quant: string;
  readonly points: readonly SweepPoint[];
  readonly isSweep: boolean;
  /** Flags that were given but overridden by others: one warning each (printed and recorded). */
  readonly flagWarnings?: readonly string[];
  /** Flag names (no dashes) the user typed; absent values are the table's defaults. */
  readonly flagsGiven?: readonly string[];
  /** --concurrency was given (an open-loop benchmark then runs closed-loop: warned). */
  readonly concurrencyGiven?: boolean;
  readonly arrival: ArrivalFlag;
  readonly burstiness: number;
  readonly maxConcurrency: number | null;
  readonly allBenchmarks: boolean;
  readonly list: boolean;
  readonly datasetId: string | null;
  readonly datasetPath: string | null;
  readonly tokenizerPath: string | null;
  readonly durationS: number;
  readonly numRequests: number | null;
  readonly maxTokens: number | null;
  readonly endpointType: EndpointTypeFlag;
  readonly apiKeyEnv: string;
  readonly seed: number;
  /** Normalised to end in /v1; null = start the embedded engine. */
  readonly baseUrl: string | null;
  readonly metricsUrl: string | null;
  readonly dcgmUrl: string | null;
  readonly outputDir: string;
  readonly sloTemplate: string;
  readonly signingMode: SigningModeFlag;
  readonly devKeyPath: string;
  readonly strict: boolean;
  readonly warmupRequests: number;
  readonly gate: {
    readonly enabled: boolean;
    readonly targetCov: number;
    readonly window: number;
    readonly timeoutS: number;
  };
  readonly rampS: number;
  readonly trials: number;
  readonly tui: boolean;
  readonly json: boolean;
  /** --report html: also write <outputDir>/report.html for this run's envelopes (commands/run.ts). */
  readonly report: 'html' | null;
  readonly detach: boolean;
  readonly requestTimeoutS: number;
  readonly idleTimeoutS: number;
  readonly maxEventBytes: number;
  readonly drainGraceS: number;
  readonly simTiming: 'sim' | 'fixed' | 'nodelay';
  readonly simFaultRate: number;
  /** Load-generation worker threads; null = automatic (free cores and expected event rate), 0 = none. */
  readonly workers: number | null;
  /** Plugin-specific flags forwarded to the workload (recorded in driver_options too). */
  readonly extra: Readonly<Record<string, string | number>>;
  /** Cost and %SoL inputs (docs/metrics.md). */
  readonly analysis: {
    readonly gpuHourUsd: number | null;
    readonly ceilingsPath: string | null;
    readonly modelBytes: number | null;
  };
  /** --cancel-rate / --cancel-after-ms (rate 0 = off). */
  readonly cancel: { readonly rate: number; readonly afterMs: number };
  /** `--shard i/N --coordinator URL --run-id UUID`: this process is one shard of a sharded run. */
  readonly shard: ShardRunConfig | null;
}

/** @deprecated kept for callers of the old name: see DEFAULTS in defaults.ts. */
export const RUN_DEFAULTS = DEFAULTS;

function fail(message: string): never {
  throw new UsageError(message);
}

/** Accepts http(s)://host[:port][/path]; returns the URL ending in /v1 (OpenAI base). */
export function normaliseBaseUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    fail(`--base-url is not a valid URL: "${raw}" (expected e.g. http://localhost:8000/v1)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    fail(`--base-url must be http:// or https:// (got "${url.protocol}")`);
  if (url.search || url.hash) fail('--base-url must not contain a query string or fragment');
  let path = url.pathname.replace(/\/+$/, '');
  if (!path.endsWith('/v1')) path = `${path}/v1`;
  return `${url.protocol}//${url.host}${path}`;
}

function formatRps(rps: number): string {
  return String(Number(rps.toPrecision(6)));
}

export function closedPoint(concurrency: number, inSweep: boolean): SweepPoint {
  return {
    mode: 'closed',
    value: concurrency,
    prefix: inSweep ? `c${concurrency}-` : '',
    label: `c${concurrency}`,
  };
}

export function openPoint(rps: number, inSweep: boolean): SweepPoint {
  const text = formatRps(rps);
  return { mode: 'open', value: rps, prefix: inSweep ? `r${text}-` : '', label: `r${text}` };
}

/** The RunConfig of `bench run` with no flags: the table's defaults, one closed point at c = 1. */
export function defaultRunConfig(suiteId: string = DEFAULTS.suiteId): RunConfig {
  return {
    suiteId,
    model: '',
    engine: DEFAULTS.engine,
    hardware: DEFAULTS.hardware,
    quant: DEFAULTS.quant,
    points: [closedPoint(1, false)],
    isSweep: false,
    arrival: 'poisson',
    burstiness: 1,
    maxConcurrency: null,
    allBenchmarks: false,
    list: false,
    datasetId: null,
    datasetPath: null,
    tokenizerPath: null,
    durationS: DEFAULTS.durationS,
    numRequests: null,
    maxTokens: null,
    endpointType: 'chat',
    apiKeyEnv: DEFAULTS.apiKeyEnv,
    seed: DEFAULTS.seed,
    baseUrl: null,
    metricsUrl: null,
    dcgmUrl: null,
    outputDir: DEFAULTS.outputDir,
    sloTemplate: DEFAULTS.sloTemplate,
    signingMode: DEFAULTS.signingMode,
    devKeyPath: DEFAULTS.devKeyPath,
    strict: false,
    warmupRequests: DEFAULTS.warmupRequests,
    gate: { ...DEFAULTS.gate },
    rampS: 0,
    trials: 1,
    tui: true,
    json: false,
    report: null,
    detach: false,
    requestTimeoutS: DEFAULTS.requestTimeoutS,
    idleTimeoutS: DEFAULTS.idleTimeoutS,
    maxEventBytes: DEFAULTS.maxEventBytes,
    drainGraceS: DEFAULTS.drainGraceS,
    simTiming: 'sim',
    simFaultRate: 0,
    workers: null,
    extra: {},
    analysis: { gpuHourUsd: null, ceilingsPath: null, modelBytes: null },
    cancel: { rate: 0, afterMs: 500 },
    shard: null,
  };
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    node[key] = next !== null && typeof next === 'object' ? { ...next } : {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1] ?? ''] = value;
}

/** The value of one table row from the raw flags; undefined when the user did not give it. */
function rowValue(row: FlagRow, raw: RawRunFlags): unknown {
  const value = raw[attributeOf(row.name)];
  if (value === undefined || value === '') return undefined;
  if (row.arg === undefined) {
    // A plugin switch is recorded as 1 when set; a core switch is a boolean.
    if (row.configKey?.startsWith('extra.')) return value === true ? 1 : undefined;
    return value === true;
  }
  if (typeof value !== 'string') return undefined;
  if (row.range !== undefined && !row.list) return parseNumber(row.name, value);
  if (row.choices !== undefined) return parseChoice(row.name, value);
  return value;
}

export function parseRunFlags(
  suiteId: string | undefined,
  raw: RawRunFlags,
  flagsGiven: readonly string[] = [],
): RunConfig {
  const has = (attribute: string): boolean => raw[attribute] !== undefined && raw[attribute] !== '';
  const text = (attribute: string): string => {
    const value = raw[attribute];
    return typeof value === 'string' ? value : '';
  };
  if (has('sweep') && raw.concurrency !== undefined) fail('--sweep and --concurrency are mutually exclusive');
  if (has('sweep') && has('rpsSweep')) fail('--sweep and --rps-sweep are mutually exclusive');
  if (has('rpsSweep') && raw.rps !== undefined) fail('--rps-sweep and --rps are mutually exclusive');
  if (raw.allBenchmarks === true && raw.list === true)
    fail('--all-benchmarks and --list are mutually exclusive');
  if (raw.allBenchmarks === true && (has('sweep') || has('rpsSweep')))
    fail('--all-benchmarks is mutually exclusive with --sweep and --rps-sweep');

  // Every row with a config key: checked against its range/choices, written where it belongs.
  const draft = defaultRunConfig(suiteId ?? DEFAULTS.suiteId) as unknown as Record<string, unknown>;
  for (const row of RUN_FLAGS) {
    if (row.configKey === undefined) continue;
    const value = rowValue(row, raw);
    if (value !== undefined) setPath(draft, row.configKey, value);
  }
  const config = draft as unknown as RunConfig;

  // The load points: --sweep / --rps-sweep / --rps / --concurrency (first level).
  let points: SweepPoint[];
  const rps = has('rps') ? parseNumber('rps', text('rps')) : 0;
  if (has('sweep')) points = parseNumberList('sweep', text('sweep')).map((c) => closedPoint(c, true));
  else if (has('rpsSweep'))
    points = parseNumberList('rps-sweep', text('rpsSweep')).map((r) => openPoint(r, true));
  else if (rps > 0) points = [openPoint(rps, false)];
  else {
    // Seed 001: --concurrency takes comma-separated levels; a single-point run uses the first.
    const levels = parseNumberList('concurrency', has('concurrency') ? text('concurrency') : '1');
    points = [closedPoint(levels[0] ?? 1, false)];
  }
  const flagWarnings: string[] = [];
  if (has('sweep') && has('rps'))
    flagWarnings.push(
      `--rps ${text('rps')} is ignored: --sweep ${text('sweep')} runs closed-loop concurrency points (use --rps-sweep for rates)`,
    );
  if (has('concurrency') && (has('rps') || has('rpsSweep')))
    flagWarnings.push(`--concurrency ${text('concurrency')} is ignored: the open-loop rate sets the load`);
  const shard = parseShardFlags({
    ...(has('shard') ? { shard: text('shard') } : {}),
    ...(has('coordinator') ? { coordinator: text('coordinator') } : {}),
    ...(has('runId') ? { runId: text('runId') } : {}),
  });
  if (shard !== null) {
    // One point, one process, one shared endpoint: what the merge can put back together.
    if (has('sweep') || has('rpsSweep') || raw.allBenchmarks === true)
      fail('--shard runs one point: leave out --sweep, --rps-sweep and --all-benchmarks');
    if (config.trials > 1) fail('--shard and --trials are mutually exclusive');
    if (raw.detach === true) fail('--shard and --detach are mutually exclusive');
    if (!config.baseUrl) fail('--shard needs --base-url: every shard drives the same endpoint');
  }
  return {
    ...config,
    points,
    flagWarnings,
    flagsGiven,
    concurrencyGiven: has('concurrency') && !has('rps') && !has('rpsSweep'),
    isSweep: has('sweep') || has('rpsSweep'),
    baseUrl: config.baseUrl ? normaliseBaseUrl(config.baseUrl) : null,
    shard,
  };
}
