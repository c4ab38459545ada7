// The mergeable counters of one shard's point, and PointMetrics rebuilt from merged parts.
//
// ShardTally consumes the same records, with the same rules, as MetricsAccumulator
// (src/harness/metrics/compute.ts) but keeps the raw counts and sums instead of ratios, so that
// counts from N shards add up to the counts one process would have had. metricsFromParts() is
// MetricsAccumulator.finish() over merged parts; for one shard it reproduces the accumulator's
// metrics exactly (tested), and the merge of N shards of a record set reproduces the metrics of
// the whole set.
import {
  DISTRIBUTION_NAMES,
  inWindow,
  isGood,
  meets,
  sloMetricFor,
  type SloBasis,
  summarizeSorted,
  type Distribution,
  type DistributionName,
  type MeasurementWindow,
  type PointMetrics,
  type SloReport,
  type SloTargetResult,
} from '../metrics/compute.js';
import { percentileSorted } from '../metrics/percentile.js';
import type { SortedSamples } from '../metrics/sample-sink.js';
import type { SloTemplate } from '../metrics/slo.js';
import { ChunkSizeAccumulator, type ChunkSizeHistogram } from '../metrics/chunk-sizes.js';
import type { RequestRecord } from '../types.js';
import { ShardError } from './errors.js';

/** JSON form of a shard's counters (the envelope's `shard.counters`). Times in common-clock ms. */
export interface ShardCounters {
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
  /** Earliest t_send of a measured successful request (common clock), null when none. */
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

export class ShardTally {
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

  add(r: RequestRecord): void {
    const window = this.window;
    const okRecord = r.errorCode === null;
    const good = okRecord && isGood(r, this.template, this.basis);
    if (r.warmup) this.warmup++;
    else if (r.tSendMs >= window.startMs && r.tSendMs <= window.endMs) this.sentInWindow++;
    if (okRecord) {
      const times = r.eventTimesMs;
      let inside = 0;
      for (let i = 0; i < times.length; i++) {
        const t = times[i] as number;
        if (t >= window.startMs && t <= window.endMs) inside += r.eventTokens[i] ?? 1;
      }
      this.tokensInWindow += inside;
      if (good && !r.warmup) this.goodTokensInWindow += inside;
      if (!r.warmup && r.tLastMs !== null && r.tLastMs >= window.startMs && r.tLastMs <= window.endMs) {
        this.completionsInWindow++;
        if (good) this.goodCompletionsInWindow++;
      }
    }
    if (!inWindow(r, window)) {
      if (!r.warmup) this.outsideWindow++;
      return;
    }
    if (r.errorCode === 'cancelled') {
      this.cancelled++;
      return;
    }
    this.measured++;
    this.template?.slos.forEach((slo, index) => {
      if (okRecord && meets(r, sloMetricFor(slo.metric, this.basis), slo.maxMs))
        this.sloPass[index] = (this.sloPass[index] ?? 0) + 1;
    });
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
    const times = r.eventTimesMs;
    for (let i = 1; i < times.length; i++)
      if ((times[i] as number) === (times[i - 1] as number)) this.coalesced++;
    this.chunkSizes.add(r.eventTokens, r.chunkTokensSource ?? 'one_per_event');
  }

