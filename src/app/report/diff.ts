// `bench diff`: per-metric verdicts between a baseline and a candidate envelope, the reference's
// direction policy, context warnings, and a confidence interval on the difference when the
// envelopes carry one (see docs/commands.md "How diff decides").
import {
  getPath,
  getString,
  metricCi,
  numericMetrics,
  sweepPointOf,
  suiteId,
  type EnvelopeLike,
  type LoadedEnvelope,
  type MetricCi,
} from './envelopeView.js';
import {
  datasetOf,
  isSloMetric,
  sameThresholds,
  sameWorkload,
  sloContextOf,
  thresholdsWarning,
  workloadWarning,
  type DatasetRef,
  type SloContext,
} from './interop.js';
import {
  bootstrapSampleQuantileDifference,
  sampleProviderFor,
  type PerRequestSamples,
  type SampleProvider,
} from './diff-samples.js';

export type Direction = 'lower' | 'higher';
export type Verdict = 'improvement' | 'regression' | 'no_change' | 'unknown' | 'missing';

const LOWER_EXACT = new Set([
  'joules_per_token',
  'energy_joules_total',
  'power_avg_w',
  'power_peak_w',
  'cost_usd_per_million_tokens',
]);
const HIGHER_EXACT = new Set([
  'throughput_tok_per_s',
  'req_per_s_passing',
  'req_per_s_all',
  'compliance_rate',
  'ok_rate',
  'goodput_at_slo',
]);
/** Latency families: the reference's ttft/tpot/total plus ours (DESIGN.md §4). */
const LOWER_PREFIXES = [
  'ttft_',
  'tpot_',
  'total_',
  'itl_',
  'icl_',
  'ttfo_',
  'ttst_',
  'ttft_sched_',
  'client_queue_delay_',
  'e2e_',
];
const HIGHER_PATTERNS = [/^throughput_tok_per_s_/, /^goodput_/, /^tok_per_s_per_user/];

export function metricDirection(key: string): Direction | undefined {
  if (LOWER_EXACT.has(key)) return 'lower';
  if (HIGHER_EXACT.has(key)) return 'higher';
  if (LOWER_PREFIXES.some((prefix) => key.startsWith(prefix)) && /_p\d+(?:\.\d+)?_ms$|_mean_ms$/.test(key))
    return 'lower';
  if (HIGHER_PATTERNS.some((pattern) => pattern.test(key))) return 'higher';
  return undefined;
}

export interface DiffCi {
  readonly lo: number;
  readonly hi: number;
  /**
   * How the interval was obtained: bootstrap over per-request samples (the journal, else the
   * envelope's sample block), bootstrap over histogram bins (fallback, with a note), or MOVER from
   * each side's own CI.
   */
  readonly method: 'bootstrap' | 'bootstrap_bins' | 'mover';
  /** Where the per-request samples came from (method 'bootstrap'). */
  readonly samples?: PerRequestSamples['origin'];
  /** Whether the change is treated as noise (difference CI contains 0 / the 95 % CIs overlap). */
  readonly containsNoChange: boolean;
}

export interface MetricDiff {
  readonly metric: string;
  readonly baseline: number | undefined;
  readonly candidate: number | undefined;
  readonly delta: number | undefined;
  readonly relative: number | undefined;
  readonly direction: Direction | undefined;
  readonly verdict: Verdict;
  readonly ci?: DiffCi;
  readonly note?: string;
}

/** One entry of InferenceBench's `context_match` (diff --report json). */
export interface ContextField {
  readonly baseline: string | null;
  readonly candidate: string | null;
  readonly match: boolean;
}

/** Whether the two runs are the same workload under the same SLO thresholds (issue 16). */
export interface WorkloadMatch {
  readonly sameWorkload: boolean;
  readonly baselineDataset: DatasetRef;
  readonly candidateDataset: DatasetRef;
  readonly sameThresholds: boolean;
  readonly baselineSlo: SloContext;
  readonly candidateSlo: SloContext;
}

