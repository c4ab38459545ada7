// `bench compare`: Pareto frontiers, tok/s per user, winners per concurrency regime and the
// trials rule for cross-engine comparisons (seed 004: ≥ 3 independent launches per engine; seed
// 003: a winner is per concurrency regime, never one overall verdict).
import { plotXy, type XY } from './asciiPlot.js';
import {
  concurrencyOf,
  engineLabel,
  engineName,
  getPath,
  metricNumber,
  modelLabel,
  quantLabel,
  suiteId,
  sweepPointOf,
  trialsOf,
  type LoadedEnvelope,
} from './envelopeView.js';
import { formatNumber, renderTable, type Column } from './format.js';
import { datasetLabel, datasetOf, producerOf, sameThresholds, sloContextOf, sloLabel } from './interop.js';
import { PARETO_PAIRS, paretoAnalysis, type ParetoResult } from './pareto.js';

export const MIN_TRIALS_CROSS_ENGINE = 3;

export interface CompareRow {
  readonly index: number;
  readonly path: string;
  readonly suite: string;
  readonly model: string;
  readonly engine: string;
  readonly engineName: string;
  readonly quant: string;
  readonly concurrency: number | undefined;
  readonly trials: number;
  readonly throughputTokPerS: number | undefined;
  readonly tokPerSPerUser: number | undefined;
  readonly ttftP99Ms: number | undefined;
  readonly joulesPerToken: number | undefined;
  readonly onFrontier: boolean;
}

export interface RegimeWinner {
  readonly metric: string;
  readonly better: 'higher' | 'lower';
  readonly index: number;
  readonly value: number;
}

export interface Regime {
  readonly label: string;
  readonly concurrency: number | undefined;
  readonly indices: readonly number[];
  readonly engines: readonly string[];
  /** engine name → trials summed over its runs in this regime. */
  readonly trialsByEngine: Readonly<Record<string, number>>;
  readonly enoughTrials: boolean;
  /** All runs of the regime used the same data (dataset hash): otherwise winners are no verdict. */
  readonly sameWorkload: boolean;
  readonly winners: readonly RegimeWinner[];
}

export interface CompareReport {
  readonly rows: readonly CompareRow[];
  readonly pareto: ParetoResult;
  readonly regimes: readonly Regime[];
  readonly crossEngine: boolean;
  readonly notes: readonly string[];
}

const WINNER_METRICS: readonly { key: string; better: 'higher' | 'lower' }[] = [
  { key: 'throughput_tok_per_s', better: 'higher' },
  { key: 'ttft_p99_ms', better: 'lower' },
  { key: 'joules_per_token', better: 'lower' },
];

export function buildCompare(loaded: readonly LoadedEnvelope[]): CompareReport {
  const envelopes = loaded.map((l) => l.envelope);
  const pareto = paretoAnalysis(envelopes);
  const rows = loaded.map((l, index): CompareRow => {
    const concurrency = concurrencyOf(l);
    const throughput = metricNumber(l.envelope, 'throughput_tok_per_s');
    return {
      index,
      path: l.path,
      suite: suiteId(l.envelope),
      model: modelLabel(l.envelope),
      engine: engineLabel(l.envelope),
      engineName: engineName(l.envelope),
      quant: quantLabel(l.envelope),
      concurrency,
      trials: trialsOf(l.envelope),
      throughputTokPerS: throughput,
      tokPerSPerUser: throughput !== undefined && concurrency ? throughput / concurrency : undefined,
      ttftP99Ms: metricNumber(l.envelope, 'ttft_p99_ms'),
      joulesPerToken: metricNumber(l.envelope, 'joules_per_token'),
      onFrontier: pareto.onAny[index] ?? false,
    };
  });
  const engines = [...new Set(rows.map((r) => r.engineName))].sort();
  const crossEngine = engines.length > 1;
  const regimes = buildRegimes(loaded, rows);
  const notes: string[] = [];
  if (crossEngine) {
    const short = regimes.filter((r) => r.engines.length > 1 && !r.enoughTrials);
    if (short.length > 0) {
      notes.push(
        `cross-engine comparison (${engines.join(' vs ')}): ≥ ${MIN_TRIALS_CROSS_ENGINE} independent trials per engine are required; ` +
          `${short.map((r) => `${r.label} has ${formatTrials(r.trialsByEngine)}`).join('; ')} — winners there are DRAFT, not a verdict.`,
      );
    }
  }
  const suites = new Set(rows.map((r) => r.suite));
  if (suites.size > 1)
    notes.push(`runs come from ${suites.size} suites (${[...suites].join(', ')}): workloads differ.`);
  notes.push(...interopNotes(loaded));
  return { rows, pareto, regimes, crossEngine, notes };
}

