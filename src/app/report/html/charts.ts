// Chart specs for the page: which points, lines, bands and rules each chart draws, and what is
// missing. Pure functions of the envelope views; the browser only renders them.
import { formatNumber } from '../format.js';
import { frontier, type ParetoPoint } from '../pareto.js';
import { HISTOGRAMS } from './envelopeFacts.js';
import type {
  ChartAxis,
  ChartBand,
  ChartDot,
  ChartLine,
  ChartLinePoint,
  ChartRule,
  ChartSpan,
  ChartSpec,
  LoadKind,
  ReportEnvelope,
  ReportSeries,
  SectionId,
} from './model.js';

export const FRONTIER_SERIES = 'Pareto frontier';

interface ChartParts {
  spans?: ChartSpan[];
  lines?: ChartLine[];
  bands?: ChartBand[];
  dots?: ChartDot[];
  rules?: ChartRule[];
  notes?: string[];
}

/** Chart coordinates keep 5 significant digits: finer than a pixel, and a smaller page. */
const sig = (value: number): number => Number(value.toPrecision(5));
const roundPoint = <T extends { x: number; y: number }>(p: T): T => ({ ...p, x: sig(p.x), y: sig(p.y) });

/** Above this many sweep points, distribution lines are coloured by series, not one entry per point. */
const MAX_POINT_LEGEND = 12;

function chart(
  id: string,
  section: SectionId,
  title: string,
  x: ChartAxis,
  y: ChartAxis,
  tableId: string | null,
  parts: ChartParts,
  emptyReason: string,
): ChartSpec {
  const dots = parts.dots ?? [];
  const lines = parts.lines ?? [];
  const empty = dots.length === 0 && lines.every((l) => l.points.length === 0);
  return {
    id,
    section,
    title,
    x,
    y,
    lines: lines.map((l) => ({ ...l, points: l.points.map(roundPoint) })),
    bands: (parts.bands ?? []).map((b) => ({
      ...b,
      points: b.points.map((p) => ({ x: sig(p.x), lo: sig(p.lo), hi: sig(p.hi) })),
    })),
    dots: dots.map(roundPoint),
    rules: parts.rules ?? [],
    spans: (parts.spans ?? []).map((p) => ({ ...p, x1: sig(p.x1), x2: sig(p.x2) })),
    tableId,
    notes: parts.notes ?? [],
    placeholder: empty ? emptyReason : null,
  };
}

const LOAD_AXIS: Record<LoadKind, string> = {
  concurrency: 'Concurrency (requests in flight)',
  rate: 'Offered rate (req/s)',
};

const loadText = (e: ReportEnvelope): string =>
  e.load === null
    ? 'no load recorded'
    : e.load.kind === 'concurrency'
      ? `c=${e.load.value}`
      : `${e.load.value} req/s`;

/** A log axis when every value is positive and they span at least 4×. */
function loadAxis(kind: LoadKind, values: readonly number[]): ChartAxis {
  const min = Math.min(...values);
  const max = Math.max(...values);
  return { label: LOAD_AXIS[kind], type: min > 0 && max / min >= 4 ? 'log' : 'linear' };
}

function seriesLabel(series: readonly ReportSeries[], e: ReportEnvelope): string {
  return series[e.seriesIndex]?.label ?? '?';
}

/** Envelopes grouped by series, each group sorted by load. */
function bySeries(envelopes: readonly ReportEnvelope[]): Map<number, ReportEnvelope[]> {
  const groups = new Map<number, ReportEnvelope[]>();
  for (const e of envelopes) groups.set(e.seriesIndex, [...(groups.get(e.seriesIndex) ?? []), e]);
  for (const list of groups.values()) list.sort((a, b) => (a.load?.value ?? 0) - (b.load?.value ?? 0));
  return groups;
}

function missingNote(what: string, envelopes: readonly ReportEnvelope[]): string[] {
  if (envelopes.length === 0) return [];
  const files = envelopes.map((e) => e.file);
  const shown = files.slice(0, 6).join(', ');
  const more = files.length > 6 ? ` and ${files.length - 6} more` : '';
  return [`not in this envelope (${what}): ${shown}${more}`];
}

