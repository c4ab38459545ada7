// Text and JSON views of `bench diff` results.
import type { DiffResult, MetricDiff } from './diff.js';
import { formatNumber, formatSigned, formatSignedPercent, renderTable } from './format.js';

function ciCell(row: MetricDiff): string {
  if (!row.ci) return '-';
  return `[${formatSigned(row.ci.lo)}, ${formatSigned(row.ci.hi)}]`;
}

function verdictCell(row: MetricDiff): string {
  return row.note ? `${row.verdict} *` : row.verdict;
}

export function renderDiffTable(result: DiffResult, title?: string): string {
  const rows = result.rows.map((row) => [
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
  const starred = result.rows.filter((row) => row.note);
  for (const row of starred) lines.push(`* ${row.metric}: ${row.note}`);
  const c = result.counts;
  lines.push(
    `${c.improvement} improvement, ${c.regression} regression, ${c.no_change} no_change, ${c.unknown} unknown, ${c.missing} missing`,
  );
  return lines.join('\n');
}

export function diffResultJson(result: DiffResult): unknown {
  return {
    baseline: result.baselinePath,
    candidate: result.candidatePath,
    tolerance: result.tolerance,
    warnings: result.warnings,
    counts: result.counts,
    metrics: result.rows.map((row) => ({
      metric: row.metric,
      baseline: row.baseline ?? null,
      candidate: row.candidate ?? null,
      delta: row.delta ?? null,
      relative: row.relative !== undefined && Number.isFinite(row.relative) ? row.relative : null,
      direction: row.direction ?? null,
      verdict: row.verdict,
      ci: row.ci ? { lo: row.ci.lo, hi: row.ci.hi, method: row.ci.method } : null,
      ...(row.note ? { note: row.note } : {}),
    })),
  };
}