export interface DiffResult {
  readonly baselinePath: string;
  readonly candidatePath: string;
  readonly tolerance: number;
  /** Every metric either side has, sorted by name (rows with verdict `missing` included). */
  readonly rows: readonly MetricDiff[];
  readonly warnings: readonly string[];
  readonly counts: Readonly<Record<Verdict, number>>;
  /** InferenceBench's context_match fields, in their order (suite_id … hardware_fingerprint). */
  readonly context: Readonly<Record<string, ContextField>>;
  readonly workload: WorkloadMatch;
  /** Metrics only one side has (the `missing` rows), by side. */
  readonly onlyBaseline: readonly string[];
  readonly onlyCandidate: readonly string[];
}

export const THRESHOLDS_DIFFER_NOTE = 'thresholds differ: compliance and goodput are not comparable';

/**
 * MOVER (method of variance estimates recovery) interval for candidate − baseline from each
 * side's own 95 % CI: asymmetric, exact when each CI is.
 */
export function moverDifferenceCi(
  b: number,
  bCi: MetricCi,
  c: number,
  cCi: MetricCi,
): { lo: number; hi: number } {
  const d = c - b;
  const lo = d - Math.sqrt((c - cCi.lo) ** 2 + (bCi.hi - b) ** 2);
  const hi = d + Math.sqrt((cCi.hi - c) ** 2 + (b - bCi.lo) ** 2);
  return { lo, hi };
}

export function intervalsOverlap(a: MetricCi, b: MetricCi): boolean {
  return a.lo <= b.hi && b.lo <= a.hi;
}

// ---- bootstrap over per-request histograms -------------------------------------------------

export interface Histogram {
  readonly edgesMs: readonly number[];
  readonly counts: readonly number[];
}

function histogramOf(envelope: EnvelopeLike, name: string): Histogram | undefined {
  for (const key of [name, `${name}_ms`]) {
    const h = getPath(envelope, 'histograms', key);
    const edges = getPath(h, 'edges_ms');
    const counts = getPath(h, 'counts');
    if (
      Array.isArray(edges) &&
      Array.isArray(counts) &&
      counts.length > 0 &&
      edges.length === counts.length + 1
    ) {
      if (edges.every((e) => typeof e === 'number') && counts.every((c) => typeof c === 'number' && c >= 0)) {
        return { edgesMs: edges, counts: counts as number[] };
      }
    }
  }
  return undefined;
}

/** Deterministic PRNG (mulberry32) so a diff report is reproducible. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Linear (type 7) quantile of a sample given as counts per value (values ascending). */
function quantileFromCounts(
  values: readonly number[],
  counts: readonly number[],
  total: number,
  q: number,
): number {
  const h = (total - 1) * q;
  const lo = Math.floor(h);
  const frac = h - lo;
  const at = (k: number): number => {
    let seen = 0;
    for (let i = 0; i < counts.length; i++) {
      seen += counts[i] ?? 0;
      if (k < seen) return values[i] ?? 0;
    }
    return values[values.length - 1] ?? 0;
  };
  const a = at(lo);
  return frac === 0 ? a : a + (at(Math.min(total - 1, lo + 1)) - a) * frac;
}

function resampleCounts(cdf: readonly number[], total: number, random: () => number): number[] {
  const counts = new Array<number>(cdf.length).fill(0);
  for (let i = 0; i < total; i++) {
    const u = random();
    let lo = 0;
    let hi = cdf.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cdf[mid] ?? 1) > u) hi = mid;
      else lo = mid + 1;
    }
    counts[lo] = (counts[lo] ?? 0) + 1;
  }
  return counts;
}

/**
 * Percentile bootstrap of quantile(candidate) − quantile(baseline), resampling each side's
 * requests (represented by their histogram bin midpoints) with replacement.
 */