/** One line + dots per series of metric `key` against load. */
function loadCurve(
  series: readonly ReportSeries[],
  swept: readonly ReportEnvelope[],
  key: string,
  unit: string,
  options: { dashed?: boolean; ring?: boolean; suffix?: string } = {},
): { lines: ChartLine[]; dots: ChartDot[]; bands: ChartBand[]; missing: ReportEnvelope[] } {
  const lines: ChartLine[] = [];
  const dots: ChartDot[] = [];
  const bands: ChartBand[] = [];
  const missing: ReportEnvelope[] = [];
  for (const [, members] of bySeries(swept)) {
    const label = seriesLabel(series, members[0] as ReportEnvelope);
    const points: { x: number; y: number }[] = [];
    const band: { x: number; lo: number; hi: number }[] = [];
    for (const e of members) {
      const y = e.metrics[key];
      if (y === undefined || e.load === null) {
        missing.push(e);
        continue;
      }
      points.push({ x: e.load.value, y });
      const ci = e.ci[key];
      if (ci) band.push({ x: e.load.value, lo: ci[0], hi: ci[1] });
      dots.push({
        series: label,
        x: e.load.value,
        y,
        file: e.file,
        label: `${loadText(e)} · ${options.suffix ?? ''}${formatNumber(y)} ${unit}`,
        ...(options.ring ? { ring: true } : {}),
      });
    }
    if (points.length > 0) lines.push({ series: label, points, ...(options.dashed ? { dashed: true } : {}) });
    if (band.length > 1) bands.push({ series: label, points: band });
  }
  return { lines, dots, bands, missing };
}

function sloRules(envelopes: readonly ReportEnvelope[], metric: string): ChartRule[] {
  const seen = new Map<number, ChartRule>();
  for (const e of envelopes) {
    for (const t of e.sloTargets) {
      if (t.metric !== metric || seen.has(t.maxMs)) continue;
      seen.set(t.maxMs, {
        axis: 'y',
        value: t.maxMs,
        label: `SLO ${metric} p${t.percentile} ≤ ${formatNumber(t.maxMs)} ms`,
      });
    }
  }
  return [...seen.values()];
}

function sweepCharts(
  kind: LoadKind,
  series: readonly ReportSeries[],
  envelopes: readonly ReportEnvelope[],
): ChartSpec[] {
  const swept = envelopes.filter((e) => e.load?.kind === kind);
  if (swept.length === 0) return [];
  const x = loadAxis(
    kind,
    swept.map((e) => e.load?.value ?? 1),
  );
  const table = 'table-sweep';
  const out: ChartSpec[] = [];
  const tput = loadCurve(series, swept, 'throughput_tok_per_s', 'tok/s');
  out.push(
    chart(
      `sweep-throughput-${kind}`,
      'sweep',
      `Output throughput vs ${kind === 'concurrency' ? 'concurrency' : 'offered rate'}`,
      x,
      { label: 'Output throughput (tok/s)', type: 'linear', zero: true },
      table,
      { lines: tput.lines, dots: tput.dots, notes: missingNote('no throughput_tok_per_s', tput.missing) },
      'not in these envelopes: no throughput_tok_per_s',
    ),
  );
  for (const [metric, label] of [
    ['ttft', 'TTFT'],
    ['tpot', 'TPOT'],
  ] as const) {
    const p50 = loadCurve(series, swept, `${metric}_p50_ms`, 'ms', { suffix: 'p50 ' });
    const p99 = loadCurve(series, swept, `${metric}_p99_ms`, 'ms', {
      dashed: true,
      ring: true,
      suffix: 'p99 ',
    });
    const noCi = swept.filter((e) => e.ci[`${metric}_p50_ms`] === undefined);
    out.push(
      chart(
        `sweep-${metric}-${kind}`,
        'sweep',
        `${label} p50 (solid) and p99 (dashed) vs ${kind === 'concurrency' ? 'concurrency' : 'offered rate'}, 95 % CI bands`,
        x,
        { label: `${label} (ms)`, type: 'linear', zero: true },
        table,
        {
          lines: [...p50.lines, ...p99.lines],
          bands: [...p50.bands, ...p99.bands],
          dots: [...p50.dots, ...p99.dots],
          rules: sloRules(swept, metric),
          notes: [
            ...missingNote(`no ${metric}_p50_ms`, p50.missing),
            ...missingNote(`no 95 % CI (metric_ci) for ${label}`, noCi),
          ],
        },
        `not in these envelopes: no ${metric}_p50_ms / ${metric}_p99_ms`,
      ),
    );
  }
  return out;
}

