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
import type { ChunkSizeHistogram } from './chunk-sizes.js';
import type { SloMetric, SloTemplate } from './slo.js';
import {
  sloMetricFor,
  WindowCounter,
  type MeasurementWindow,
  type SloBasis,
  type WindowCounters,
} from './window-counter.js';

// The record rules (window, SLO basis) and the counter are part of this module's interface.
export * from './window-counter.js';

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

export interface BuildMetricsOptions {
  readonly slo?: SloTemplate | null;
  /** Default 'sent'; open-loop points pass 'scheduled' (docs/methodology.md). */
  readonly sloBasis?: SloBasis;
  readonly bootstrapResamples?: number;
  readonly seed?: number;
}

/** The seed of a distribution's bootstrap: the point's seed mixed with the distribution's name. */
export function distributionSeed(seed: number, name: string): number {
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

export interface MetricsParts {
  readonly window: { readonly startMs: number; readonly endMs: number; readonly durationS: number };
  readonly counters: WindowCounters;
  readonly samples: Readonly<Record<DistributionName, SortedSamples>>;
  readonly slo: SloTemplate | null;
  readonly bootstrapResamples: number;
  readonly seed: number;
}

/**
 * PointMetrics from counters and sorted samples: the one definition of every point metric, for a
 * single process (MetricsAccumulator.finish) and for the merge of N shards' counters and samples.
 */
export function metricsFromParts(parts: MetricsParts): PointMetrics {
  const { counters: c, samples, slo: template, window } = parts;
  const durationS = window.durationS;
  const perSecond = (count: number): number | null => (durationS > 0 ? count / durationS : null);
  const distributions = {} as Record<DistributionName, Distribution>;
  for (const name of DISTRIBUTION_NAMES)
    distributions[name] = summarizeSorted(
      samples[name],
      parts.bootstrapResamples,
      distributionSeed(parts.seed, name),
    );
  let slo: SloReport | null = null;
  if (template !== null) {
    const perSloPassRate: Record<string, number | null> = {};
    const basis = c.slo_basis;
    const targets = template.slos.map((target, index): SloTargetResult => {
      const judgedOn = sloMetricFor(target.metric, basis);
      const key = judgedOn === 'itl' ? 'tpot' : judgedOn;
      const valueMs = percentileSorted(samples[key as DistributionName], target.percentile);
      const passRate = c.measured > 0 ? (c.slo_pass[index] ?? 0) / c.measured : null;
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
      goodRequests: c.good,
    };
  }
  const span = (end: number | null): number =>
    end === null || c.first_dispatch_ms === null ? NaN : (end - c.first_dispatch_ms) / 1000;
  const vllmSpanS = span(c.last_completion_ms);
  const aiperfSpanS = span(c.last_token_ms);
  const iclN = samples.icl.length;
  return {
    window: { startMs: window.startMs, endMs: window.endMs, durationS },
    counts: {
      measured: c.measured,
      ok: c.ok,
      failed: c.measured - c.ok,
      cancelled: c.cancelled,
      sentInWindow: c.sent_in_window,
      errorsByCode: c.errors_by_code,
      good: c.good,
      oslFromUsage: c.osl_from_usage,
      oslCounted: c.osl_counted,
    },
    distributions,
    throughputTokPerS: perSecond(c.tokens_in_window),
    throughputTokPerSVllm: c.ok > 0 && vllmSpanS > 0 ? c.osl_sum / vllmSpanS : null,
    throughputTokPerSAiperf: c.ok > 0 && aiperfSpanS > 0 ? c.osl_sum / aiperfSpanS : null,
    reqPerSAll: perSecond(c.completions_in_window),
    reqPerSPassing: perSecond(c.good_completions_in_window),
    goodputTokPerS: perSecond(c.good_tokens_in_window),
    complianceRate: c.measured > 0 ? c.good / c.measured : null,
    okRate: c.measured > 0 ? c.ok / c.measured : null,
    oslMean: c.ok > 0 ? c.osl_sum / c.ok : null,
    islMean: c.isl_n > 0 ? c.isl_sum / c.isl_n : null,
    tokensInWindow: c.tokens_in_window,
    coalescedFraction: iclN > 0 ? c.coalesced / iclN : null,
    slo,
    chunkSizes: c.chunk_sizes,
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

const pushValue = (sink: SampleSink, value: number | null): void => {
  if (value !== null) sink.push(value);
};

/**
 * Exact end-of-point metrics from a stream of records (one pass, in any order): the counting is
 * the WindowCounter's, and only the measured samples are kept, never the records, so a point's
 * records can be streamed from its journal on disk.
 */
export class MetricsAccumulator {
  private readonly counter: WindowCounter;
  private readonly sinks: Record<DistributionName, SampleSink>;
  private finished = false;

  constructor(
    private readonly window: MeasurementWindow,
    private readonly options: MetricsAccumulatorOptions = {},
  ) {
    this.counter = new WindowCounter(window, options.slo ?? null, options.sloBasis ?? 'sent');
    const cap = options.exactCap;
    const sinks = {} as Record<DistributionName, SampleSink>;
    for (const name of DISTRIBUTION_NAMES) sinks[name] = new SampleSink(cap);
    this.sinks = sinks;
  }

  add(r: RequestRecord): void {
    const sinks = this.sinks;
    if (!this.counter.add(r, sinks.icl)) return;
    pushValue(sinks.ttft, ttftMs(r));
    pushValue(sinks.ttft_sched, ttftSchedMs(r));
    pushValue(sinks.client_queue_delay, clientQueueDelayMs(r));
    pushValue(sinks.ttfo, ttfoMs(r));
    pushValue(sinks.ttst, ttstMs(r));
    pushValue(sinks.total, e2eMs(r));
    pushValue(sinks.total_sched, e2eSchedMs(r));
    pushValue(sinks.tpot, tpotMs(r));
    pushItlSamples(r, sinks.itl);
  }

  /** The raw counters so far (a shard envelope's), times mapped by `toCommonMs`. */
  counters(toCommonMs?: (monotonicMs: number) => number): WindowCounters {
    return this.counter.counters(toCommonMs);
  }

  finish(): AccumulatedMetrics {
    if (this.finished) throw new Error('MetricsAccumulator.finish() called twice');
    this.finished = true;
    const { window, options } = this;
    const samples = {} as Record<DistributionName, SortedSamples>;
    for (const name of DISTRIBUTION_NAMES) samples[name] = this.sinks[name].finish();
    const counters = this.counter.counters();
    const metrics = metricsFromParts({
      window: {
        startMs: window.startMs,
        endMs: window.endMs,
        durationS: Math.max(0, window.endMs - window.startMs) / 1000,
      },
      counters,
      samples,
      slo: options.slo ?? null,
      bootstrapResamples: options.bootstrapResamples ?? 1000,
      seed: options.seed ?? 0,
    });
    return { metrics, samples, warmup: counters.warmup, outsideWindow: counters.outside_window };
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
