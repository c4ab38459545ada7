// Exact end-of-point metrics from the kept records (DESIGN.md §4): distributions with linear
// percentiles and seeded bootstrap CIs, windowed throughput (+ vLLM / AIPerf variants), rates,
// SLO compliance and goodput.
import type { RequestRecord } from '../types.js';
import { createRng } from '../util/rng.js';
import { bootstrapPercentileCi, type ConfidenceInterval } from './bootstrap.js';
import { mean, percentileSorted, sortedCopy } from './percentile.js';
import {
  clientQueueDelayMs,
  e2eMs,
  e2eSchedMs,
  pushIclSamples,
  pushItlSamples,
  tpotMs,
  ttftMs,
  ttftSchedMs,
  ttfoMs,
} from './samples.js';
import type { SloMetric, SloTemplate } from './slo.js';

export const DISTRIBUTION_NAMES = [
  'ttft',
  'ttft_sched',
  'client_queue_delay',
  'ttfo',
  'total',
  'total_sched',
  'tpot',
  'itl',
  'icl',
] as const;
export type DistributionName = (typeof DISTRIBUTION_NAMES)[number];

export const REPORTED_PERCENTILES = [50, 90, 99] as const;

export interface Distribution {
  readonly n: number;
  readonly mean: number | null;
  readonly min: number | null;
  readonly max: number | null;
  readonly p50: number | null;
  readonly p90: number | null;
  readonly p99: number | null;
  readonly ci: {
    readonly p50: ConfidenceInterval | null;
    readonly p90: ConfidenceInterval | null;
    readonly p99: ConfidenceInterval | null;
  };
}

export interface MeasurementWindow {
  readonly startMs: number;
  readonly endMs: number;
}

export interface SloTargetResult {
  readonly metric: SloMetric;
  readonly percentile: number;
  readonly maxMs: number;
  /** The measured percentile of the metric over successful measured requests. */
  readonly valueMs: number | null;
  readonly met: boolean | null;
  /** Share of measured requests (errors included) meeting this SLO. */
  readonly passRate: number | null;
}

export interface SloReport {
  readonly template: string;
  readonly targets: readonly SloTargetResult[];
  readonly perSloPassRate: Readonly<Record<string, number | null>>;
  /** True when every target's percentile meets its limit; null when nothing was measured. */
  readonly p99TargetsMet: boolean | null;
  readonly goodRequests: number;
}

export interface PointMetrics {
  readonly window: { readonly startMs: number; readonly endMs: number; readonly durationS: number };
  readonly counts: {
    /** Non-warm-up requests scheduled inside the window (the denominator of ok_rate/compliance). */
    readonly measured: number;
    readonly ok: number;
    readonly failed: number;
    readonly errorsByCode: Readonly<Record<string, number>>;
    readonly good: number;
    readonly oslFromUsage: number;
    readonly oslCounted: number;
  };
  readonly distributions: Readonly<Record<DistributionName, Distribution>>;
  /** Output tokens (successful requests) whose arrival falls in the window ÷ window. */
  readonly throughputTokPerS: number | null;
  /** vLLM bench serve: Σ osl(successful) ÷ (last completion − first dispatch). */
  readonly throughputTokPerSVllm: number | null;
  /** AIPerf: Σ osl ÷ (max t_last − min t_send) over successful requests. */
  readonly throughputTokPerSAiperf: number | null;
  /** Successful non-warm-up completions (t_last in the window) ÷ window. */
  readonly reqPerSAll: number | null;
  /** Good completions (successful and meeting every SLO) in the window ÷ window. */
  readonly reqPerSPassing: number | null;
  readonly goodputTokPerS: number | null;
  readonly complianceRate: number | null;
  readonly okRate: number | null;
  readonly oslMean: number | null;
  readonly islMean: number | null;
  readonly tokensInWindow: number;
  /** Share of event gaps that are exactly 0: events delivered by one socket read share a stamp. */
  readonly coalescedFraction: number | null;
  readonly slo: SloReport | null;
}

export interface BuildMetricsOptions {
  readonly slo?: SloTemplate | null;
  readonly bootstrapResamples?: number;
  readonly seed?: number;
}

const SLO_VALUE: Record<SloMetric, (r: RequestRecord) => number | null> = {
  ttft: ttftMs,
  ttft_sched: ttftSchedMs,
  ttfo: ttfoMs,
  total: e2eMs,
  total_sched: e2eSchedMs,
  tpot: tpotMs,
  itl: tpotMs,
};

/** Does a successful request meet this SLO? Undefined values (tpot for osl < 2) pass. */
function meets(r: RequestRecord, metric: SloMetric, maxMs: number): boolean {
  const value = SLO_VALUE[metric](r);
  return value === null || value <= maxMs;
}

export function isGood(r: RequestRecord, template: SloTemplate | null | undefined): boolean {
  if (r.errorCode !== null) return false;
  if (template === null || template === undefined) return true;
  for (const slo of template.slos) if (!meets(r, slo.metric, slo.maxMs)) return false;
  return true;
}