function goodputChart(series: readonly ReportSeries[], envelopes: readonly ReportEnvelope[]): ChartSpec {
  const lines: ChartLine[] = [];
  const dots: ChartDot[] = [];
  const missing: ReportEnvelope[] = [];
  let max = 0;
  for (const [, members] of bySeries(envelopes)) {
    const label = seriesLabel(series, members[0] as ReportEnvelope);
    const points: { x: number; y: number }[] = [];
    for (const e of members) {
      const x = e.metrics['throughput_tok_per_s'];
      const y = e.metrics['goodput_tok_per_s'];
      if (x === undefined || y === undefined) {
        missing.push(e);
        continue;
      }
      max = Math.max(max, x, y);
      points.push({ x, y });
      dots.push({
        series: label,
        x,
        y,
        file: e.file,
        label: `${loadText(e)} · goodput ${formatNumber(y)} tok/s`,
      });
    }
    if (points.length > 1) lines.push({ series: label, points });
  }
  if (dots.length > 0)
    lines.push({
      series: 'goodput = throughput',
      points: [
        { x: 0, y: 0 },
        { x: max, y: max },
      ],
      dashed: true,
    });
  return chart(
    'sweep-goodput',
    'sweep',
    'Goodput (tokens of requests meeting every SLO) vs throughput',
    { label: 'Output throughput (tok/s)', type: 'linear', zero: true },
    { label: 'Goodput (tok/s)', type: 'linear', zero: true },
    'table-sweep',
    { lines, dots, notes: missingNote('no goodput_tok_per_s', missing) },
    'not in these envelopes: no goodput_tok_per_s (InferenceBench v1 envelopes do not record it)',
  );
}

/**
 * A trade-off scatter with its Pareto frontier across all envelopes. `xBetter`/`yBetter` say which
 * direction wins; pareto.ts maximises x and minimises y, so the axes are flipped into that form.
 */
function tradeoffChart(
  id: string,
  title: string,
  series: readonly ReportSeries[],
  envelopes: readonly ReportEnvelope[],
  xKey: string,
  yKey: string,
  xAxis: ChartAxis,
  yAxis: ChartAxis,
  yBetter: 'lower' | 'higher',
): ChartSpec {
  const eligible = envelopes.filter((e) => e.metrics[xKey] !== undefined && e.metrics[yKey] !== undefined);
  const points: ParetoPoint[] = eligible.map((e, index) => ({
    index,
    x: e.metrics[xKey] as number,
    y: yBetter === 'lower' ? (e.metrics[yKey] as number) : -(e.metrics[yKey] as number),
  }));
  const onFront = new Set(frontier(points));
  const dots: ChartDot[] = eligible.map((e, i) => ({
    series: seriesLabel(series, e),
    x: e.metrics[xKey] as number,
    y: e.metrics[yKey] as number,
    file: e.file,
    label: `${loadText(e)}${onFront.has(i) ? ' · on the frontier' : ''}`,
    ...(onFront.has(i) ? { ring: true } : {}),
  }));
  const frontPoints = eligible
    .filter((_, i) => onFront.has(i))
    .map((e) => ({ x: e.metrics[xKey] as number, y: e.metrics[yKey] as number }))
    .sort((a, b) => a.x - b.x || a.y - b.y);
  const lines: ChartLine[] =
    frontPoints.length > 1 ? [{ series: FRONTIER_SERIES, points: frontPoints, dashed: true }] : [];
  return chart(
    id,
    'tradeoff',
    title,
    xAxis,
    yAxis,
    'table-envelopes',
    {
      lines,
      dots,
      notes: [
        `${onFront.size} of ${eligible.length} envelopes on the frontier (ringed)`,
        ...missingNote(
          `no ${[xKey, yKey].join(' or ')}`,
          envelopes.filter((e) => !eligible.includes(e)),
        ),
      ],
    },
    `not in these envelopes: ${xKey} and ${yKey}`,
  );
}

