// Exact end-of-point metrics from a stream of records (docs/metrics.md): distributions with linear
// percentiles and seeded bootstrap CIs, windowed throughput (+ vLLM / AIPerf variants), rates,
// SLO compliance and goodput.
import type { RequestRecord } from '../types.js';
import { createRng } from '../../lib/rng.js';
import { bootstrapPercentileCi, type ConfidenceInterval } from './bootstrap.js';
import { percentileSorted } from './percentile.js';
import { SampleSink, type SortedSamples } from './sample-sink.js';
import {
  clientQueueDelayMs,
  e2eMs,
  e2eSchedMs,
  pushItlSamples,
  tpotMs,
  ttftMs,
  ttftSchedMs,
  ttfoMs,
  ttstMs,
} from './samples.js';
import { ChunkSizeAccumulator, type ChunkSizeHistogram } from './chunk-sizes.js';
import type { SloMetric, SloTemplate } from './slo.js';

export const DISTRIBUTION_NAMES = [
  'ttft',
  'ttft_sched',
  'client_queue_delay',
  'ttfo',
  'ttst',
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
  /** False when the samples outgrew the exact cap and were binned (values within 0.034 %). */
  readonly exact: boolean;
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
  /** The distribution it was judged on (ttft_sched for ttft under the 'scheduled' basis). */
  readonly judgedOn: SloMetric;
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
  readonly basis: SloBasis;
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
    /** Cancelled by the client on purpose (--cancel-rate); not in `measured`. */
    readonly cancelled: number;
    readonly errorsByCode: Readonly<Record<string, number>>;
    readonly good: number;
    readonly oslFromUsage: number;
    readonly oslCounted: number;
    /** Non-warm-up requests whose t_send fell inside the window (open loop: the achieved rate). */
    readonly sentInWindow: number;
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
  /** Tokens per token-bearing SSE event over the measured successful requests. */
  readonly chunkSizes: ChunkSizeHistogram;
  readonly slo: SloReport | null;
}

/**
 * Which clock the SLO verdict and goodput use: 'sent' (from t_send, closed loop) or 'scheduled'
 * (user-perceived, from t_sched: open loop — a request that waited in the client waited for its
 * user too). With 'scheduled', ttft is judged as ttft_sched and total as total_sched.
 */
export type SloBasis = 'sent' | 'scheduled';

/** The metric a template SLO is judged on under a basis. */
export function sloMetricFor(metric: SloMetric, basis: SloBasis): SloMetric {
  if (basis === 'sent') return metric;
  if (metric === 'ttft') return 'ttft_sched';
  if (metric === 'total') return 'total_sched';
  return metric;
}