export function bootstrapQuantileDifference(
  baseline: Histogram,
  candidate: Histogram,
  q: number,
  resamples = 1000,
  seed = 42,
): { lo: number; hi: number } | undefined {
  const prep = (h: Histogram) => {
    const values = h.counts.map((_, i) => ((h.edgesMs[i] ?? 0) + (h.edgesMs[i + 1] ?? 0)) / 2);
    const total = h.counts.reduce((s, c) => s + c, 0);
    let run = 0;
    const cdf = h.counts.map((c) => (run += c) / total);
    return { values, total, cdf };
  };
  const b = prep(baseline);
  const c = prep(candidate);
  if (b.total < 2 || c.total < 2) return undefined;
  const random = mulberry32(seed);
  const deltas: number[] = [];
  for (let r = 0; r < resamples; r++) {
    const bq = quantileFromCounts(b.values, resampleCounts(b.cdf, b.total, random), b.total, q);
    const cq = quantileFromCounts(c.values, resampleCounts(c.cdf, c.total, random), c.total, q);
    deltas.push(cq - bq);
  }
  deltas.sort((x, y) => x - y);
  const pick = (p: number): number =>
    deltas[Math.min(deltas.length - 1, Math.max(0, Math.round(p * (deltas.length - 1))))] ?? 0;
  return { lo: pick(0.025), hi: pick(0.975) };
}

function percentileKey(metric: string): { base: string; q: number } | undefined {
  const match = /^([a-z_]+?)_p(\d+(?:\.\d+)?)_ms$/.exec(metric);
  if (!match?.[1] || !match[2]) return undefined;
  return { base: match[1], q: Number(match[2]) / 100 };
}

/** Note on a CI that is not from per-request samples, or on one that had to be dropped. */
const BINS_NOTE = 'CI from histogram bins (no per-request samples in either envelope): coarse';

function differenceCi(
  baseline: EnvelopeLike,
  candidate: EnvelopeLike,
  metric: string,
  b: number,
  c: number,
  providers: { baseline: SampleProvider; candidate: SampleProvider },
): { ci?: DiffCi; note?: string } {
  const delta = c - b;
  // A difference CI that excludes the observed difference (e.g. [0, 0] next to a non-zero
  // change: every resample fell in the same bins) says nothing: never shown.
  const credible = (ci: { lo: number; hi: number }): boolean =>
    ci.lo <= delta + 1e-9 * Math.max(1, Math.abs(delta)) &&
    ci.hi >= delta - 1e-9 * Math.max(1, Math.abs(delta));
  let note: string | undefined;
  const pk = percentileKey(metric);
  if (pk) {
    const sb = providers.baseline(pk.base);
    const sc = providers.candidate(pk.base);
    if (sb && sc) {
      const ci = bootstrapSampleQuantileDifference(sb, sc, pk.q, mulberry32(seedOf(metric)));
      if (ci && credible(ci)) {
        const origin = sb.origin === 'journal' && sc.origin === 'journal' ? 'journal' : 'sample_block';
        return {
          ci: { ...ci, method: 'bootstrap', samples: origin, containsNoChange: ci.lo <= 0 && ci.hi >= 0 },
        };
      }
    }
    const hb = histogramOf(baseline, pk.base);
    const hc = histogramOf(candidate, pk.base);
    if (hb && hc) {
      const ci = bootstrapQuantileDifference(hb, hc, pk.q);
      if (ci && credible(ci))
        return {
          ci: { ...ci, method: 'bootstrap_bins', containsNoChange: ci.lo <= 0 && ci.hi >= 0 },
          note: BINS_NOTE,
        };
      if (ci)
        note = `histogram-bin CI [${fmt(ci.lo)}, ${fmt(ci.hi)}] excludes the change: bins too coarse, not shown`;
    }
  }
  const bCi = metricCi(baseline, metric);
  const cCi = metricCi(candidate, metric);
  if (!bCi || !cCi) return note !== undefined ? { note } : {};
  const ci = moverDifferenceCi(b, bCi, c, cCi);
  return {
    ci: {
      ...ci,
      method: 'mover',
      containsNoChange: intervalsOverlap(bCi, cCi) || (ci.lo <= 0 && ci.hi >= 0),
    },
    ...(note !== undefined ? { note } : {}),
  };
}

const fmt = (v: number): string => String(Number(v.toPrecision(4)));

