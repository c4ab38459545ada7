// `bench run` flags → a validated RunConfig. Pure: no I/O, so every rule is table-tested.
import { UsageError } from '../errors.js';

export type EndpointTypeFlag = 'chat' | 'completions';
export type ArrivalFlag = 'poisson' | 'gamma' | 'constant';
export type SigningModeFlag = 'dev' | 'keyless';

/** Raw commander output (strings where the user typed strings). */
export interface RawRunFlags {
  readonly model?: string;
  readonly engine?: string;
  readonly hardware?: string;
  readonly quant?: string;
  readonly concurrency?: string;
  readonly rps?: string;
  readonly arrival?: string;
  readonly burstiness?: string;
  readonly maxConcurrency?: string;
  readonly sweep?: string;
  readonly rpsSweep?: string;
  readonly allBenchmarks?: boolean;
  readonly list?: boolean;
  readonly dataset?: string;
  readonly datasetPath?: string;
  readonly tokenizer?: string;
  readonly duration?: string;
  readonly numRequests?: string;
  readonly maxTokens?: string;
  readonly endpointType?: string;
  readonly apiKeyEnv?: string;
  readonly seed?: string;
  readonly baseUrl?: string;
  readonly metricsUrl?: string;
  readonly dcgmUrl?: string;
  readonly output?: string;
  readonly sloTemplate?: string;
  readonly signingMode?: string;
  readonly devKey?: string;
  readonly strict?: boolean;
  readonly warmup?: string;
  readonly gate?: boolean;
  readonly gateCov?: string;
  readonly gateWindow?: string;
  readonly gateTimeout?: string;
  readonly ramp?: string;
  readonly trials?: string;
  readonly tui?: boolean;
  readonly json?: boolean;
  readonly detach?: boolean;
  readonly requestTimeout?: string;
  readonly idleTimeout?: string;
  readonly drainGrace?: string;
  readonly pricesFile?: string;
  readonly judgeModel?: string;
  readonly judgeMaxQuestions?: string;
  readonly timeScale?: string;
  readonly prefixTokens?: string;
  readonly numPrefixes?: string;
  readonly simTiming?: string;
  readonly simFaultRate?: string;
  readonly inputTokens?: string;
  readonly outputTokens?: string;
  readonly numPrompts?: string;
  readonly numSessions?: string;
  readonly turns?: string;
  readonly thinkMs?: string;
  readonly maxTurns?: string;
  readonly blockTokens?: string;
  readonly ignoreEos?: boolean;
  readonly maxModelLen?: string;
  readonly workers?: string;
}

export interface SweepPoint {
  readonly mode: 'closed' | 'open';
  /** closed: concurrency; open: requests per second. */
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
  readonly detach: boolean;
  readonly requestTimeoutS: number;
  readonly idleTimeoutS: number;
  readonly drainGraceS: number;
  readonly simTiming: 'sim' | 'fixed' | 'nodelay';
  readonly simFaultRate: number;
  /** Load-generation worker threads; null = automatic (free cores and expected event rate), 0 = none. */
  readonly workers: number | null;
  /** Plugin-specific flags forwarded to the workload (recorded in driver_options too). */
  readonly extra: Readonly<Record<string, string | number>>;
}

export const RUN_DEFAULTS = {
  engine: 'vllm',
  hardware: 'h100',
  quant: 'fp16',
  durationS: 300,
  seed: 42,
  outputDir: './results',
  sloTemplate: 'llm.standard',
  devKeyPath: 'cosign.key',
  embeddedModel: 'meta-llama/Llama-3.1-8B-Instruct',
} as const;

function fail(message: string): never {
  throw new UsageError(message);
}

function number(
  flag: string,
  raw: string | undefined,
  fallback: number,
  check: (v: number) => boolean,
  rule: string,
): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || !check(value)) fail(`${flag} must be ${rule} (got "${raw}")`);
  return value;
}

const positiveInt = (v: number): boolean => Number.isInteger(v) && v > 0;
const nonNegativeInt = (v: number): boolean => Number.isInteger(v) && v >= 0;

function list(flag: string, raw: string, check: (v: number) => boolean, rule: string): number[] {
  const parts = raw.split(',').map((s) => s.trim());
  if (parts.length === 0 || parts.some((p) => p === ''))
    fail(`${flag} must be a comma-separated list (got "${raw}")`);
  return parts.map((p) => number(flag, p, Number.NaN, check, rule));
}

