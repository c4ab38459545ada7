// Server-side metrics of the engine under test, from its Prometheus /metrics: scraped before,
// every second during, and after a measurement point, mapped from vLLM (v0 and v1 names) and
// SGLang names onto one canonical set (seed 003's four canonical vLLM metrics at least).
import type { TimelineBuilder } from '../lib/timeline.js';
import {
  counterValue,
  histogramDelta,
  histogramMean,
  histogramOf,
  scrapePrometheus,
  sumOf,
} from './prometheus.js';
import type { HistogramData, PromExposition } from './prometheus.js';

export type EngineFlavor = 'vllm' | 'sglang' | 'unknown';

/** One scrape, reduced to the canonical metrics (null = the server does not expose it). */
export interface ServerMetricsReading {
  readonly tMs: number;
  readonly flavor: EngineFlavor;
  readonly numRequestsRunning: number | null;
  readonly numRequestsWaiting: number | null;
  /** KV-cache usage, fraction 0..1. */
  readonly kvCacheUsagePerc: number | null;
  readonly prefixCacheHits: number | null;
  readonly prefixCacheQueries: number | null;
  /** Hit rate as the server reports it (a gauge), fraction 0..1. */
  readonly prefixCacheHitRateGauge: number | null;
  readonly generationTokensTotal: number | null;
  readonly promptTokensTotal: number | null;
  /** Gauge some servers export (vLLM v0, SGLang gen_throughput). */
  readonly generationThroughputGauge: number | null;
  readonly queueTime: HistogramData | null;
  readonly prefillTime: HistogramData | null;
}

export interface ServerMetricsDelta {
  readonly windowS: number;
  readonly generationTokens: number | null;
  readonly promptTokens: number | null;
  /** Generation tokens counter delta / window seconds. */
  readonly generationThroughputTokPerS: number | null;
  readonly prefixCacheHits: number | null;
  readonly prefixCacheQueries: number | null;
  /** Δhits / Δqueries, fraction 0..1; null when no queries. */
  readonly prefixCacheHitRate: number | null;
  readonly queueTimeMeanS: number | null;
  readonly queueTimeCount: number | null;
  readonly prefillTimeMeanS: number | null;
  readonly prefillTimeCount: number | null;
}

export interface ServerMetricsDuring {
  readonly scrapes: number;
  readonly failedScrapes: number;
  readonly numRequestsRunningMax: number | null;
  readonly numRequestsRunningMean: number | null;
  readonly numRequestsWaitingMax: number | null;
  readonly kvCacheUsagePercMax: number | null;
  readonly kvCacheUsagePercMean: number | null;
}

/** Seed 003's four canonical vLLM metrics, keyed as the seed names them. */
export interface CanonicalServerMetrics {
  readonly 'vllm:prefix_cache_hit_rate': number | null;
  readonly 'vllm:gpu_cache_usage_perc': number | null;
  readonly 'vllm:num_requests_running': number | null;
  readonly 'vllm:avg_generation_throughput_toks_per_s': number | null;
}

/** Goes into the envelope as telemetry.server_metrics: never the URL, host, port or credentials. */
export interface ServerMetricsResult {
  readonly flavor: EngineFlavor;
  readonly pre: ServerMetricsReading | null;
  readonly post: ServerMetricsReading | null;
  readonly delta: ServerMetricsDelta | null;
  readonly during: ServerMetricsDuring;
  /** Point-level values for the four canonical names (hit rate and throughput over the window). */
  readonly canonical: CanonicalServerMetrics;
  /** Scrape failures, e.g. "post: http://…/metrics: HTTP 404". */
  readonly errors: readonly string[];
}

const first = (...vals: (number | null)[]): number | null => {
  for (const v of vals) if (v !== null && Number.isFinite(v)) return v;
  return null;
};

export function detectFlavor(expo: PromExposition): EngineFlavor {
  for (const name of expo.keys()) {
    if (name.startsWith('vllm:')) return 'vllm';
    if (name.startsWith('sglang:')) return 'sglang';
  }
  return 'unknown';
}

