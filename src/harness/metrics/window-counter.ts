// The per-record counting of a point (docs/metrics.md): which records are warm-up, sent or
// scheduled inside the measurement window, completed in it, cancelled, measured, successful and
// good, and the sums the rates are made of. One implementation for the single-process accumulator
// (compute.ts) and a shard's tally (shard/tally.ts): it keeps raw counts and sums, never ratios, so
// the counters of N shards add up to the counters one process would have had.
import type { RequestRecord } from '../types.js';
import { ChunkSizeAccumulator, type ChunkSizeHistogram } from './chunk-sizes.js';
import { e2eMs, e2eSchedMs, tpotMs, ttfoMs, ttftMs, ttftSchedMs, type SampleOut } from './samples.js';
import type { SloMetric, SloTemplate } from './slo.js';

export interface MeasurementWindow {
  readonly startMs: number;
  readonly endMs: number;
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

const SLO_VALUE: Record<SloMetric, (r: RequestRecord) => number | null> = {
  ttft: ttftMs,
  ttft_sched: ttftSchedMs,
  ttfo: ttfoMs,
  total: e2eMs,
  total_sched: e2eSchedMs,
  tpot: tpotMs,
  itl: tpotMs,
};

/** Whether a request meets one SLO limit (a metric it has no value for, e.g. tpot for osl < 2, counts as met). */
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

/** A point's counters in their JSON form (a shard envelope's `shard.counters`). Times in ms. */
export interface WindowCounters {
  /** Non-warm-up requests scheduled inside the window, cancelled ones excepted. */
  readonly measured: number;
  readonly ok: number;
  readonly errors_by_code: Readonly<Record<string, number>>;
  readonly good: number;
  readonly osl_from_usage: number;
  readonly osl_counted: number;
  readonly osl_sum: number;
  readonly isl_sum: number;
  readonly isl_n: number;
  readonly tokens_in_window: number;
  readonly completions_in_window: number;
  readonly good_completions_in_window: number;
  readonly good_tokens_in_window: number;
  /** Earliest t_send of a measured successful request, null when none. */
  readonly first_dispatch_ms: number | null;
  readonly last_completion_ms: number | null;
  readonly last_token_ms: number | null;
  /** Event gaps that are exactly 0 (for icl_coalesced_fraction). */
  readonly coalesced: number;
  /** Per SLO of the template, in template order: measured requests meeting it. */
  readonly slo_pass: readonly number[];
  readonly warmup: number;
  readonly outside_window: number;
  /** Requests cut on purpose (--cancel-rate) in the window: outside every denominator. */
  readonly cancelled: number;
  /** Non-warm-up requests whose t_send fell in the window (offered vs achieved rate). */
  readonly sent_in_window: number;
  /** What the SLO pass counts were judged on: 'sent' (closed loop) or 'scheduled' (open loop). */
  readonly slo_basis: SloBasis;
  /** Tokens per SSE event of measured successful requests (mergeable: buckets add). */
  readonly chunk_sizes: ChunkSizeHistogram;
}

export class WindowCounter {
  private readonly sloPass: number[];
  private readonly errorsByCode: Record<string, number> = {};
  private measured = 0;
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
  private warmup = 0;
  private outsideWindow = 0;
  private cancelled = 0;
  private sentInWindow = 0;
  private readonly chunkSizes = new ChunkSizeAccumulator();

  constructor(
    private readonly window: MeasurementWindow,
    private readonly template: SloTemplate | null,
    private readonly basis: SloBasis = 'sent',
  ) {
    this.sloPass = template === null ? [] : template.slos.map(() => 0);
  }

  /**
   * Counts one record (any order). Returns true when it is a measured successful request, whose
   * samples then belong to the distributions; its event gaps (the icl samples) go to `gaps` in the
   * same pass that counts the coalesced ones.
   */
  add(r: RequestRecord, gaps: SampleOut | null = null): boolean {
    const window = this.window;
    const template = this.template;
    const okRecord = r.errorCode === null;
    const good = okRecord && isGood(r, template, this.basis);
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
      return false;
    }
    // Cancelled on purpose (--cancel-rate): outside every denominator, counted on their own.
    if (r.errorCode === 'cancelled') {
      this.cancelled++;
      return false;
    }
    this.measured++;
    if (!okRecord) {
      const code = r.errorCode as string;
      this.errorsByCode[code] = (this.errorsByCode[code] ?? 0) + 1;
      return false;
    }
    if (template !== null) {
      const slos = template.slos;
      for (let i = 0; i < slos.length; i++) {
        const slo = slos[i] as (typeof slos)[number];
        if (meets(r, sloMetricFor(slo.metric, this.basis), slo.maxMs))
          this.sloPass[i] = (this.sloPass[i] ?? 0) + 1;
      }
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
    const times = r.eventTimesMs;
    for (let i = 1; i < times.length; i++) {
      const gap = (times[i] as number) - (times[i - 1] as number);
      if (gap === 0) this.coalesced++;
      if (gaps !== null) gaps.push(gap);
    }
    this.chunkSizes.add(r.eventTokens, r.chunkTokensSource ?? 'one_per_event');
    return true;
  }

  /** The counters so far, with times mapped by `toCommonMs` (a shard maps them to the common clock). */
  counters(toCommonMs: (monotonicMs: number) => number = (t) => t): WindowCounters {
    const time = (t: number): number | null => (Number.isFinite(t) ? toCommonMs(t) : null);
    return {
      measured: this.measured,
      ok: this.ok,
      errors_by_code: { ...this.errorsByCode },
      good: this.good,
      osl_from_usage: this.oslFromUsage,
      osl_counted: this.oslCounted,
      osl_sum: this.oslSum,
      isl_sum: this.islSum,
      isl_n: this.islN,
      tokens_in_window: this.tokensInWindow,
      completions_in_window: this.completionsInWindow,
      good_completions_in_window: this.goodCompletionsInWindow,
      good_tokens_in_window: this.goodTokensInWindow,
      first_dispatch_ms: time(this.firstDispatch),
      last_completion_ms: time(this.lastCompletion),
      last_token_ms: time(this.lastToken),
      coalesced: this.coalesced,
      slo_pass: [...this.sloPass],
      warmup: this.warmup,
      outside_window: this.outsideWindow,
      cancelled: this.cancelled,
      sent_in_window: this.sentInWindow,
      slo_basis: this.basis,
      chunk_sizes: this.chunkSizes.finish(),
    };
  }
}