/** Is this record part of the measurement (non-warm-up, scheduled inside the window)? */
export function inWindow(r: RequestRecord, window: MeasurementWindow): boolean {
  return !r.warmup && r.tSchedMs >= window.startMs && r.tSchedMs <= window.endMs;
}

function seedFor(seed: number, name: string): number {
  let h = seed >>> 0;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

export function summarize(values: ArrayLike<number>, resamples: number, seed: number): Distribution {
  const sorted = sortedCopy(values);
  const n = sorted.length;
  const rng = createRng(seed);
  const ci = (p: number): ConfidenceInterval | null =>
    resamples > 0 ? bootstrapPercentileCi(sorted, p, rng, { resamples }) : null;
  return {
    n,
    mean: mean(sorted),
    min: n > 0 ? (sorted[0] as number) : null,
    max: n > 0 ? (sorted[n - 1] as number) : null,
    p50: percentileSorted(sorted, 50),
    p90: percentileSorted(sorted, 90),
    p99: percentileSorted(sorted, 99),
    ci: { p50: ci(50), p90: ci(90), p99: ci(99) },
  };
}

export function buildMetrics(
  records: readonly RequestRecord[],
  window: MeasurementWindow,
  options: BuildMetricsOptions = {},
): PointMetrics {
  const resamples = options.bootstrapResamples ?? 1000;
  const seed = options.seed ?? 0;
  const template = options.slo ?? null;
  const durationMs = Math.max(0, window.endMs - window.startMs);
  const durationS = durationMs / 1000;
  const perSecond = (count: number): number | null => (durationS > 0 ? count / durationS : null);

  const values: Record<DistributionName, number[]> = {
    ttft: [],
    ttft_sched: [],
    client_queue_delay: [],
    ttfo: [],
    total: [],
    total_sched: [],
    tpot: [],
    itl: [],
    icl: [],
  };
  const errorsByCode: Record<string, number> = {};
  let measured = 0;
  let ok = 0;
  let good = 0;
  let oslFromUsage = 0;
  let oslCounted = 0;
  let oslSum = 0;
  let islSum = 0;
  let islN = 0;
  let tokensInWindow = 0;
  let completionsInWindow = 0;
  let goodCompletionsInWindow = 0;
  let goodTokensInWindow = 0;
  let firstDispatch = Infinity;
  let lastCompletion = -Infinity;
  let lastToken = -Infinity;
  const sloPass = template === null ? [] : template.slos.map(() => 0);

  for (const r of records) {
    const okRecord = r.errorCode === null;
    if (okRecord) {
      // Throughput counts every successful request's tokens that arrive inside the window,
      // including requests sent before the window opened (steady-state semantics).
      const times = r.eventTimesMs;
      let recordTokensInWindow = 0;
      for (let i = 0; i < times.length; i++) {
        const t = times[i] as number;
        if (t >= window.startMs && t <= window.endMs) recordTokensInWindow += r.eventTokens[i] ?? 1;
      }
      tokensInWindow += recordTokensInWindow;
      const good = isGood(r, template);
      // Goodput tok/s is throughput restricted to SLO-passing requests (same window rule), so it
      // can never exceed throughput_tok_per_s.
      if (good && !r.warmup) goodTokensInWindow += recordTokensInWindow;
      if (!r.warmup && r.tLastMs !== null && r.tLastMs >= window.startMs && r.tLastMs <= window.endMs) {
        completionsInWindow++;
        if (good) goodCompletionsInWindow++;
      }
    }
    if (!inWindow(r, window)) continue;
    measured++;
    if (template !== null) {
      template.slos.forEach((slo, index) => {
        if (okRecord && meets(r, slo.metric, slo.maxMs)) sloPass[index] = (sloPass[index] ?? 0) + 1;
      });
    }
    if (!okRecord) {
      const code = r.errorCode as string;
      errorsByCode[code] = (errorsByCode[code] ?? 0) + 1;
      continue;
    }
    ok++;
    if (isGood(r, template)) good++;
    if (r.oslSource === 'usage') oslFromUsage++;
    else oslCounted++;
    oslSum += r.oslTokens;
    if (r.inputTokens !== null) {
      islSum += r.inputTokens;
      islN++;
    }
    firstDispatch = Math.min(firstDispatch, r.tSendMs);
    lastCompletion = Math.max(lastCompletion, r.tDoneMs);
    if (r.tLastMs !== null) lastToken = Math.max(lastToken, r.tLastMs);
    const push = (name: DistributionName, value: number | null): void => {
      if (value !== null) values[name].push(value);
    };
    push('ttft', ttftMs(r));
    push('ttft_sched', ttftSchedMs(r));
    push('client_queue_delay', clientQueueDelayMs(r));
    push('ttfo', ttfoMs(r));
    push('total', e2eMs(r));
    push('total_sched', e2eSchedMs(r));
    push('tpot', tpotMs(r));
    pushItlSamples(r, values.itl);
    pushIclSamples(r, values.icl);
  }

  const distributions = {} as Record<DistributionName, Distribution>;
  for (const name of DISTRIBUTION_NAMES) {
    distributions[name] = summarize(values[name], resamples, seedFor(seed, name));
  }

  let slo: SloReport | null = null;
  if (template !== null) {
    const perSloPassRate: Record<string, number | null> = {};
    const targets = template.slos.map((target, index): SloTargetResult => {
      const key = target.metric === 'itl' ? 'tpot' : target.metric;
      const sorted = sortedCopy(values[key as DistributionName]);
      const valueMs = percentileSorted(sorted, target.percentile);
      const passRate = measured > 0 ? (sloPass[index] ?? 0) / measured : null;
      perSloPassRate[target.metric] = passRate;
      return {
        metric: target.metric,
        percentile: target.percentile,
        maxMs: target.maxMs,
        valueMs,
        met: valueMs === null ? null : valueMs <= target.maxMs,
        passRate,
      };
    });
    const anyMeasured = targets.some((t) => t.met !== null);
    slo = {
      template: template.id,
      targets,
      perSloPassRate,
      p99TargetsMet: anyMeasured ? targets.every((t) => t.met !== false) : null,
      goodRequests: good,
    };
  }

  let coalesced = 0;
  for (const gap of values.icl) if (gap === 0) coalesced++;
  let oslTotal = 0;
  for (const r of records) if (r.errorCode === null && inWindow(r, window)) oslTotal += r.oslTokens;
  const vllmSpanS = (lastCompletion - firstDispatch) / 1000;
  const aiperfSpanS = (lastToken - firstDispatch) / 1000;

  return {
    window: { startMs: window.startMs, endMs: window.endMs, durationS },
    counts: { measured, ok, failed: measured - ok, errorsByCode, good, oslFromUsage, oslCounted },
    distributions,
    throughputTokPerS: perSecond(tokensInWindow),
    throughputTokPerSVllm: ok > 0 && vllmSpanS > 0 ? oslTotal / vllmSpanS : null,
    throughputTokPerSAiperf: ok > 0 && aiperfSpanS > 0 ? oslTotal / aiperfSpanS : null,
    reqPerSAll: perSecond(completionsInWindow),
    reqPerSPassing: perSecond(goodCompletionsInWindow),
    goodputTokPerS: perSecond(goodTokensInWindow),
    complianceRate: measured > 0 ? good / measured : null,
    okRate: measured > 0 ? ok / measured : null,
    oslMean: ok > 0 ? oslSum / ok : null,
    islMean: islN > 0 ? islSum / islN : null,
    tokensInWindow,
    coalescedFraction: values.icl.length > 0 ? coalesced / values.icl.length : null,
    slo,
  };
}

/** Envelope-style flat keys: ttft_p50_ms … plus CIs keyed the same way. */
export function flattenMetrics(m: PointMetrics): {
  metrics: Record<string, number | null>;
  ci: Record<string, { lo: number; hi: number; n: number }>;
} {
  const metrics: Record<string, number | null> = {};
  const ci: Record<string, { lo: number; hi: number; n: number }> = {};
  for (const name of DISTRIBUTION_NAMES) {
    const d = m.distributions[name];
    for (const p of REPORTED_PERCENTILES) {
      const key = `${name}_p${p}_ms`;
      metrics[key] = d[`p${p}`];
      const interval = d.ci[`p${p}`];
      if (interval !== null) ci[key] = { lo: interval.lo, hi: interval.hi, n: interval.n };
    }
    metrics[`${name}_mean_ms`] = d.mean;
    metrics[`${name}_n`] = d.n;
  }
  metrics.throughput_tok_per_s = m.throughputTokPerS;
  metrics.throughput_tok_per_s_vllm = m.throughputTokPerSVllm;
  metrics.throughput_tok_per_s_aiperf = m.throughputTokPerSAiperf;
  metrics.req_per_s_all = m.reqPerSAll;
  metrics.req_per_s_passing = m.reqPerSPassing;
  metrics.goodput_req_per_s = m.reqPerSPassing;
  metrics.goodput_tok_per_s = m.goodputTokPerS;
  metrics.compliance_rate = m.complianceRate;
  metrics.ok_rate = m.okRate;
  metrics.osl_mean = m.oslMean;
  metrics.isl_mean = m.islMean;
  metrics.tokens_out_total = m.tokensInWindow;
  metrics.icl_coalesced_fraction = m.coalescedFraction;
  metrics.n_requests = m.counts.measured;
  metrics.n_ok = m.counts.ok;
  metrics.n_failed = m.counts.failed;
  metrics.window_s = m.window.durationS;
  if (m.slo !== null) {
    for (const target of m.slo.targets) {
      metrics[`slo_${target.metric}_pass_rate`] = target.passRate;
    }
  }
  return { metrics, ci };
}