/** Different data (dataset hashes) or different SLO thresholds among the runs (issue 16). */
function interopNotes(loaded: readonly LoadedEnvelope[]): string[] {
  const notes: string[] = [];
  const datasets = new Map<string, string>();
  for (const l of loaded) datasets.set(datasetOf(l.envelope).hash, datasetLabel(datasetOf(l.envelope)));
  if (datasets.size > 1)
    notes.push(
      `runs use ${datasets.size} different datasets (${[...datasets.values()].join(', ')}): only runs with the same dataset hash are the same workload.`,
    );
  const first = loaded[0]?.envelope;
  if (first && loaded.some((l) => !sameThresholds(first, l.envelope))) {
    const labels = [...new Set(loaded.map((l) => sloLabel(sloContextOf(l.envelope))))];
    notes.push(
      `SLO thresholds differ between runs (${labels.join('; ')}): compliance, goodput and the quality_vs_cost frontier are not comparable across them.`,
    );
  }
  return notes;
}

function formatTrials(byEngine: Readonly<Record<string, number>>): string {
  return Object.entries(byEngine)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([engine, n]) => `${engine} ${n} trial${n === 1 ? '' : 's'}`)
    .join(', ');
}

/** Open-loop arrival rate: driver_options / run_context rps, else the r<R> file prefix. */
function rpsOf(loaded: LoadedEnvelope | undefined): number | undefined {
  if (!loaded) return undefined;
  for (const keys of [
    ['driver_options', 'rps'],
    ['run_context', 'rps'],
  ]) {
    const value = getPath(loaded.envelope, ...keys);
    if (typeof value === 'number' && value > 0) return value;
  }
  const point = sweepPointOf(loaded.path);
  return point.startsWith('r') ? Number(point.slice(1)) : undefined;
}

function buildRegimes(loaded: readonly LoadedEnvelope[], rows: readonly CompareRow[]): Regime[] {
  const groups = new Map<string, number[]>();
  for (const row of rows) {
    const rps = row.concurrency === undefined ? rpsOf(loaded[row.index]) : undefined;
    const label =
      row.concurrency !== undefined ? `c=${row.concurrency}` : rps !== undefined ? `r=${rps}` : 'c=?';
    const list = groups.get(label) ?? [];
    list.push(row.index);
    groups.set(label, list);
  }
  // closed-loop regimes first (by concurrency), then open-loop (by rate), unknown last
  const order = (label: string): number =>
    label === 'c=?' ? Infinity : Number(label.slice(2)) + (label.startsWith('r=') ? 1e9 : 0);
  return [...groups.entries()]
    .sort(([a], [b]) => order(a) - order(b))
    .map(([label, indices]): Regime => {
      const trialsByEngine: Record<string, number> = {};
      for (const i of indices) {
        const row = rows[i];
        if (row) trialsByEngine[row.engineName] = (trialsByEngine[row.engineName] ?? 0) + row.trials;
      }
      const engines = Object.keys(trialsByEngine).sort();
      const enoughTrials =
        engines.length < 2 || Object.values(trialsByEngine).every((n) => n >= MIN_TRIALS_CROSS_ENGINE);
      const hashes = new Set(indices.map((i) => datasetOf(loaded[i]?.envelope ?? {}).hash));
      const winners: RegimeWinner[] = [];
      if (indices.length > 1) {
        for (const metric of WINNER_METRICS) {
          let best: RegimeWinner | undefined;
          for (const i of indices) {
            const env = loaded[i]?.envelope;
            const value = env ? metricNumber(env, metric.key) : undefined;
            if (value === undefined) continue;
            const better =
              best === undefined || (metric.better === 'higher' ? value > best.value : value < best.value);
            if (better) best = { metric: metric.key, better: metric.better, index: i, value };
          }
          if (best) winners.push(best);
        }
      }
      const concurrency = label.startsWith('c=') && label !== 'c=?' ? Number(label.slice(2)) : undefined;
      return {
        label,
        concurrency,
        indices,
        engines,
        trialsByEngine,
        enoughTrials,
        sameWorkload: hashes.size === 1,
        winners,
      };
    });
}

