// What this issue adds to a point's envelope before it is signed: cost (metrics
// cost_usd_per_million_tokens + cost_source), %SoL with ceiling keys and the full-context
// descriptor (top-level `analysis`), the judge's accuracy (metrics.accuracy, metric_ci.accuracy,
// analysis.judge), and the server-vs-client token check (a warning). Pure: every input is passed in.
import type { JudgeOutcome } from '../../harness/judge/client.js';
import type { Ceilings } from './ceilings.js';
import { runCost } from './cost.js';
import { descriptorJson } from './descriptor.js';
import { descriptorOf, pointSol, type SolOptions } from './envelope-analysis.js';
import type { PriceTable } from './prices.js';
import { serverMetricsView, tokenCountWarning } from './server-metrics.js';
import type { SolValue } from './sol.js';

export interface AugmentOptions {
  readonly ceilings: Ceilings;
  readonly modelBytes?: number;
  readonly hardware?: string;
  /** --prices-file, parsed before any request was sent. */
  readonly prices?: PriceTable;
  readonly gpuHourUsd?: number;
  readonly snapshot: PriceTable;
  /** Serving config as the engine exposed it (vLLM info gauges) or flags. */
  readonly serving?: { readonly values: Readonly<Record<string, string>>; readonly source: string };
  /** Σ output tokens the client received over every request of the point (warm-up included). */
  readonly clientOutputTokens?: number;
  readonly judge?: JudgeOutcome;
}

type Env = Record<string, unknown> & { metrics: Record<string, unknown>; warnings: string[] };

function solJson(v: SolValue): Record<string, unknown> {
  return v.ok
    ? { value: v.fraction, ceiling_key: v.ceilingKey }
    : { value: null, reason: v.reason, ...(v.ceilingKey !== undefined ? { ceiling_key: v.ceilingKey } : {}) };
}

function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function gpuCountOf(env: Env): number {
  const gpus = (env.hardware_fingerprint as { gpus?: unknown } | undefined)?.gpus;
  if (Array.isArray(gpus) && gpus.length > 0) return gpus.length;
  const count = num((env.telemetry as { gpu?: { gpu_count?: unknown } } | undefined)?.gpu?.gpu_count);
  return count !== null && count > 0 ? count : 1;
}

export function augmentEnvelope<T extends object>(envelope: T, path: string, options: AugmentOptions): T {
  const env = structuredClone(envelope) as unknown as Env;
  env.metrics = { ...env.metrics };
  env.warnings = [...env.warnings];
  const loaded = { path, envelope: env };
  const solOptions: SolOptions = {
    ceilings: options.ceilings,
    ...(options.modelBytes !== undefined ? { modelBytes: options.modelBytes } : {}),
    ...(options.hardware !== undefined ? { hardware: options.hardware } : {}),
  };

  // Cost: the run's own token mix blends input and output prices.
  const isl = num(env.metrics.isl_mean) ?? 0;
  const osl = num(env.metrics.osl_mean) ?? 0;
  const model = (env.model as { id?: unknown } | undefined)?.id;
  const cost = runCost({
    model: typeof model === 'string' ? model : '',
    inputTokens: isl,
    outputTokens: osl,
    throughputTokPerS: num(env.metrics.throughput_tok_per_s),
    gpuCount: gpuCountOf(env),
    snapshot: options.snapshot,
    ...(options.prices !== undefined ? { pricesFile: options.prices } : {}),
    ...(options.gpuHourUsd !== undefined ? { gpuHourUsd: options.gpuHourUsd } : {}),
  });
  // null when nothing prices the model, as the Python tool's summary shows it.
  env.metrics.cost_usd_per_million_tokens = cost.cost_usd_per_million_tokens;
  env.metrics.cost_source = cost.cost_source;

  // Judge accuracy over the judged questions only.
  const judge = options.judge;
  if (judge !== undefined && judge.accuracy !== null) {
    env.metrics.accuracy = judge.accuracy;
    env.metrics.accuracy_n = judge.judged;
    if (judge.ci !== null)
      env.metric_ci = {
        ...(env.metric_ci as Record<string, unknown> | undefined),
        accuracy: { lo: judge.ci.lo, hi: judge.ci.hi, n: judge.judged, level: 0.95 },
      };
  }

  // Server-side token count vs the client's.
  const server = serverMetricsView(env);
  const tokenWarning =
    options.clientOutputTokens !== undefined
      ? tokenCountWarning(server?.generationTokens ?? null, options.clientOutputTokens)
      : null;
  if (tokenWarning !== null) env.warnings.push(tokenWarning);

  const sol = pointSol(loaded, solOptions);
  const descriptor = descriptorOf(loaded, solOptions, sol);
  const withServing = options.serving
    ? {
        ...descriptorJson(descriptor),
        serving: { values: options.serving.values, source: options.serving.source },
      }
    : descriptorJson(descriptor);
  env.analysis = {
    sol: {
      workload: solJson(sol.workload),
      decode_mbu: solJson(sol.mbu),
      prefill_mfu: solJson(sol.mfu),
      ceilings_source: options.ceilings.source,
    },
    descriptor: withServing,
    cost: {
      source: cost.cost_source,
      ...(cost.reason !== undefined ? { reason: cost.reason } : {}),
    },
    ...(judge !== undefined
      ? {
          judge: {
            model: judge.judgeModel,
            prompt_hash: judge.promptHash,
            judged: judge.judged,
            correct: judge.correct,
            unparsed: judge.unparsed,
            failed: judge.failed,
            accuracy: judge.accuracy,
            ci95: judge.ci,
          },
        }
      : {}),
    ...(options.clientOutputTokens !== undefined
      ? {
          token_check: {
            server_generation_tokens: server?.generationTokens ?? null,
            client_output_tokens: options.clientOutputTokens,
            ok: tokenWarning === null,
          },
        }
      : {}),
  };
  return env as unknown as T;
}
