// One envelope → the facts the page shows about it. Every block is optional: InferenceBench v1
// envelopes have no run_context, histograms or CIs, and older envelopes of ours lack newer blocks.
import { basename } from 'node:path';
import {
  concurrencyOf,
  engineLabel,
  getPath,
  getString,
  hardwareLabel,
  metricCi,
  metricNumber,
  modelLabel,
  quantLabel,
  suiteId,
  sweepPointOf,
  trialsOf,
  type LoadedEnvelope,
} from '../envelopeView.js';
import { formatNumber } from '../format.js';
import type { HistogramView, ReportLoad, SloTargetView, TimelineView, TrustState } from './model.js';

/** Metrics the page plots or tabulates (v1 keys and ours); others stay in the envelope. */
export const REPORT_METRICS: readonly string[] = [
  'throughput_tok_per_s',
  'goodput_tok_per_s',
  'req_per_s_all',
  'req_per_s_passing',
  'ttft_p50_ms',
  'ttft_p90_ms',
  'ttft_p99_ms',
  'tpot_p50_ms',
  'tpot_p99_ms',
  'itl_p50_ms',
  'itl_p99_ms',
  'total_p50_ms',
  'total_p99_ms',
  'ok_rate',
  'compliance_rate',
  'joules_per_token',
  'power_avg_w',
  'power_peak_w',
  'energy_joules_total',
  'gpu_util_avg_pct',
  'event_loop_delay_p99_ms',
  'pacer_lag_p99_ms',
  'client_cpu_percent',
  'n_requests',
  'isl_mean',
  'osl_mean',
];

/** Histogram blocks the distributions section draws, with the metric keys of their markers. */
export const HISTOGRAMS: readonly { key: string; metric: string; label: string }[] = [
  { key: 'ttft_ms', metric: 'ttft', label: 'TTFT' },
  { key: 'tpot_ms', metric: 'tpot', label: 'TPOT' },
  { key: 'itl_ms', metric: 'itl', label: 'ITL' },
  { key: 'total_ms', metric: 'total', label: 'End-to-end latency' },
];

/** Cap on bins per histogram carried into the page (ours have ~10 per decade, so a few dozen). */
const MAX_BINS = 400;

