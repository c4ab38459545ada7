// The full-context descriptor (seed 003 "no bare numbers"): every reported number carries its
// identity, parallelism, serving config, workload shape, regime, stack and grounding. Built from an
// envelope plus what the engine exposes (/metrics info gauges, /version) or flags; unknown fields
// say so instead of being guessed. Points with different shapes keep their own descriptors.
import { getPath, getString } from '../report/envelopeView.js';
import { formatNumber } from '../report/format.js';
import type { SolValue } from './sol.js';

export type Known<T> = T | null;

export interface ContextDescriptor {
  readonly identity: {
    readonly model: string;
    readonly hardware: Known<string>;
    /** The ceilings entry the hardware resolved to (`h100_sxm`). */
    readonly ceilingToken: Known<string>;
    readonly gpuCount: Known<number>;
    readonly quant: Known<string>;
    readonly kvCacheDtype: Known<string>;
  };
  readonly parallelism: {
    readonly tp: Known<number>;
    readonly dp: Known<number>;
    readonly pp: Known<number>;
    readonly ep: Known<number>;
  };
  /** Serving config as the engine reported it (or flags); `source` says which. */
  readonly serving: { readonly values: Readonly<Record<string, string>>; readonly source: string };
  readonly workload: {
    readonly dataset: Known<string>;
    readonly islMean: Known<number>;
    readonly oslMean: Known<number>;
    readonly concurrency: Known<number>;
    readonly rps: Known<number>;
    /** A trace replay: its entries and span (seconds, after the time scale); null otherwise. */
    readonly trace: { readonly entries: number; readonly spanS: number; readonly timeScale: number } | null;
    readonly numPrompts: Known<number>;
  };
  readonly regime: { readonly cache: 'warm' | 'cold' | null; readonly tier: 'latency' | 'throughput' | null };
  readonly stack: {
    readonly engine: string;
    readonly engineVersion: Known<string>;
    readonly tool: string;
    readonly backend: string;
  };
  readonly grounding: {
    readonly sol: Known<string>;
    readonly solKey: Known<string>;
    readonly verdictTier: Known<string>;
    readonly trials: Known<number>;
  };
}

export interface DescriptorExtras {
  /** From the engine's /metrics info gauges (servingConfigFromMetrics) or flags. */
  readonly serving?: { readonly values: Readonly<Record<string, string>>; readonly source: string };
  readonly parallelism?: Partial<ContextDescriptor['parallelism']>;
  readonly hardware?: string;
  readonly ceilingToken?: string;
  /** Closed-loop concurrency when driver_options does not say (e.g. from the c<N> file name). */
  readonly concurrency?: number;
  readonly sol?: SolValue;
}