function choice<T extends string>(
  flag: string,
  raw: string | undefined,
  allowed: readonly T[],
  fallback: T,
): T {
  if (raw === undefined || raw === '') return fallback;
  if (!(allowed as readonly string[]).includes(raw))
    fail(`${flag} must be one of ${allowed.join(', ')} (got "${raw}")`);
  return raw as T;
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

export function parseRunFlags(suiteId: string | undefined, raw: RawRunFlags): RunConfig {
  if (raw.sweep && raw.concurrency !== undefined) fail('--sweep and --concurrency are mutually exclusive');
  if (raw.sweep && raw.rpsSweep) fail('--sweep and --rps-sweep are mutually exclusive');
  if (raw.rpsSweep && raw.rps !== undefined) fail('--rps-sweep and --rps are mutually exclusive');
  if (raw.allBenchmarks && raw.list) fail('--all-benchmarks and --list are mutually exclusive');
  if (raw.allBenchmarks && (raw.sweep || raw.rpsSweep))
    fail('--all-benchmarks is mutually exclusive with --sweep and --rps-sweep');

  const durationS = number(
    '--duration',
    raw.duration,
    RUN_DEFAULTS.durationS,
    (v) => v > 0,
    'a positive number of seconds',
  );
  const numRequestsRaw = number('--num-requests', raw.numRequests, 0, positiveInt, 'a positive integer');
  const rps = number('--rps', raw.rps, 0, (v) => v >= 0, 'a non-negative rate in req/s');

  let points: SweepPoint[];
  let isSweep = false;
  if (raw.sweep) {
    isSweep = true;
    points = list('--sweep', raw.sweep, positiveInt, 'positive integers').map((c) => ({
      mode: 'closed',
      value: c,
      prefix: `c${c}-`,
      label: `c${c}`,
    }));
  } else if (raw.rpsSweep) {
    isSweep = true;
    points = list('--rps-sweep', raw.rpsSweep, (v) => v > 0, 'positive rates').map((r) => ({
      mode: 'open',
      value: r,
      prefix: `r${formatRps(r)}-`,
      label: `r${formatRps(r)}`,
    }));
  } else if (rps > 0) {
    points = [{ mode: 'open', value: rps, prefix: '', label: `r${formatRps(rps)}` }];
  } else {
    // Seed 001: --concurrency takes comma-separated levels; a single-point run uses the first.
    const levels = list('--concurrency', raw.concurrency ?? '1', positiveInt, 'a positive integer');
    const c = levels[0] ?? 1;
    points = [{ mode: 'closed', value: c, prefix: '', label: `c${c}` }];
  }

  const baseUrl = raw.baseUrl ? normaliseBaseUrl(raw.baseUrl) : null;
  const trials = number('--trials', raw.trials, 1, positiveInt, 'a positive integer');
  const maxConcurrencyRaw = number(
    '--max-concurrency',
    raw.maxConcurrency,
    0,
    positiveInt,
    'a positive integer',
  );

  const extra: Record<string, string | number> = {};
  if (raw.timeScale)
    extra.timeScale = number('--time-scale', raw.timeScale, 1, (v) => v > 0, 'a positive number');
  if (raw.prefixTokens)
    extra.prefixTokens = number(
      '--prefix-tokens',
      raw.prefixTokens,
      0,
      nonNegativeInt,
      'a non-negative integer',
    );
  if (raw.numPrefixes)
    extra.numPrefixes = number('--num-prefixes', raw.numPrefixes, 0, positiveInt, 'a positive integer');
  // Workload flags travel to the plugin as-is (it validates them: distributions, integers).
  const passThrough: [keyof RawRunFlags, string][] = [
    ['inputTokens', 'inputTokens'],
    ['outputTokens', 'outputTokens'],
    ['numPrompts', 'numPrompts'],
    ['numSessions', 'numSessions'],
    ['turns', 'turnsPerSession'],
    ['thinkMs', 'thinkMs'],
    ['maxTurns', 'maxTurns'],
    ['blockTokens', 'blockTokens'],
    ['maxModelLen', 'maxModelLen'],
  ];
  for (const [flag, key] of passThrough) {
    const value = raw[flag];
    if (typeof value === 'string' && value !== '') extra[key] = value;
  }
  if (raw.ignoreEos) extra.ignoreEos = 1;
  if (raw.pricesFile) extra.pricesFile = raw.pricesFile;
  if (raw.judgeModel) extra.judgeModel = raw.judgeModel;
  if (raw.judgeMaxQuestions)
    extra.judgeMaxQuestions = number(
      '--judge-max-questions',
      raw.judgeMaxQuestions,
      0,
      nonNegativeInt,
      'an integer ≥ 0',
    );

  return {
    suiteId: suiteId ?? 'llm.inference',
    model: raw.model ?? '',
    engine: raw.engine || RUN_DEFAULTS.engine,
    hardware: raw.hardware || RUN_DEFAULTS.hardware,
    quant: raw.quant || RUN_DEFAULTS.quant,
    points,
    isSweep,
    arrival: choice('--arrival', raw.arrival, ['poisson', 'gamma', 'constant'] as const, 'poisson'),
    burstiness: number('--burstiness', raw.burstiness, 1, (v) => v > 0, 'a positive gamma shape'),
    maxConcurrency: maxConcurrencyRaw > 0 ? maxConcurrencyRaw : null,
    allBenchmarks: raw.allBenchmarks ?? false,
    list: raw.list ?? false,
    datasetId: raw.dataset || null,
    datasetPath: raw.datasetPath || null,
    tokenizerPath: raw.tokenizer || null,
    durationS,
    numRequests: numRequestsRaw > 0 ? numRequestsRaw : null,
    maxTokens: raw.maxTokens
      ? number('--max-tokens', raw.maxTokens, 0, positiveInt, 'a positive integer')
      : null,
    endpointType: choice('--endpoint-type', raw.endpointType, ['chat', 'completions'] as const, 'chat'),
    apiKeyEnv: raw.apiKeyEnv || 'OPENAI_API_KEY',
    seed: number('--seed', raw.seed, RUN_DEFAULTS.seed, nonNegativeInt, 'a non-negative integer'),
    baseUrl,
    metricsUrl: raw.metricsUrl || null,
    dcgmUrl: raw.dcgmUrl || null,
    outputDir: raw.output || RUN_DEFAULTS.outputDir,
    sloTemplate: raw.sloTemplate || RUN_DEFAULTS.sloTemplate,
    signingMode: choice('--signing-mode', raw.signingMode, ['dev', 'keyless'] as const, 'dev'),
    devKeyPath: raw.devKey || RUN_DEFAULTS.devKeyPath,
    strict: raw.strict ?? false,
    warmupRequests: number('--warmup', raw.warmup, 3, nonNegativeInt, 'a non-negative integer'),
    gate: {
      enabled: raw.gate ?? true,
      targetCov: number('--gate-cov', raw.gateCov, 0.05, (v) => v > 0 && v < 1, 'a fraction in (0, 1)'),
      window: number(
        '--gate-window',
        raw.gateWindow,
        30,
        (v) => Number.isInteger(v) && v >= 2,
        'an integer ≥ 2',
      ),
      timeoutS: number(
        '--gate-timeout',
        raw.gateTimeout,
        60,
        (v) => v >= 0,
        'a non-negative number of seconds',
      ),
    },
    rampS: number('--ramp', raw.ramp, 0, (v) => v >= 0, 'a non-negative number of seconds'),
    trials,
    tui: raw.tui ?? true,
    json: raw.json ?? false,
    detach: raw.detach ?? false,
    requestTimeoutS: number(
      '--request-timeout',
      raw.requestTimeout,
      600,
      (v) => v > 0,
      'a positive number of seconds',
    ),
    idleTimeoutS: number('--idle-timeout', raw.idleTimeout, 30, (v) => v > 0, 'a positive number of seconds'),
    drainGraceS: number(
      '--drain-grace',
      raw.drainGrace,
      30,
      (v) => v >= 0,
      'a non-negative number of seconds',
    ),
    simTiming: choice('--sim-timing', raw.simTiming, ['sim', 'fixed', 'nodelay'] as const, 'sim'),
    workers: raw.workers
      ? number('--workers', raw.workers, 0, nonNegativeInt, 'a non-negative integer')
      : null,
    simFaultRate: number(
      '--sim-fault-rate',
      raw.simFaultRate,
      0,
      (v) => v >= 0 && v <= 1,
      'a probability in [0, 1]',
    ),
    extra,
  };
}