function distributionCharts(
  series: readonly ReportSeries[],
  envelopes: readonly ReportEnvelope[],
): ChartSpec[] {
  return HISTOGRAMS.map(({ key, metric, label }) => {
    const lines: ChartLine[] = [];
    const dots: ChartDot[] = [];
    const missing: ReportEnvelope[] = [];
    const perPoint = envelopes.filter((e) => e.histograms[key] !== undefined).length <= MAX_POINT_LEGEND;
    for (const e of envelopes) {
      const h = e.histograms[key];
      const total = h?.counts.reduce((a, b) => a + b, 0) ?? 0;
      if (!h || total === 0) {
        missing.push(e);
        continue;
      }
      const name = perPoint ? `${seriesLabel(series, e)} · ${loadText(e)}` : seriesLabel(series, e);
      let cumulative = 0;
      const points = [{ x: h.edgesMs[0] as number, y: 0 }];
      h.counts.forEach((count, i) => {
        cumulative += count;
        points.push({ x: h.edgesMs[i + 1] as number, y: cumulative / total });
      });
      lines.push({ series: name, points });
      for (const [p, q] of [
        ['p50', 0.5],
        ['p99', 0.99],
      ] as const) {
        const value = e.metrics[`${metric}_${p}_ms`];
        if (value !== undefined && value > 0)
          dots.push({
            series: name,
            x: value,
            y: q,
            file: e.file,
            label: `${loadText(e)} · ${label} ${p} ${formatNumber(value)} ms`,
            ...(p === 'p99' ? { ring: true } : {}),
          });
      }
    }
    return chart(
      `dist-${metric}`,
      'distributions',
      `${label}: cumulative distribution per point (p50 dot, p99 ring)`,
      { label: `${label} (ms, log)`, type: 'log' },
      { label: 'Fraction of requests', type: 'linear', zero: true },
      'table-sweep',
      { lines, dots, notes: missingNote(`no histograms.${key}`, missing) },
      `not in these envelopes: no histograms.${key} block (InferenceBench v1 and older envelopes carry only percentiles)`,
    );
  });
}

function telemetryCharts(series: readonly ReportSeries[], envelopes: readonly ReportEnvelope[]): ChartSpec[] {
  const out: ChartSpec[] = [];
  for (const kind of ['concurrency', 'rate'] as const) {
    const swept = envelopes.filter((e) => e.load?.kind === kind);
    if (swept.length === 0) continue;
    const x = loadAxis(
      kind,
      swept.map((e) => e.load?.value ?? 1),
    );
    const energy = loadCurve(series, swept, 'joules_per_token', 'J/tok');
    out.push(
      chart(
        `telemetry-energy-${kind}`,
        'telemetry',
        `Energy per output token vs ${kind === 'concurrency' ? 'concurrency' : 'offered rate'}`,
        x,
        { label: 'Energy per token (J/tok)', type: 'linear', zero: true },
        'table-telemetry',
        { lines: energy.lines, dots: energy.dots, notes: missingNote('no joules_per_token', energy.missing) },
        'not in these envelopes: no joules_per_token (no GPU energy source during the run)',
      ),
    );
    const power = loadCurve(series, swept, 'power_avg_w', 'W');
    out.push(
      chart(
        `telemetry-power-${kind}`,
        'telemetry',
        `Average GPU power vs ${kind === 'concurrency' ? 'concurrency' : 'offered rate'}`,
        x,
        { label: 'GPU power (W)', type: 'linear', zero: true },
        'table-telemetry',
        { lines: power.lines, dots: power.dots, notes: missingNote('no power_avg_w', power.missing) },
        'not in these envelopes: no power_avg_w',
      ),
    );
  }
  return out;
}

