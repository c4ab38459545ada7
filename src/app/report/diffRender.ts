// Text and JSON views of `bench diff` results.
import { THRESHOLDS_DIFFER_NOTE, type DiffResult, type MetricDiff } from './diff.js';
import { formatNumber, formatSigned, formatSignedPercent, renderTable } from './format.js';

function ciCell(row: MetricDiff): string {
  if (!row.ci) return '-';
  return `[${formatSigned(row.ci.lo)}, ${formatSigned(row.ci.hi)}]`;
}

function verdictCell(row: MetricDiff): string {
  if (row.note === THRESHOLDS_DIFFER_NOTE) return 'thresholds differ';
  return row.note ? `${row.verdict} *` : row.verdict;
}

export interface DiffTableOptions {
  /** Show metrics only one side has as `missing` rows (default: one line listing them). */
  readonly allMetrics?: boolean;
}

/** The one line naming the metrics only one side has (empty when there are none). */
export function onlyOneSideLine(result: DiffResult): string {
  const parts: string[] = [];
  if (result.onlyBaseline.length > 0)
    parts.push(`only in baseline (${result.onlyBaseline.length}): ${result.onlyBaseline.join(', ')}`);
  if (result.onlyCandidate.length > 0)
    parts.push(`only in candidate (${result.onlyCandidate.length}): ${result.onlyCandidate.join(', ')}`);
  return parts.length > 0 ? `not compared — ${parts.join('; ')} (--all-metrics shows them)` : '';
}

export function renderDiffTable(result: DiffResult, title?: string, options: DiffTableOptions = {}): string {
  const shown = options.allMetrics ? result.rows : result.rows.filter((row) => row.verdict !== 'missing');
  const rows = shown.map((row) => [
    row.metric,
    formatNumber(row.baseline),
    formatNumber(row.candidate),
    formatSigned(row.delta),
    formatSignedPercent(row.relative),
    ciCell(row),
    row.direction === undefined ? '?' : row.direction === 'lower' ? 'lower' : 'higher',
    verdictCell(row),
  ]);
  const lines: string[] = [];
  lines.push(title ?? `Diff: ${result.baselinePath} → ${result.candidatePath}`);
  lines.push(`tolerance ±${(result.tolerance * 100).toFixed(1)}%`);
  for (const warning of result.warnings) lines.push(`warning: ${warning}`);
  lines.push(
    renderTable(
      [
        { header: 'Metric' },
        { header: 'Baseline', align: 'right' },
        { header: 'Candidate', align: 'right' },
        { header: 'Δ', align: 'right' },
        { header: 'Δ%', align: 'right' },
        { header: '95% CI of Δ' },
        { header: 'Better' },
        { header: 'Verdict' },
      ],
      rows,
    ),
  );
  if (!options.allMetrics) {
    const others = onlyOneSideLine(result);
    if (others !== '') lines.push(others);
  }
  const starred = shown.filter((row) => row.note && row.note !== THRESHOLDS_DIFFER_NOTE);
  for (const row of starred) lines.push(`* ${row.metric}: ${row.note}`);
  const c = result.counts;
  lines.push(
    `${c.improvement} improvement, ${c.regression} regression, ${c.no_change} no_change, ${c.unknown} unknown, ${c.missing} missing`,
  );
  return lines.join('\n');
}

/**
 * `--report json` in InferenceBench's shape (baseline_path, candidate_path, context_match with
 * all_match, metrics[] of {name, baseline, candidate, delta_abs, delta_rel, verdict}; every metric
 * either side has, as theirs) with our fields added: per metric direction, ci, note; at the top
 * tolerance, warnings, counts, workload (dataset and SLO match) and the metrics only one side has.
 */
export function diffResultJson(result: DiffResult): unknown {
  const finiteOrNull = (value: number | undefined): number | null =>
    value !== undefined && Number.isFinite(value) ? value : null;
  const w = result.workload;
  return {
    baseline_path: result.baselinePath,
    candidate_path: result.candidatePath,
    context_match: {
      ...result.context,
      all_match: Object.values(result.context).every((field) => field.match),
    },
    metrics: result.rows.map((row) => ({
      name: row.metric,
      baseline: row.baseline ?? null,
      candidate: row.candidate ?? null,
      delta_abs: finiteOrNull(row.delta),
      delta_rel: finiteOrNull(row.relative),
      verdict: row.verdict,
      direction: row.direction ?? null,
      ci: row.ci ? { lo: row.ci.lo, hi: row.ci.hi, method: row.ci.method } : null,
      ...(row.note ? { note: row.note } : {}),
    })),
    tolerance: result.tolerance,
    warnings: result.warnings,
    counts: result.counts,
    workload: {
      same_workload: w.sameWorkload,
      dataset: {
        baseline: { id: w.baselineDataset.id, hash: w.baselineDataset.hash },
        candidate: { id: w.candidateDataset.id, hash: w.candidateDataset.hash },
        match: w.sameWorkload,
      },
      slo: {
        baseline: {
          tool: w.baselineSlo.producer,
          template: w.baselineSlo.template,
          resolved: w.baselineSlo.resolved,
        },
        candidate: {
          tool: w.candidateSlo.producer,
          template: w.candidateSlo.template,
          resolved: w.candidateSlo.resolved,
        },
        same_thresholds: w.sameThresholds,
      },
    },
    only_baseline: result.onlyBaseline,
    only_candidate: result.onlyCandidate,
  };
}