/** Maps one parsed exposition to the canonical reading. */
export function readServerMetrics(expo: PromExposition, tMs: number): ServerMetricsReading {
  const flavor = detectFlavor(expo);
  return {
    tMs,
    flavor,
    numRequestsRunning: first(
      sumOf(expo, 'vllm:num_requests_running'),
      sumOf(expo, 'sglang:num_running_reqs'),
    ),
    numRequestsWaiting: first(sumOf(expo, 'vllm:num_requests_waiting'), sumOf(expo, 'sglang:num_queue_reqs')),
    kvCacheUsagePerc: first(
      sumOf(expo, 'vllm:kv_cache_usage_perc'), // vLLM v1
      sumOf(expo, 'vllm:gpu_cache_usage_perc'), // vLLM v0
      sumOf(expo, 'sglang:token_usage'),
    ),
    prefixCacheHits: first(
      counterValue(expo, 'vllm:prefix_cache_hits'),
      counterValue(expo, 'vllm:gpu_prefix_cache_hits'),
    ),
    prefixCacheQueries: first(
      counterValue(expo, 'vllm:prefix_cache_queries'),
      counterValue(expo, 'vllm:gpu_prefix_cache_queries'),
    ),
    prefixCacheHitRateGauge: first(
      sumOf(expo, 'vllm:prefix_cache_hit_rate'),
      sumOf(expo, 'vllm:gpu_prefix_cache_hit_rate'),
      sumOf(expo, 'sglang:cache_hit_rate'),
    ),
    generationTokensTotal: first(
      counterValue(expo, 'vllm:generation_tokens'),
      counterValue(expo, 'sglang:generation_tokens'),
    ),
    promptTokensTotal: first(
      counterValue(expo, 'vllm:prompt_tokens'),
      counterValue(expo, 'sglang:prompt_tokens'),
    ),
    generationThroughputGauge: first(
      sumOf(expo, 'vllm:avg_generation_throughput_toks_per_s'),
      sumOf(expo, 'sglang:gen_throughput'),
    ),
    queueTime:
      histogramOf(expo, 'vllm:request_queue_time_seconds') ?? histogramOf(expo, 'sglang:queue_time_seconds'),
    prefillTime:
      histogramOf(expo, 'vllm:request_prefill_time_seconds') ??
      histogramOf(expo, 'sglang:prefill_time_seconds'),
  };
}

const diff = (a: number | null | undefined, b: number | null | undefined): number | null =>
  a === null || a === undefined || b === null || b === undefined ? null : b - a;

export function deltaOf(pre: ServerMetricsReading, post: ServerMetricsReading): ServerMetricsDelta {
  const windowS = (post.tMs - pre.tMs) / 1000;
  const gen = diff(pre.generationTokensTotal, post.generationTokensTotal);
  const hits = diff(pre.prefixCacheHits, post.prefixCacheHits);
  const queries = diff(pre.prefixCacheQueries, post.prefixCacheQueries);
  const q = histogramDelta(pre.queueTime, post.queueTime);
  const p = histogramDelta(pre.prefillTime, post.prefillTime);
  return {
    windowS,
    generationTokens: gen,
    promptTokens: diff(pre.promptTokensTotal, post.promptTokensTotal),
    generationThroughputTokPerS: gen !== null && windowS > 0 ? gen / windowS : null,
    prefixCacheHits: hits,
    prefixCacheQueries: queries,
    prefixCacheHitRate: hits !== null && queries !== null && queries > 0 ? hits / queries : null,
    queueTimeMeanS: histogramMean(q),
    queueTimeCount: q ? q.count : null,
    prefillTimeMeanS: histogramMean(p),
    prefillTimeCount: p ? p.count : null,
  };
}

function summarizeDuring(readings: readonly ServerMetricsReading[], failed: number): ServerMetricsDuring {
  const col = (pick: (r: ServerMetricsReading) => number | null): number[] =>
    readings.map(pick).filter((v): v is number => v !== null && Number.isFinite(v));
  const max = (xs: number[]): number | null => (xs.length ? Math.max(...xs) : null);
  const mean = (xs: number[]): number | null =>
    xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null;
  const running = col((r) => r.numRequestsRunning);
  const kv = col((r) => r.kvCacheUsagePerc);
  return {
    scrapes: readings.length,
    failedScrapes: failed,
    numRequestsRunningMax: max(running),
    numRequestsRunningMean: mean(running),
    numRequestsWaitingMax: max(col((r) => r.numRequestsWaiting)),
    kvCacheUsagePercMax: max(kv),
    kvCacheUsagePercMean: mean(kv),
  };
}