function finite(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

export function metricsOf(loaded: LoadedEnvelope, load: ReportLoad | null): Record<string, number> {
  const out: Record<string, number> = {};
  for (const key of REPORT_METRICS) {
    const value = metricNumber(loaded.envelope, key);
    if (value !== undefined) out[key] = value;
  }
  const throughput = out['throughput_tok_per_s'];
  if (throughput !== undefined && load?.kind === 'concurrency' && load.value > 0)
    out['tok_per_s_per_user'] = throughput / load.value;
  return out;
}

export function ciOf(loaded: LoadedEnvelope): Record<string, [number, number]> {
  const out: Record<string, [number, number]> = {};
  for (const key of REPORT_METRICS) {
    const ci = metricCi(loaded.envelope, key);
    if (ci) out[key] = [ci.lo, ci.hi];
  }
  return out;
}

/** Open-loop arrival rate: driver_options / run_context rps, else the r<R> file prefix. */
function rateOf(loaded: LoadedEnvelope): number | undefined {
  for (const keys of [
    ['driver_options', 'rps'],
    ['run_context', 'rps'],
  ]) {
    const value = finite(getPath(loaded.envelope, ...keys));
    if (value !== undefined && value > 0) return value;
  }
  const point = sweepPointOf(loaded.path);
  return point.startsWith('r') ? Number(point.slice(1)) : undefined;
}

export function loadOf(loaded: LoadedEnvelope): ReportLoad | null {
  const driver =
    getString(loaded.envelope, 'run_context', 'driver') ??
    getString(loaded.envelope, 'driver_options', 'mode');
  const rate = rateOf(loaded);
  if (driver === 'open_loop' && rate !== undefined) return { kind: 'rate', value: rate };
  const concurrency = concurrencyOf(loaded);
  if (concurrency !== undefined) return { kind: 'concurrency', value: concurrency };
  return rate !== undefined ? { kind: 'rate', value: rate } : null;
}

export function histogramsOf(loaded: LoadedEnvelope): Record<string, HistogramView> {
  const out: Record<string, HistogramView> = {};
  for (const { key } of HISTOGRAMS) {
    const edges = getPath(loaded.envelope, 'histograms', key, 'edges_ms');
    const counts = getPath(loaded.envelope, 'histograms', key, 'counts');
    if (!Array.isArray(edges) || !Array.isArray(counts)) continue;
    const edgesMs = edges.map(finite);
    const countsN = counts.map(finite);
    const usable =
      counts.length > 0 &&
      counts.length <= MAX_BINS &&
      edges.length === counts.length + 1 &&
      edgesMs.every((e, i) => e !== undefined && e > 0 && (i === 0 || e > (edgesMs[i - 1] ?? Infinity))) &&
      countsN.every((c) => c !== undefined && c >= 0);
    if (usable) out[key] = { edgesMs: edgesMs as number[], counts: countsN as number[] };
  }
  return out;
}

export function sloTargetsOf(loaded: LoadedEnvelope): SloTargetView[] {
  const targets = getPath(loaded.envelope, 'quality', 'slo', 'targets');
  if (!Array.isArray(targets)) return [];
  const out: SloTargetView[] = [];
  for (const target of targets) {
    const metric = getString(target, 'metric');
    const maxMs = finite(getPath(target, 'maxMs'));
    if (metric === undefined || maxMs === undefined) continue;
    const met = getPath(target, 'met');
    out.push({
      metric,
      percentile: finite(getPath(target, 'percentile')) ?? 99,
      maxMs,
      valueMs: finite(getPath(target, 'valueMs')) ?? null,
      met: typeof met === 'boolean' ? met : null,
      passRate: finite(getPath(target, 'passRate')) ?? null,
    });
  }
  return out;
}

export function warningsOf(loaded: LoadedEnvelope): string[] {
  const warnings = getPath(loaded.envelope, 'warnings');
  return Array.isArray(warnings) ? warnings.filter((w): w is string => typeof w === 'string') : [];
}

export function simulatedOf(loaded: LoadedEnvelope): boolean {
  if (getPath(loaded.envelope, 'run_context', 'simulated') === true) return true;
  return getString(loaded.envelope, 'engine', 'name') === 'sim';
}

export function tierOf(loaded: LoadedEnvelope): string | null {
  return getString(loaded.envelope, 'run_context', 'tier') ?? null;
}

export function validOf(loaded: LoadedEnvelope): boolean | null {
  const valid = getPath(loaded.envelope, 'quality', 'valid');
  return typeof valid === 'boolean' ? valid : null;
}

const fmt = (value: number | undefined, unit = ''): string | undefined =>
  value === undefined ? undefined : `${formatNumber(value)}${unit}`;

/**
 * The full-context descriptor (seed 003: no bare numbers): identity, workload, regime, stack and
 * trials, each only when the envelope records it.
 */
export function contextOf(
  loaded: LoadedEnvelope,
  load: ReportLoad | null,
  trust: TrustState,
): [string, string][] {
  const env = loaded.envelope;
  const rows: [string, string | undefined][] = [
    ['suite', `${suiteId(env)} ${getString(env, 'suite_version') ?? ''}`.trim()],
    ['model', modelLabel(env)],
    ['hardware', hardwareLabel(env)],
    ['quant', quantLabel(env)],
    ['engine', engineLabel(env)],
    ['dataset', getString(env, 'dataset', 'id')],
    [
      'load',
      load === null
        ? undefined
        : load.kind === 'concurrency'
          ? `c=${load.value}`
          : `${load.value} req/s offered`,
    ],
    ['driver', getString(env, 'run_context', 'driver') ?? getString(env, 'driver_options', 'mode')],
    ['endpoint', getString(env, 'run_context', 'endpoint_type')],
    ['ISL mean', fmt(metricNumber(env, 'isl_mean'), ' tok')],
    ['OSL mean', fmt(metricNumber(env, 'osl_mean'), ' tok')],
    ['requests', fmt(metricNumber(env, 'n_requests'))],
    ['window', fmt(finite(getPath(env, 'run_context', 'measurement_window_s')), ' s')],
    ['start', warmStart(env)],
    ['tier', getString(env, 'run_context', 'tier')],
    ['trials', String(trialsOf(env))],
    ['SLO', getString(env, 'metrics', 'slo_template_resolved')],
    ['tool', toolOf(env)],
    ['timestamp', getString(env, 'timestamp')],
    ['trust', trust],
  ];
  return rows.filter((row): row is [string, string] => row[1] !== undefined && row[1] !== '');
}

function warmStart(env: object): string | undefined {
  const warm = getPath(env, 'run_context', 'warm_start');
  return typeof warm === 'boolean' ? (warm ? 'warm' : 'cold (first point after engine start)') : undefined;
}

function toolOf(env: object): string | undefined {
  const name = getString(env, 'run_context', 'tool', 'name');
  if (name === undefined) return undefined;
  return `${name} ${getString(env, 'run_context', 'tool', 'version') ?? ''}`.trim();
}

/** Telemetry facts from the envelope's summary blocks, as label → text. */
export function telemetrySummaryOf(loaded: LoadedEnvelope): [string, string][] {
  const env = loaded.envelope;
  const m = (key: string): number | undefined => metricNumber(env, key);
  const serverDelta = (key: string): number | undefined =>
    finite(getPath(env, 'telemetry', 'server_metrics', 'delta', key));
  const rows: [string, string | undefined][] = [
    ['GPU source', getString(env, 'telemetry', 'source')],
    ['power avg', fmt(m('power_avg_w'), ' W')],
    ['power peak', fmt(m('power_peak_w'), ' W')],
    ['idle baseline', fmt(finite(getPath(env, 'telemetry', 'idle_baseline_w')), ' W')],
    ['energy', fmt(m('energy_joules_total'), ' J')],
    ['energy per token', fmt(m('joules_per_token'), ' J/tok')],
    ['energy method', getString(env, 'telemetry', 'gpu', 'energy_method')],
    ['GPU util avg', fmt(m('gpu_util_avg_pct'), ' %')],
    ['GPU samples', fmt(finite(getPath(env, 'telemetry', 'gpu', 'sample_count')))],
    ['event-loop delay p99', fmt(m('event_loop_delay_p99_ms'), ' ms')],
    ['pacer lag p99', fmt(m('pacer_lag_p99_ms'), ' ms')],
    ['client CPU', fmt(m('client_cpu_percent'), ' %')],
    ['server metrics', getString(env, 'telemetry', 'server_metrics', 'flavor')],
    ['server gen tok/s', fmt(serverDelta('generationThroughputTokPerS'), ' tok/s')],
    ['server prefix-cache hit rate', fmt(serverDelta('prefixCacheHitRate'))],
    [
      'server running (mean)',
      fmt(finite(getPath(env, 'telemetry', 'server_metrics', 'during', 'numRequestsRunningMean'))),
    ],
    [
      'server KV usage (max)',
      fmt(finite(getPath(env, 'telemetry', 'server_metrics', 'during', 'kvCacheUsagePercMax'))),
    ],
  ];
  return rows.filter((row): row is [string, string] => row[1] !== undefined);
}

export function fileLabel(loaded: LoadedEnvelope): string {
  return basename(loaded.path);
}

/** Upper bound on timeline buckets read from a file (writers keep ≤ 1200; anything larger is refused). */
const MAX_TIMELINE_POINTS = 5000;

/** The `timeline` block when it is well-formed; columns of the wrong length or type are dropped. */
export function timelineOf(loaded: LoadedEnvelope): TimelineView | null {
  const block = getPath(loaded.envelope, 'timeline');
  const t = getPath(block, 't_s');
  const bucketS = finite(getPath(block, 'bucket_s'));
  if (
    !Array.isArray(t) ||
    t.length === 0 ||
    t.length > MAX_TIMELINE_POINTS ||
    bucketS === undefined ||
    bucketS <= 0
  )
    return null;
  const tS = t.map(finite);
  if (!tS.every((v, i) => v !== undefined && (i === 0 || v > (tS[i - 1] ?? Infinity)))) return null;
  const series: Record<string, (number | null)[]> = {};
  const raw = getPath(block, 'series');
  if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) {
    for (const [name, values] of Object.entries(raw as Record<string, unknown>)) {
      if (!Array.isArray(values) || values.length !== tS.length) continue;
      const parsed = values.map((v) => (v === null ? null : finite(v)));
      if (parsed.every((v) => v !== undefined)) series[name] = parsed;
    }
  }
  const window = getPath(block, 'window_s');
  const w0 = Array.isArray(window) ? finite(window[0]) : undefined;
  const w1 = Array.isArray(window) ? finite(window[1]) : undefined;
  const startedAt = getPath(block, 'started_at');
  return {
    bucketS,
    startedAt: typeof startedAt === 'string' && Number.isFinite(Date.parse(startedAt)) ? startedAt : null,
    windowS: w0 !== undefined && w1 !== undefined && w1 >= w0 ? [w0, w1] : null,
    tS: tS as number[],
    series,
  };
}