export interface BuildMetricsOptions {
  readonly slo?: SloTemplate | null;
  /** Default 'sent'; open-loop points pass 'scheduled' (docs/methodology.md). */
  readonly sloBasis?: SloBasis;
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
/** Whether a request meets one SLO limit (a metric it has no value for counts as met). */
export function meets(r: RequestRecord, metric: SloMetric, maxMs: number): boolean {
  const value = SLO_VALUE[metric](r);
  return value === null || value <= maxMs;
}

export function isGood(
  r: RequestRecord,
  template: SloTemplate | null | undefined,
  basis: SloBasis = 'sent',
): boolean {
  if (r.errorCode !== null) return false;
  if (template === null || template === undefined) return true;
  for (const slo of template.slos) if (!meets(r, sloMetricFor(slo.metric, basis), slo.maxMs)) return false;
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

export function summarizeSorted(sorted: SortedSamples, resamples: number, seed: number): Distribution {
  const n = sorted.length;
  const rng = createRng(seed);
  const ci = (p: number): ConfidenceInterval | null =>
    resamples > 0 ? bootstrapPercentileCi(sorted, p, rng, { resamples }) : null;
  return {
    n,
    exact: sorted.exact,
    mean: sorted.mean,
    min: n > 0 ? (sorted.at(0) as number) : null,
    max: n > 0 ? (sorted.at(n - 1) as number) : null,
    p50: percentileSorted(sorted, 50),
    p90: percentileSorted(sorted, 90),
    p99: percentileSorted(sorted, 99),
    ci: { p50: ci(50), p90: ci(90), p99: ci(99) },
  };
}

export interface AccumulatedMetrics {
  readonly metrics: PointMetrics;
  /** The measured samples of every distribution, sorted (for histogram views). */
  readonly samples: Readonly<Record<DistributionName, SortedSamples>>;
  /** Records discarded by the warm-up rule. */
  readonly warmup: number;
  /** Non-warm-up records scheduled outside the window. */
  readonly outsideWindow: number;
}

export interface MetricsAccumulatorOptions extends BuildMetricsOptions {
  /** Values kept exactly per distribution before they are binned (see SampleSink). */
  readonly exactCap?: number;
}

/**
 * Exact end-of-point metrics from a stream of records (one pass, in any order): only the
 * measured samples are kept, never the records, so a point's records can be streamed from its
 * journal on disk.
 */
export class MetricsAccumulator {
  private readonly template: SloTemplate | null;
  private readonly sinks: Record<DistributionName, SampleSink>;
  private readonly errorsByCode: Record<string, number> = {};
  private readonly sloPass: number[];
  private measured = 0;
  private cancelled = 0;
  private ok = 0;
  private good = 0;
  private oslFromUsage = 0;
  private oslCounted = 0;
  private oslSum = 0;
  private islSum = 0;
  private islN = 0;
  private tokensInWindow = 0;
  private completionsInWindow = 0;
  private goodCompletionsInWindow = 0;
  private goodTokensInWindow = 0;
  private firstDispatch = Infinity;
  private lastCompletion = -Infinity;
  private lastToken = -Infinity;
  private coalesced = 0;
  private readonly chunkSizes = new ChunkSizeAccumulator();
  private warmup = 0;
  private outsideWindow = 0;
  private sentInWindow = 0;
  private finished = false;

  constructor(
    private readonly window: MeasurementWindow,
    private readonly options: MetricsAccumulatorOptions = {},
  ) {
    this.template = options.slo ?? null;
    this.sloPass = this.template === null ? [] : this.template.slos.map(() => 0);
    const cap = options.exactCap;
    const sinks = {} as Record<DistributionName, SampleSink>;
    for (const name of DISTRIBUTION_NAMES) sinks[name] = new SampleSink(cap);
    this.sinks = sinks;
  }

  add(r: RequestRecord): void {
    const window = this.window;
    const template = this.template;
    const okRecord = r.errorCode === null;
    const basis = this.options.sloBasis ?? 'sent';
    const good = okRecord && isGood(r, template, basis);
    if (r.warmup) this.warmup++;
    else if (r.tSendMs >= window.startMs && r.tSendMs <= window.endMs) this.sentInWindow++;
    if (okRecord) {
      // Throughput counts every successful request's tokens that arrive inside the window,
      // including requests sent before the window opened (steady-state semantics).
      const times = r.eventTimesMs;
      let recordTokensInWindow = 0;
      for (let i = 0; i < times.length; i++) {
        const t = times[i] as number;
        if (t >= window.startMs && t <= window.endMs) recordTokensInWindow += r.eventTokens[i] ?? 1;
      }
      this.tokensInWindow += recordTokensInWindow;
      // Goodput tok/s is throughput restricted to SLO-passing requests (same window rule), so it
      // can never exceed throughput_tok_per_s.
      if (good && !r.warmup) this.goodTokensInWindow += recordTokensInWindow;
      if (!r.warmup && r.tLastMs !== null && r.tLastMs >= window.startMs && r.tLastMs <= window.endMs) {
        this.completionsInWindow++;
        if (good) this.goodCompletionsInWindow++;
      }
    }
    if (!inWindow(r, window)) {
      if (!r.warmup) this.outsideWindow++;
      return;
    }
    // Cancelled on purpose (--cancel-rate): outside every denominator, counted on their own.
    if (r.errorCode === 'cancelled') {
      this.cancelled++;
      return;
    }
    this.measured++;
    if (template !== null) {
      template.slos.forEach((slo, index) => {
        if (okRecord && meets(r, sloMetricFor(slo.metric, basis), slo.maxMs))
          this.sloPass[index] = (this.sloPass[index] ?? 0) + 1;
      });
    }
    if (!okRecord) {
      const code = r.errorCode as string;
      this.errorsByCode[code] = (this.errorsByCode[code] ?? 0) + 1;
      return;
    }
    this.ok++;
    if (good) this.good++;
    if (r.oslSource === 'usage') this.oslFromUsage++;
    else this.oslCounted++;
    this.oslSum += r.oslTokens;
    if (r.inputTokens !== null) {
      this.islSum += r.inputTokens;
      this.islN++;
    }
    this.firstDispatch = Math.min(this.firstDispatch, r.tSendMs);
    this.lastCompletion = Math.max(this.lastCompletion, r.tDoneMs);
    if (r.tLastMs !== null) this.lastToken = Math.max(this.lastToken, r.tLastMs);
    const sinks = this.sinks;
    const push = (sink: SampleSink, value: number | null): void => {
      if (value !== null) sink.push(value);
    };
    push(sinks.ttft, ttftMs(r));
    push(sinks.ttft_sched, ttftSchedMs(r));
    push(sinks.client_queue_delay, clientQueueDelayMs(r));
    push(sinks.ttfo, ttfoMs(r));
    push(sinks.ttst, ttstMs(r));
    push(sinks.total, e2eMs(r));
    push(sinks.total_sched, e2eSchedMs(r));
    push(sinks.tpot, tpotMs(r));
    pushItlSamples(r, sinks.itl);
    const times = r.eventTimesMs;
    for (let i = 1; i < times.length; i++) {
      const gap = (times[i] as number) - (times[i - 1] as number);
      if (gap === 0) this.coalesced++;
      sinks.icl.push(gap);
    }
    this.chunkSizes.add(r.eventTokens, r.chunkTokensSource ?? 'one_per_event');
  }

  finish(): AccumulatedMetrics {
    if (this.finished) throw new Error('MetricsAccumulator.finish() called twice');
    this.finished = true;
    const { window, template, measured, ok, good } = this;
    const resamples = this.options.bootstrapResamples ?? 1000;
    const seed = this.options.seed ?? 0;
    const durationMs = Math.max(0, window.endMs - window.startMs);
    const durationS = durationMs / 1000;
    const perSecond = (count: number): number | null => (durationS > 0 ? count / durationS : null);

    const samples = {} as Record<DistributionName, SortedSamples>;
    const distributions = {} as Record<DistributionName, Distribution>;
    for (const name of DISTRIBUTION_NAMES) {
      samples[name] = this.sinks[name].finish();
      distributions[name] = summarizeSorted(samples[name], resamples, seedFor(seed, name));
    }

    let slo: SloReport | null = null;
    if (template !== null) {
      const perSloPassRate: Record<string, number | null> = {};
      const basis = this.options.sloBasis ?? 'sent';
      const targets = template.slos.map((target, index): SloTargetResult => {
        const judgedOn = sloMetricFor(target.metric, basis);
        const key = judgedOn === 'itl' ? 'tpot' : judgedOn;
        const valueMs = percentileSorted(samples[key as DistributionName], target.percentile);
        const passRate = measured > 0 ? (this.sloPass[index] ?? 0) / measured : null;
        perSloPassRate[target.metric] = passRate;
        return {
          metric: target.metric,
          judgedOn,
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
        basis,
        targets,
        perSloPassRate,
        p99TargetsMet: anyMeasured ? targets.every((t) => t.met !== false) : null,
        goodRequests: good,
      };
    }

    const vllmSpanS = (this.lastCompletion - this.firstDispatch) / 1000;
    const aiperfSpanS = (this.lastToken - this.firstDispatch) / 1000;
    const iclN = samples.icl.length;
    const metrics: PointMetrics = {
      window: { startMs: window.startMs, endMs: window.endMs, durationS },
      counts: {
        measured,
        ok,
        failed: measured - ok,
        cancelled: this.cancelled,
        errorsByCode: this.errorsByCode,
        good,
        oslFromUsage: this.oslFromUsage,
        oslCounted: this.oslCounted,
        sentInWindow: this.sentInWindow,
      },
      distributions,
      throughputTokPerS: perSecond(this.tokensInWindow),
      throughputTokPerSVllm: ok > 0 && vllmSpanS > 0 ? this.oslSum / vllmSpanS : null,
      throughputTokPerSAiperf: ok > 0 && aiperfSpanS > 0 ? this.oslSum / aiperfSpanS : null,
      reqPerSAll: perSecond(this.completionsInWindow),
      reqPerSPassing: perSecond(this.goodCompletionsInWindow),
      goodputTokPerS: perSecond(this.goodTokensInWindow),
      complianceRate: measured > 0 ? good / measured : null,
      okRate: measured > 0 ? ok / measured : null,
      oslMean: ok > 0 ? this.oslSum / ok : null,
      islMean: this.islN > 0 ? this.islSum / this.islN : null,
      tokensInWindow: this.tokensInWindow,
      coalescedFraction: iclN > 0 ? this.coalesced / iclN : null,
      chunkSizes: this.chunkSizes.finish(),
      slo,
    };
    return { metrics, samples, warmup: this.warmup, outsideWindow: this.outsideWindow };
  }
}

export function buildMetrics(
  records: Iterable<RequestRecord>,
  window: MeasurementWindow,
  options: MetricsAccumulatorOptions = {},
): PointMetrics {
  const accumulator = new MetricsAccumulator(window, options);
  for (const r of records) accumulator.add(r);
  return accumulator.finish().metrics;
}