  /** The counters, with monotonic times mapped to the common clock by `toCommonMs`. */
  counters(toCommonMs: (monotonicMs: number) => number = (t) => t): ShardCounters {
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

const COUNT_FIELDS = [
  'measured',
  'ok',
  'good',
  'osl_from_usage',
  'osl_counted',
  'osl_sum',
  'isl_sum',
  'isl_n',
  'tokens_in_window',
  'completions_in_window',
  'good_completions_in_window',
  'good_tokens_in_window',
  'coalesced',
  'warmup',
  'outside_window',
  'cancelled',
  'sent_in_window',
] as const;

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** Checks counters read from an envelope; `sloCount` is the template's number of SLOs. */
export function parseCounters(value: unknown, sloCount: number, label: string): ShardCounters {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new ShardError(`${label}: counters missing`, 'E_SHARD_COUNTERS');
  const v = value as Record<string, unknown>;
  for (const field of COUNT_FIELDS)
    if (!isCount(v[field]))
      throw new ShardError(`${label}: counters.${field} must be a non-negative integer`, 'E_SHARD_COUNTERS');
  for (const field of ['first_dispatch_ms', 'last_completion_ms', 'last_token_ms'])
    if (v[field] !== null && !(typeof v[field] === 'number' && Number.isFinite(v[field])))
      throw new ShardError(`${label}: counters.${field} must be a number or null`, 'E_SHARD_COUNTERS');
  const errors = v.errors_by_code;
  if (errors === null || typeof errors !== 'object' || Array.isArray(errors))
    throw new ShardError(`${label}: counters.errors_by_code must be an object`, 'E_SHARD_COUNTERS');
  for (const [code, n] of Object.entries(errors))
    if (!isCount(n))
      throw new ShardError(`${label}: counters.errors_by_code.${code} is not a count`, 'E_SHARD_COUNTERS');
  const pass = v.slo_pass;
  if (!Array.isArray(pass) || pass.length !== sloCount || !pass.every(isCount))
    throw new ShardError(
      `${label}: counters.slo_pass must list ${sloCount} counts (one per SLO of the template)`,
      'E_SHARD_COUNTERS',
    );
  if (v.slo_basis !== 'sent' && v.slo_basis !== 'scheduled')
    throw new ShardError(`${label}: counters.slo_basis must be "sent" or "scheduled"`, 'E_SHARD_COUNTERS');
  const chunks = v.chunk_sizes as { events?: unknown } | null | undefined;
  if (
    chunks === null ||
    typeof chunks !== 'object' ||
    !Array.isArray(chunks.events) ||
    !chunks.events.every(isCount)
  )
    throw new ShardError(`${label}: counters.chunk_sizes must be a chunk-size histogram`, 'E_SHARD_COUNTERS');
  const c = value as ShardCounters;
  const errorTotal = Object.values(c.errors_by_code).reduce((a, b) => a + b, 0);
  if (c.ok + errorTotal !== c.measured || c.good > c.ok)
    throw new ShardError(`${label}: counters are inconsistent (ok + errors ≠ measured)`, 'E_SHARD_COUNTERS');
  return c;
}

/** Sums counters (times: min of first dispatch, max of the last completion/token). */
export function mergeCounters(parts: readonly ShardCounters[], sloCount: number): ShardCounters {
  const errors: Record<string, number> = {};
  const sum = (field: (typeof COUNT_FIELDS)[number]): number => parts.reduce((a, p) => a + p[field], 0);
  for (const p of parts)
    for (const [code, n] of Object.entries(p.errors_by_code)) errors[code] = (errors[code] ?? 0) + n;
  const extreme = (values: (number | null)[], pick: (a: number, b: number) => number): number | null => {
    const present = values.filter((x): x is number => x !== null);
    return present.length === 0 ? null : present.reduce((a, b) => pick(a, b));
  };
  const out: Record<string, unknown> = {};
  for (const field of COUNT_FIELDS) out[field] = sum(field);
  const bases = new Set(parts.map((p) => p.slo_basis));
  if (bases.size > 1)
    throw new ShardError(
      'shards judged their SLOs on different bases (sent vs scheduled)',
      'E_SHARD_MISMATCH',
    );
  const sloPass: number[] = [];
  for (let i = 0; i < sloCount; i++) sloPass.push(parts.reduce((a, p) => a + (p.slo_pass[i] ?? 0), 0));
  return {
    ...(out as Omit<
      ShardCounters,
      | 'errors_by_code'
      | 'first_dispatch_ms'
      | 'last_completion_ms'
      | 'last_token_ms'
      | 'slo_pass'
      | 'slo_basis'
      | 'chunk_sizes'
    >),
    slo_basis: parts[0]?.slo_basis ?? 'sent',
    chunk_sizes: mergeChunkSizes(parts.map((p) => p.chunk_sizes)),
    errors_by_code: errors,
    first_dispatch_ms: extreme(
      parts.map((p) => p.first_dispatch_ms),
      Math.min,
    ),
    last_completion_ms: extreme(
      parts.map((p) => p.last_completion_ms),
      Math.max,
    ),
    last_token_ms: extreme(
      parts.map((p) => p.last_token_ms),
      Math.max,
    ),
    slo_pass: sloPass,
  };
}

function mergeChunkSizes(histograms: readonly ChunkSizeHistogram[]): ChunkSizeHistogram {
  const accumulator = new ChunkSizeAccumulator();
  for (const h of histograms) accumulator.absorb(h);
  return accumulator.finish();
}

/** The seed of a distribution's bootstrap (as MetricsAccumulator derives it). */
export function distributionSeed(seed: number, name: string): number {
  let h = seed >>> 0;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

export interface MetricsParts {
  readonly window: { readonly startMs: number; readonly endMs: number; readonly durationS: number };
  readonly counters: ShardCounters;
  readonly samples: Readonly<Record<DistributionName, SortedSamples>>;
  readonly slo: SloTemplate | null;
  readonly bootstrapResamples: number;
  readonly seed: number;
}

/** PointMetrics from counters and samples: MetricsAccumulator.finish() over mergeable parts. */
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