const yesNo = (b: boolean): string => (b ? 'yes' : 'no');

function rowCells(row: CompareRow): string[] {
  return [
    `#${row.index + 1}`,
    row.suite,
    row.model,
    row.engine,
    row.quant,
    row.concurrency === undefined ? '-' : String(row.concurrency),
    formatNumber(row.throughputTokPerS),
    formatNumber(row.tokPerSPerUser),
    formatNumber(row.ttftP99Ms),
    formatNumber(row.joulesPerToken),
    String(row.trials),
    yesNo(row.onFrontier),
  ];
}

const TABLE_COLUMNS: readonly Column[] = [
  { header: '#' },
  { header: 'Suite' },
  { header: 'Model' },
  { header: 'Engine' },
  { header: 'Quant' },
  { header: 'Conc', align: 'right' },
  { header: 'Throughput tok/s', align: 'right' },
  { header: 'tok/s/user', align: 'right' },
  { header: 'TTFT p99 ms', align: 'right' },
  { header: 'J/tok', align: 'right' },
  { header: 'Trials', align: 'right' },
  { header: 'Pareto?' },
];

function sortedByThroughput(rows: readonly CompareRow[]): CompareRow[] {
  return [...rows].sort((a, b) => {
    if (a.throughputTokPerS === undefined) return b.throughputTokPerS === undefined ? a.index - b.index : 1;
    if (b.throughputTokPerS === undefined) return -1;
    return b.throughputTokPerS - a.throughputTokPerS || a.index - b.index;
  });
}

function winnerText(report: CompareReport, winner: RegimeWinner | undefined): string {
  if (!winner) return '-';
  const row = report.rows[winner.index];
  return `#${winner.index + 1} ${row?.engine ?? ''} (${formatNumber(winner.value)})`;
}

export function renderRegimes(report: CompareReport): string {
  const rows = report.regimes.map((regime) => {
    const find = (key: string): RegimeWinner | undefined => regime.winners.find((w) => w.metric === key);
    const single = regime.indices.length < 2;
    const status = single
      ? 'single run'
      : !regime.sameWorkload
        ? 'different workloads (dataset hashes differ)'
        : regime.enoughTrials
          ? 'ok'
          : 'DRAFT (< 3 trials/engine)';
    return [
      regime.label,
      String(regime.indices.length),
      single ? '-' : winnerText(report, find('throughput_tok_per_s')),
      single ? '-' : winnerText(report, find('ttft_p99_ms')),
      single ? '-' : winnerText(report, find('joules_per_token')),
      status,
    ];
  });
  return [
    'Winners per concurrency regime (no overall verdict: the best configuration depends on load)',
    renderTable(
      [
        { header: 'Regime' },
        { header: 'Runs', align: 'right' },
        { header: 'Best throughput' },
        { header: 'Best TTFT p99' },
        { header: 'Best J/tok' },
        { header: 'Status' },
      ],
      rows,
    ),
  ].join('\n');
}

export function renderFrontierPlots(report: CompareReport): string {
  const frontierIdx = report.pareto.byPair['throughput_vs_latency'] ?? [];
  const latencyPoints: XY[] = frontierIdx
    .map((i) => report.rows[i])
    .filter((r): r is CompareRow => r !== undefined)
    .flatMap((r) =>
      r.throughputTokPerS !== undefined && r.ttftP99Ms !== undefined
        ? [{ x: r.throughputTokPerS, y: r.ttftP99Ms }]
        : [],
    );
  const userPoints: XY[] = report.rows.flatMap((r) =>
    r.throughputTokPerS !== undefined && r.tokPerSPerUser !== undefined
      ? [{ x: r.throughputTokPerS, y: r.tokPerSPerUser }]
      : [],
  );
  return [
    'Throughput–latency frontier',
    plotXy(latencyPoints, { xLabel: 'throughput tok/s', yLabel: 'TTFT p99 ms' }),
    '',
    'Per-user speed vs total throughput (all runs with a known concurrency)',
    plotXy(userPoints, { xLabel: 'throughput tok/s', yLabel: 'tok/s per user' }),
  ].join('\n');
}