export function canonicalOf(
  pre: ServerMetricsReading | null,
  post: ServerMetricsReading | null,
  delta: ServerMetricsDelta | null,
  during: ServerMetricsDuring,
): CanonicalServerMetrics {
  return {
    'vllm:prefix_cache_hit_rate': first(
      delta?.prefixCacheHitRate ?? null,
      post?.prefixCacheHitRateGauge ?? null,
    ),
    'vllm:gpu_cache_usage_perc': first(during.kvCacheUsagePercMean, post?.kvCacheUsagePerc ?? null),
    'vllm:num_requests_running': first(during.numRequestsRunningMean, post?.numRequestsRunning ?? null),
    'vllm:avg_generation_throughput_toks_per_s': first(
      delta?.generationThroughputTokPerS ?? null,
      post?.generationThroughputGauge ?? null,
    ),
  };
}

export interface ServerMetricsRecorderOptions {
  readonly intervalMs?: number;
  readonly timeoutMs?: number;
  /** Monotonic clock (ms); default performance.now. */
  readonly now?: () => number;
}

/**
 * Scrapes `url` before (start), every intervalMs during, and after (stop) a measurement point.
 * Never throws: scrape failures are counted and listed in `errors`.
 */
export class ServerMetricsRecorder {
  readonly url: string;
  private readonly intervalMs: number;
  private readonly timeoutMs: number;
  private readonly now: () => number;
  private pre: ServerMetricsReading | null = null;
  private readonly readings: ServerMetricsReading[] = [];
  private failed = 0;
  private readonly errors: string[] = [];
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> | null = null;
  private flavor: EngineFlavor = 'unknown';

  constructor(url: string, opts: ServerMetricsRecorderOptions = {}) {
    this.url = url;
    this.intervalMs = opts.intervalMs ?? 1000;
    this.timeoutMs = opts.timeoutMs ?? Math.min(5000, Math.max(500, this.intervalMs));
    this.now = opts.now ?? (() => performance.now());
  }

  private async scrape(phase: string): Promise<ServerMetricsReading | null> {
    try {
      const expo = await scrapePrometheus(this.url, { timeoutMs: this.timeoutMs });
      const r = readServerMetrics(expo, this.now());
      if (r.flavor !== 'unknown') this.flavor = r.flavor;
      return r;
    } catch (e) {
      this.failed++;
      if (this.errors.length < 20)
        this.errors.push(`${phase}: ${e instanceof Error ? e.message : String(e)}`);
      return null;
    }
  }

  /** Takes the "pre" scrape and starts the periodic ones. */
  async start(): Promise<ServerMetricsReading | null> {
    this.pre = await this.scrape('pre');
    this.timer = setInterval(() => {
      if (this.inFlight) return; // a slow server: skip rather than pile up
      this.inFlight = this.scrape('during').then((r) => {
        if (r) this.readings.push(r);
        this.inFlight = null;
      });
    }, this.intervalMs);
    this.timer.unref();
    return this.pre;
  }

  /**
   * The periodic scrapes into the envelope's timeline block: running and waiting requests, KV-cache
   * usage (fraction) and the prefix-cache hit rate over each scrape interval (from the counters when
   * the server exports them, else its gauge).
   */
  timelineInto(builder: TimelineBuilder): void {
    let prev = this.pre;
    for (const r of this.readings) {
      if (r.numRequestsRunning !== null) builder.add('server_running', r.tMs, r.numRequestsRunning);
      if (r.numRequestsWaiting !== null) builder.add('server_waiting', r.tMs, r.numRequestsWaiting);
      if (r.kvCacheUsagePerc !== null) builder.add('server_kv_usage', r.tMs, r.kvCacheUsagePerc);
      const dq = (r.prefixCacheQueries ?? NaN) - (prev?.prefixCacheQueries ?? NaN);
      const dh = (r.prefixCacheHits ?? NaN) - (prev?.prefixCacheHits ?? NaN);
      if (dq > 0 && dh >= 0) builder.add('server_prefix_hit_rate', r.tMs, dh / dq);
      else if (r.prefixCacheHitRateGauge !== null)
        builder.add('server_prefix_hit_rate', r.tMs, r.prefixCacheHitRateGauge);
      prev = r;
    }
  }

  /** Stops the periodic scrapes, takes the "post" scrape, and returns pre/post/delta. */
  async stop(): Promise<ServerMetricsResult> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.inFlight) await this.inFlight;
    const post = await this.scrape('post');
    const delta = this.pre && post ? deltaOf(this.pre, post) : null;
    const during = summarizeDuring(this.readings, this.failed);
    return {
      flavor: this.flavor,
      pre: this.pre,
      post,
      delta,
      during,
      canonical: canonicalOf(this.pre, post, delta, during),
      errors: [...this.errors],
    };
  }
}