interface TimeColumn {
  readonly key: string;
  readonly dashed?: boolean;
  /** Multiplier to the axis unit (fractions → %). */
  readonly scale?: number;
}

interface TimeChart {
  readonly id: string;
  readonly title: string;
  readonly y: string;
  readonly columns: readonly TimeColumn[];
  readonly missing: string;
}

/** Timeline charts: columns of the envelope's `timeline` block (src/lib/timeline.ts). */
const TIME_CHARTS: readonly TimeChart[] = [
  {
    id: 'time-throughput',
    title: 'Output throughput over time',
    y: 'Output throughput (tok/s)',
    columns: [{ key: 'output_tok_per_s' }],
    missing: 'no output_tok_per_s in the timeline',
  },
  {
    id: 'time-gpu-power',
    title: 'GPU power over time (all GPUs)',
    y: 'GPU power (W)',
    columns: [{ key: 'gpu_power_w' }],
    missing: 'no GPU telemetry during the run',
  },
  {
    id: 'time-gpu-util',
    title: 'GPU utilisation over time',
    y: 'GPU utilisation (%)',
    columns: [{ key: 'gpu_util_pct' }],
    missing: 'no GPU telemetry during the run',
  },
  {
    id: 'time-gpu-mem',
    title: 'GPU memory used over time',
    y: 'GPU memory used (GiB)',
    columns: [{ key: 'gpu_mem_used_gib' }],
    missing: 'no GPU memory readings (NVML only)',
  },
  {
    id: 'time-client',
    title: 'Client health: event-loop delay (solid), pacer lag (dashed), max per second',
    y: 'Delay (ms)',
    columns: [{ key: 'loop_delay_ms' }, { key: 'pacer_lag_ms', dashed: true }],
    missing: 'no client self-audit samples',
  },
  {
    id: 'time-server-queue',
    title: 'Server: running (solid) and waiting (dashed) requests',
    y: 'Requests',
    columns: [{ key: 'server_running' }, { key: 'server_waiting', dashed: true }],
    missing: 'no server /metrics scrapes (--metrics-url)',
  },
  {
    id: 'time-server-cache',
    title: 'Server: KV-cache usage (solid) and prefix-cache hit rate (dashed)',
    y: 'Percent (%)',
    columns: [
      { key: 'server_kv_usage', scale: 100 },
      { key: 'server_prefix_hit_rate', dashed: true, scale: 100 },
    ],
    missing: 'no server /metrics scrapes (--metrics-url)',
  },
];

/** Points per timeline chart the page carries; longer lines are averaged down. */
const MAX_TIME_CHART_POINTS = 2000;

function epochS(timestamp: string): number | undefined {
  const ms = Date.parse(timestamp);
  return Number.isFinite(ms) ? ms / 1000 : undefined;
}

/** Splits at missing values (a gap in the samples is a gap in the line) and averages down to `budget` points. */
function timeSegments(
  xs: readonly number[],
  ys: readonly (number | null)[],
  scale: number,
  budget: number,
): ChartLinePoint[][] {
  const stride = Math.max(1, Math.ceil(xs.length / Math.max(1, budget)));
  const segments: ChartLinePoint[][] = [];
  let current: ChartLinePoint[] = [];
  for (let i = 0; i < xs.length; i += stride) {
    let sum = 0;
    let n = 0;
    for (let j = i; j < Math.min(xs.length, i + stride); j++) {
      const y = ys[j];
      if (y !== null && y !== undefined) {
        sum += y;
        n += 1;
      }
    }
    if (n === 0) {
      if (current.length > 0) segments.push(current);
      current = [];
      continue;
    }
    current.push({ x: xs[i] as number, y: (sum / n) * scale });
  }
  if (current.length > 0) segments.push(current);
  return segments;
}