export function renderCompareTable(report: CompareReport): string {
  const rows = sortedByThroughput(report.rows).map(rowCells);
  return [
    renderTable(TABLE_COLUMNS, rows),
    '',
    renderRegimes(report),
    ...(report.notes.length > 0 ? ['', ...report.notes.map((n) => `note: ${n}`)] : []),
    '',
    renderFrontierPlots(report),
  ].join('\n');
}

export function renderComparePareto(report: CompareReport): string {
  const blocks: string[] = [];
  for (const pair of PARETO_PAIRS) {
    const indices = report.pareto.byPair[pair.name] ?? [];
    const eligible = report.pareto.eligible[pair.name] ?? 0;
    const header = `${pair.name} (max ${pair.x.join(' | ')}, min ${pair.y.join(' | ')}): ${indices.length} of ${eligible} eligible on the frontier`;
    if (indices.length === 0) {
      blocks.push(`${header}\n(no run has both metrics)`);
      continue;
    }
    const rows = sortedByThroughput(
      indices.map((i) => report.rows[i]).filter((r): r is CompareRow => r !== undefined),
    ).map(rowCells);
    blocks.push(`${header}\n${renderTable(TABLE_COLUMNS, rows)}`);
  }
  blocks.push(renderFrontierPlots(report));
  if (report.notes.length > 0) blocks.push(report.notes.map((n) => `note: ${n}`).join('\n'));
  return blocks.join('\n\n');
}

/**
 * `--report json` in InferenceBench's shape: {"runs": [{path, run_id, suite_id, model_id, engine
 * {name, version}, metrics (as recorded), pareto {pair: bool}}], "pareto": {pair: [index…]}} with
 * our fields added per run (index, quant, concurrency, trials, tok/s per user, frontier, tool,
 * dataset, slo) and per report (regimes, cross_engine, notes).
 */
export function compareJson(report: CompareReport, loaded: readonly LoadedEnvelope[]): unknown {
  return {
    runs: report.rows.map((row) => {
      const envelope = loaded[row.index]?.envelope ?? {};
      const slo = sloContextOf(envelope);
      const dataset = datasetOf(envelope);
      return {
        path: row.path,
        run_id: getPath(envelope, 'run_id') ?? null,
        suite_id: row.suite,
        model_id: row.model,
        engine: {
          name: getPath(envelope, 'engine', 'name') ?? null,
          version: getPath(envelope, 'engine', 'version') ?? null,
        },
        metrics: recordedMetrics(envelope),
        pareto: Object.fromEntries(
          PARETO_PAIRS.map((p) => [p.name, (report.pareto.byPair[p.name] ?? []).includes(row.index)]),
        ),
        index: row.index,
        engine_label: row.engine,
        quant: row.quant,
        concurrency: row.concurrency ?? null,
        trials: row.trials,
        tok_per_s_per_user: row.tokPerSPerUser ?? null,
        on_frontier: row.onFrontier,
        tool: producerOf(envelope),
        dataset: { id: dataset.id, hash: dataset.hash },
        slo: { template: slo.template, resolved: slo.resolved },
      };
    }),
    pareto: report.pareto.byPair,
    regimes: report.regimes.map((r) => ({
      regime: r.label,
      concurrency: r.concurrency ?? null,
      runs: r.indices,
      trials_by_engine: r.trialsByEngine,
      cross_engine_trials_ok: r.enoughTrials,
      same_workload: r.sameWorkload,
      winners: Object.fromEntries(r.winners.map((w) => [w.metric, { index: w.index, value: w.value }])),
    })),
    cross_engine: report.crossEngine,
    notes: report.notes,
  };
}

/** The metrics block as recorded (numbers and strings such as slo_template_resolved), as theirs lists it. */
function recordedMetrics(envelope: object): Record<string, unknown> {
  const metrics = getPath(envelope, 'metrics');
  if (metrics === null || typeof metrics !== 'object' || Array.isArray(metrics)) return {};
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(metrics)) {
    if (typeof value === 'string' || value === null || (typeof value === 'number' && Number.isFinite(value)))
      out[key] = value;
  }
  return out;
}