/** A fixed seed per metric name: the same two envelopes always give the same interval. */
function seedOf(metric: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < metric.length; i++) h = Math.imul(h ^ metric.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

// ---- verdicts --------------------------------------------------------------------------------

export function diffMetric(
  metric: string,
  baseline: EnvelopeLike,
  candidate: EnvelopeLike,
  b: number | undefined,
  c: number | undefined,
  tolerance: number,
  providers: { baseline: SampleProvider; candidate: SampleProvider } = {
    baseline: sampleProviderFor(baseline),
    candidate: sampleProviderFor(candidate),
  },
): MetricDiff {
  const direction = metricDirection(metric);
  if (b === undefined || c === undefined) {
    return {
      metric,
      baseline: b,
      candidate: c,
      delta: undefined,
      relative: undefined,
      direction,
      verdict: 'missing',
    };
  }
  const delta = c - b;
  const relative = b !== 0 ? delta / Math.abs(b) : delta === 0 ? 0 : Math.sign(delta) * Infinity;
  const { ci, note: ciNote } = differenceCi(baseline, candidate, metric, b, c, providers);
  const base = {
    metric,
    baseline: b,
    candidate: c,
    delta,
    relative,
    direction,
    ...(ci ? { ci } : {}),
    ...(ciNote !== undefined ? { note: ciNote } : {}),
  };
  if (direction === undefined) return { ...base, verdict: 'unknown' };
  if (Math.abs(relative) <= tolerance) return { ...base, verdict: 'no_change' };
  if (ci?.containsNoChange) {
    const inside = `beyond ±${(tolerance * 100).toFixed(1)}% but inside the 95% CI (${ci.method})`;
    return { ...base, verdict: 'no_change', note: ciNote !== undefined ? `${inside}; ${ciNote}` : inside };
  }
  const better = direction === 'higher' ? delta > 0 : delta < 0;
  return { ...base, verdict: better ? 'improvement' : 'regression' };
}

/** [context_match key, warning label, envelope path], as InferenceBench's diff checks them. */
const CONTEXT_FIELDS: readonly (readonly [string, string, readonly string[]])[] = [
  ['suite_id', 'suite_id', ['suite_id']],
  ['model_id', 'model.id', ['model', 'id']],
  ['engine_name', 'engine.name', ['engine', 'name']],
  ['engine_version', 'engine.version', ['engine', 'version']],
  ['quantization_format', 'quantization.format', ['quantization', 'format']],
  ['hardware_fingerprint', 'hardware fingerprint', ['hardware_fingerprint', 'fingerprint_sha256']],
];

export function contextMatch(
  baseline: EnvelopeLike,
  candidate: EnvelopeLike,
): Readonly<Record<string, ContextField>> {
  const out: Record<string, ContextField> = {};
  for (const [key, , path] of CONTEXT_FIELDS) {
    const a = getString(baseline, ...path) ?? null;
    const b = getString(candidate, ...path) ?? null;
    out[key] = { baseline: a, candidate: b, match: a === b };
  }
  return out;
}

export function contextWarnings(baseline: EnvelopeLike, candidate: EnvelopeLike): string[] {
  const warnings: string[] = [];
  for (const [, label, keys] of CONTEXT_FIELDS) {
    const a = getString(baseline, ...keys) ?? '(none)';
    const b = getString(candidate, ...keys) ?? '(none)';
    if (a !== b) warnings.push(`${label} differs: baseline ${a}, candidate ${b}`);
  }
  return warnings;
}

/** Across different SLO thresholds a compliance/goodput change is not a verdict (issue 16). */
function withoutThresholdVerdict(row: MetricDiff): MetricDiff {
  if (!isSloMetric(row.metric) || row.verdict === 'missing') return row;
  return { ...row, verdict: 'unknown', note: THRESHOLDS_DIFFER_NOTE };
}

/** Per-request samples read from each side's journal (loadJournalSamples), when available. */
export interface DiffSamples {
  readonly baseline?: ReadonlyMap<string, PerRequestSamples>;
  readonly candidate?: ReadonlyMap<string, PerRequestSamples>;
}

export function diffEnvelopes(
  baseline: LoadedEnvelope,
  candidate: LoadedEnvelope,
  tolerance: number,
  journals: DiffSamples = {},
): DiffResult {
  const bm = numericMetrics(baseline.envelope);
  const cm = numericMetrics(candidate.envelope);
  const keys = [...new Set([...bm.keys(), ...cm.keys()])].sort();
  const thresholdsSame = sameThresholds(baseline.envelope, candidate.envelope);
  const providers = {
    baseline: sampleProviderFor(baseline.envelope, journals.baseline),
    candidate: sampleProviderFor(candidate.envelope, journals.candidate),
  };
  const rows = keys.map((key) => {
    const row = diffMetric(
      key,
      baseline.envelope,
      candidate.envelope,
      bm.get(key),
      cm.get(key),
      tolerance,
      providers,
    );
    return thresholdsSame ? row : withoutThresholdVerdict(row);
  });
  const counts: Record<Verdict, number> = {
    improvement: 0,
    regression: 0,
    no_change: 0,
    unknown: 0,
    missing: 0,
  };
  for (const row of rows) counts[row.verdict]++;
  const interop = [
    workloadWarning(baseline.envelope, candidate.envelope),
    thresholdsWarning(baseline.envelope, candidate.envelope),
  ].filter((w): w is string => w !== null);
  return {
    baselinePath: baseline.path,
    candidatePath: candidate.path,
    tolerance,
    rows,
    warnings: [...contextWarnings(baseline.envelope, candidate.envelope), ...interop],
    counts,
    context: contextMatch(baseline.envelope, candidate.envelope),
    workload: {
      sameWorkload: sameWorkload(baseline.envelope, candidate.envelope),
      baselineDataset: datasetOf(baseline.envelope),
      candidateDataset: datasetOf(candidate.envelope),
      sameThresholds: thresholdsSame,
      baselineSlo: sloContextOf(baseline.envelope),
      candidateSlo: sloContextOf(candidate.envelope),
    },
    onlyBaseline: rows
      .filter((r) => r.baseline !== undefined && r.candidate === undefined)
      .map((r) => r.metric),
    onlyCandidate: rows
      .filter((r) => r.baseline === undefined && r.candidate !== undefined)
      .map((r) => r.metric),
  };
}

// ---- directories -----------------------------------------------------------------------------

/** Match key: suite and sweep point (file prefix c<N>/r<R>; "" for a single point). */
export function matchKey(loaded: LoadedEnvelope): string {
  return `${suiteId(loaded.envelope)} ${sweepPointOf(loaded.path) || '-'}`;
}

export interface DirectoryPairing {
  readonly pairs: readonly { key: string; baseline: LoadedEnvelope; candidate: LoadedEnvelope }[];
  readonly onlyBaseline: readonly string[];
  readonly onlyCandidate: readonly string[];
  readonly duplicates: readonly string[];
}

function newestByKey(
  list: readonly LoadedEnvelope[],
  duplicates: string[],
  side: string,
): Map<string, LoadedEnvelope> {
  const out = new Map<string, LoadedEnvelope>();
  for (const item of list) {
    const key = matchKey(item);
    const existing = out.get(key);
    if (existing) {
      duplicates.push(`${side}: ${key} appears more than once; using the newest (timestamp)`);
      const t = (l: LoadedEnvelope): string => getString(l.envelope, 'timestamp') ?? '';
      if (t(item) > t(existing)) out.set(key, item);
    } else {
      out.set(key, item);
    }
  }
  return out;
}

export function pairDirectories(
  baseline: readonly LoadedEnvelope[],
  candidate: readonly LoadedEnvelope[],
): DirectoryPairing {
  const duplicates: string[] = [];
  const b = newestByKey(baseline, duplicates, 'baseline');
  const c = newestByKey(candidate, duplicates, 'candidate');
  const pairs = [...b.keys()]
    .filter((key) => c.has(key))
    .sort(comparePointKeys)
    .map((key) => ({ key, baseline: b.get(key) as LoadedEnvelope, candidate: c.get(key) as LoadedEnvelope }));
  return {
    pairs,
    onlyBaseline: [...b.keys()].filter((k) => !c.has(k)).sort(comparePointKeys),
    onlyCandidate: [...c.keys()].filter((k) => !b.has(k)).sort(comparePointKeys),
    duplicates,
  };
}

function comparePointKeys(a: string, b: string): number {
  const [sa = '', pa = ''] = a.split(' ');
  const [sb = '', pb = ''] = b.split(' ');
  if (sa !== sb) return sa < sb ? -1 : 1;
  const num = (p: string): number => (/^[cr]/.test(p) ? Number(p.slice(1)) : -1);
  if (pa[0] !== pb[0]) return pa < pb ? -1 : 1;
  return num(pa) - num(pb);
}