function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** Labels of vLLM's `vllm:cache_config_info` gauge (block size, KV dtype, prefix caching, memory share). */
export function servingConfigFromMetrics(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^vllm:(cache|model|scheduler|parallel)_config_info\{([^}]*)\}/.exec(line);
    if (!m) continue;
    for (const pair of m[2]!.matchAll(/([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      if (pair[1] !== 'engine') out[pair[1]!] = pair[2]!;
    }
  }
  return out;
}

export function buildDescriptor(envelope: object, extras: DescriptorExtras = {}): ContextDescriptor {
  const gpus = getPath(envelope, 'hardware_fingerprint', 'gpus');
  const gpuModel = Array.isArray(gpus) && gpus.length > 0 ? getString(gpus[0], 'model') : undefined;
  const serving = extras.serving ?? { values: {}, source: 'not exposed' };
  const concurrency = num(getPath(envelope, 'driver_options', 'concurrency')) ?? extras.concurrency ?? null;
  const sol = extras.sol;
  const warm = getPath(envelope, 'run_context', 'warm_start');
  return {
    identity: {
      model: getString(envelope, 'model', 'id') ?? '?',
      hardware: extras.hardware ?? gpuModel ?? getString(envelope, 'metrics', 'slo_hardware_class') ?? null,
      ceilingToken: extras.ceilingToken ?? null,
      gpuCount:
        Array.isArray(gpus) && gpus.length > 0
          ? gpus.length
          : num(getPath(envelope, 'telemetry', 'gpu', 'gpu_count')),
      quant: getString(envelope, 'quantization', 'format') ?? null,
      kvCacheDtype: serving.values.cache_dtype ?? null,
    },
    parallelism: {
      tp: extras.parallelism?.tp ?? num(Number(serving.values.tensor_parallel_size)) ?? null,
      dp: extras.parallelism?.dp ?? num(Number(serving.values.data_parallel_size)) ?? null,
      pp: extras.parallelism?.pp ?? num(Number(serving.values.pipeline_parallel_size)) ?? null,
      ep: extras.parallelism?.ep ?? null,
    },
    serving,
    workload: {
      dataset: getString(envelope, 'dataset', 'id') ?? null,
      islMean: num(getPath(envelope, 'metrics', 'isl_mean')),
      oslMean: num(getPath(envelope, 'metrics', 'osl_mean')),
      concurrency,
      rps: num(getPath(envelope, 'driver_options', 'rps')),
      trace: traceOf(envelope),
      numPrompts: num(getPath(envelope, 'metrics', 'n_requests')),
    },
    regime: {
      cache: warm === true ? 'warm' : warm === false ? 'cold' : null,
      tier: concurrency === null ? null : concurrency <= 1 ? 'latency' : 'throughput',
    },
    stack: {
      engine: getString(envelope, 'engine', 'name') ?? '?',
      engineVersion: getString(envelope, 'engine', 'version') ?? null,
      tool: `${getString(envelope, 'run_context', 'tool', 'name') ?? 'inferencebench'} ${getString(envelope, 'run_context', 'tool', 'version') ?? ''}`.trim(),
      backend: `${getString(envelope, 'run_context', 'endpoint_type') ?? 'chat'} SSE`,
    },
    grounding: {
      sol: sol === undefined ? null : sol.ok ? `${(sol.fraction * 100).toFixed(1)}%` : `n/a (${sol.reason})`,
      solKey: sol?.ceilingKey ?? null,
      verdictTier: getString(envelope, 'run_context', 'tier') ?? null,
      trials: num(getPath(envelope, 'run_context', 'trials', 'count')),
    },
  };
}

function traceOf(envelope: object): ContextDescriptor['workload']['trace'] {
  const entries = num(getPath(envelope, 'run_context', 'trace', 'entries'));
  const spanS = num(getPath(envelope, 'run_context', 'trace', 'span_s'));
  if (entries === null || spanS === null) return null;
  return { entries, spanS, timeScale: num(getPath(envelope, 'run_context', 'trace', 'time_scale')) ?? 1 };
}

const UNKNOWN = '?';
const show = (v: Known<string | number>, suffix = ''): string => (v === null ? UNKNOWN : `${v}${suffix}`);

/** The descriptor as the lines printed under a result table. */
export function renderDescriptor(d: ContextDescriptor, label?: string): string[] {
  const id = d.identity;
  const p = d.parallelism;
  const w = d.workload;
  const servingText = Object.entries(d.serving.values)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  const load =
    w.trace !== null
      ? `trace of ${w.trace.entries} over ${formatNumber(w.trace.spanS)} s (×${String(w.trace.timeScale)})`
      : w.rps !== null
        ? `rps=${formatNumber(w.rps)}`
        : w.concurrency !== null
          ? `c=${w.concurrency}`
          : 'load ?';
  const tier = w.trace !== null && d.regime.tier === null ? 'trace replay' : `${show(d.regime.tier)} tier`;
  return [
    `context${label ? ` ${label}` : ''}: ${id.model} · ${show(id.hardware)}${id.ceilingToken ? ` (${id.ceilingToken})` : ''} ×${show(id.gpuCount)} · ${show(id.quant)} · kv ${show(id.kvCacheDtype)}`,
    `  parallelism  TP ${show(p.tp)} · DP ${show(p.dp)} · PP ${show(p.pp)} · EP ${show(p.ep)}`,
    `  serving      ${servingText === '' ? d.serving.source : `${servingText} (${d.serving.source})`}`,
    `  workload     ${show(w.dataset)} · ISL ${formatNumber(w.islMean)} / OSL ${formatNumber(w.oslMean)} (means) · ${load} · ${show(w.numPrompts)} prompts measured`,
    `  regime       ${d.regime.cache === null ? 'cache ?' : `${d.regime.cache} cache`} · ${tier}`,
    `  stack        ${d.stack.engine} ${show(d.stack.engineVersion)} · ${d.stack.tool} (${d.stack.backend})`,
    `  grounding    %SoL ${show(d.grounding.sol)}${d.grounding.solKey && !(d.grounding.sol ?? '').startsWith('n/a') ? ` of ${d.grounding.solKey}` : ''} · ${show(d.grounding.verdictTier)} · trials ${show(d.grounding.trials)}`,
  ];
}

/** Envelope form (snake_case), stored beside the metrics. */
export function descriptorJson(d: ContextDescriptor): Record<string, unknown> {
  return {
    identity: {
      model: d.identity.model,
      hardware: d.identity.hardware,
      ceiling_token: d.identity.ceilingToken,
      gpu_count: d.identity.gpuCount,
      quant: d.identity.quant,
      kv_cache_dtype: d.identity.kvCacheDtype,
    },
    parallelism: d.parallelism,
    serving: { values: d.serving.values, source: d.serving.source },
    workload: {
      dataset: d.workload.dataset,
      isl_mean: d.workload.islMean,
      osl_mean: d.workload.oslMean,
      concurrency: d.workload.concurrency,
      rps: d.workload.rps,
      ...(d.workload.trace !== null
        ? {
            trace: {
              entries: d.workload.trace.entries,
              span_s: d.workload.trace.spanS,
              time_scale: d.workload.trace.timeScale,
            },
          }
        : {}),
      num_prompts: d.workload.numPrompts,
    },
    regime: d.regime,
    stack: {
      engine: d.stack.engine,
      engine_version: d.stack.engineVersion,
      tool: d.stack.tool,
      backend: d.stack.backend,
    },
    grounding: {
      sol: d.grounding.sol,
      sol_key: d.grounding.solKey,
      verdict_tier: d.grounding.verdictTier,
      trials: d.grounding.trials,
    },
  };
}