function timelineCharts(series: readonly ReportSeries[], envelopes: readonly ReportEnvelope[]): ChartSpec[] {
  const withTimeline = envelopes.filter((e) => e.timeline !== null);
  const without = envelopes.filter((e) => e.timeline === null);
  const axis: ChartAxis = {
    label: 'Time since the series’ first point started (s)',
    type: 'linear',
    zero: true,
  };
  if (withTimeline.length === 0)
    return [
      chart(
        'time-throughput',
        'telemetry',
        'Telemetry over time',
        axis,
        { label: 'Output throughput (tok/s)', type: 'linear', zero: true },
        'table-telemetry',
        {},
        'not in these envelopes: no timeline block (per-second throughput, GPU, client and server samples), which envelopes of InferenceBench and of bench before the HTML report do not carry',
      ),
    ];
  // Each series' points lie end to end on one axis: t = 0 at its earliest point's start.
  // The block's started_at places t = 0 on the wall clock; the envelope timestamp stands in without it.
  const startOf = (e: ReportEnvelope): number => epochS(e.timeline?.startedAt ?? e.timestamp) ?? 0;
  const origin = new Map<number, number>();
  for (const e of withTimeline)
    origin.set(e.seriesIndex, Math.min(origin.get(e.seriesIndex) ?? Infinity, startOf(e)));
  const offsetOf = (e: ReportEnvelope): number => startOf(e) - (origin.get(e.seriesIndex) ?? 0);
  const spans: ChartSpan[] = withTimeline.flatMap((e) => {
    const w = e.timeline?.windowS;
    return w ? [{ x1: offsetOf(e) + w[0], x2: offsetOf(e) + w[1], label: `${loadText(e)} window` }] : [];
  });
  return TIME_CHARTS.map((spec) => {
    const lines: ChartLine[] = [];
    const lacking: ReportEnvelope[] = [...without];
    const budget = Math.floor(MAX_TIME_CHART_POINTS / Math.max(1, withTimeline.length * spec.columns.length));
    for (const e of withTimeline) {
      const timeline = e.timeline as NonNullable<ReportEnvelope['timeline']>;
      const offset = offsetOf(e);
      const xs = timeline.tS.map((t) => t + offset);
      let any = false;
      for (const column of spec.columns) {
        const ys = timeline.series[column.key];
        if (!ys) continue;
        any = true;
        for (const points of timeSegments(xs, ys, column.scale ?? 1, budget))
          lines.push({ series: seriesLabel(series, e), points, ...(column.dashed ? { dashed: true } : {}) });
      }
      if (!any) lacking.push(e);
    }
    return chart(
      spec.id,
      'telemetry',
      `${spec.title}; measurement windows shaded`,
      axis,
      { label: spec.y, type: 'linear', zero: true },
      'table-telemetry',
      { lines, spans, notes: missingNote(spec.missing, lacking) },
      `not in these envelopes: ${spec.missing}`,
    );
  });
}

export function buildCharts(
  series: readonly ReportSeries[],
  envelopes: readonly ReportEnvelope[],
): ChartSpec[] {
  return [
    ...sweepCharts('concurrency', series, envelopes),
    ...sweepCharts('rate', series, envelopes),
    goodputChart(series, envelopes),
    tradeoffChart(
      'tradeoff-ttft',
      'Throughput vs TTFT p99, Pareto frontier across all envelopes',
      series,
      envelopes,
      'throughput_tok_per_s',
      'ttft_p99_ms',
      { label: 'Output throughput (tok/s)', type: 'linear', zero: true },
      { label: 'TTFT p99 (ms)', type: 'linear', zero: true },
      'lower',
    ),
    tradeoffChart(
      'tradeoff-per-user',
      'Per-user speed vs total throughput, Pareto frontier across all envelopes',
      series,
      envelopes,
      'tok_per_s_per_user',
      'throughput_tok_per_s',
      { label: 'Output tok/s per user (throughput ÷ concurrency)', type: 'linear', zero: true },
      { label: 'Output throughput (tok/s)', type: 'linear', zero: true },
      'higher',
    ),
    ...distributionCharts(series, envelopes),
    ...telemetryCharts(series, envelopes),
    ...timelineCharts(series, envelopes),
  ];
}
