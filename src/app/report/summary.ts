// `bench summary`: group envelopes by suite, sort by throughput, choose columns from the metrics
// actually present in each suite.
import {
  engineLabel,
  getPath,
  getString,
  hardwareLabel,
  metricNumber,
  modelLabel,
  quantLabel,
  shortRunId,
  suiteId,
  type LoadedEnvelope,
} from './envelopeView.js';
import { csvLine, formatNumber, formatPercent, renderTable, type Column } from './format.js';
import { datasetLabel, datasetOf, producerOf, type DatasetRef, type Producer } from './interop.js';
import type { TrustLevel } from '../../envelope/trust.js';
import { envelopeFlags, trustCell } from './trustView.js';

/** What the signature check said about one file: its trust level. */
export type SignatureStatus = TrustLevel;

export interface SummaryInput extends LoadedEnvelope {
  readonly signature: SignatureStatus;
  readonly signatureReason?: string;
}

interface MetricColumn {
  readonly key: string;
  readonly header: string;
  readonly kind: 'number' | 'rate';
}

/** Candidate metric columns in display order; a column appears when any run in the suite has it. */
export const SUMMARY_METRIC_COLUMNS: readonly MetricColumn[] = [
  { key: 'throughput_tok_per_s', header: 'Throughput tok/s', kind: 'number' },
  { key: 'ttft_p50_ms', header: 'TTFT p50 ms', kind: 'number' },
  { key: 'ttft_p99_ms', header: 'TTFT p99 ms', kind: 'number' },
  { key: 'tpot_p50_ms', header: 'TPOT p50 ms', kind: 'number' },
  { key: 'goodput_tok_per_s', header: 'Goodput tok/s', kind: 'number' },
  { key: 'ok_rate', header: 'OK rate', kind: 'rate' },
  { key: 'joules_per_token', header: 'J/tok', kind: 'number' },
  { key: 'accuracy', header: 'Accuracy', kind: 'rate' },
];

/** The metrics InferenceBench's summary --json always lists per run (null when absent). */
export const PYTHON_SUMMARY_METRICS: readonly string[] = [
  'throughput_tok_per_s',
  'ttft_p50_ms',
  'ttft_p99_ms',
  'tpot_p50_ms',
  'ok_rate',
  'power_avg_w',
  'joules_per_token',
  'cost_usd_per_million_tokens',
];

/** What InferenceBench's summary --json says about a run (their field names). */
export interface SummaryIdentity {
  readonly runId: string;
  readonly suiteId: string;
  readonly engineName: string | null;
  readonly engineVersion: string | null;
  readonly quantization: string | null;
  /** First GPU's model, or "cpu" without GPUs (as their summary writes it). */
  readonly hardwareModel: string;
  readonly producer: Producer;
  readonly dataset: DatasetRef;
  /** PYTHON_SUMMARY_METRICS plus the metric columns this suite shows. */
  readonly jsonMetrics: Readonly<Record<string, number | null>>;
}

export interface SummaryRow {
  readonly path: string;
  readonly identity: SummaryIdentity;
  readonly runId: string;
  readonly model: string;
  readonly engine: string;
  readonly quant: string;
  readonly hardware: string;
  readonly signature: SignatureStatus;
  /** `incomplete`, `quality invalid`: why this row's numbers are suspect. */
  readonly flags: readonly string[];
  readonly metrics: Readonly<Record<string, number | null>>;
}

export interface SummaryReport {
  readonly suites: ReadonlyMap<
    string,
    { columns: readonly MetricColumn[]; rows: readonly SummaryRow[]; notes: readonly string[] }
  >;
  readonly loaded: number;
  readonly skipped: number;
}

function identityOf(input: SummaryInput, columns: readonly MetricColumn[]): SummaryIdentity {
  const env = input.envelope;
  const gpus = getPath(env, 'hardware_fingerprint', 'gpus');
  const firstGpu = Array.isArray(gpus) && gpus.length > 0 ? getString(gpus[0], 'model') : undefined;
  const jsonMetrics: Record<string, number | null> = {};
  for (const key of [...PYTHON_SUMMARY_METRICS, ...columns.map((c) => c.key)])
    jsonMetrics[key] = metricNumber(env, key) ?? null;
  return {
    runId: getString(env, 'run_id') ?? '',
    suiteId: suiteId(env),
    engineName: getString(env, 'engine', 'name') ?? null,
    engineVersion: getString(env, 'engine', 'version') ?? null,
    quantization: getString(env, 'quantization', 'format') ?? null,
    hardwareModel: firstGpu ?? 'cpu',
    producer: producerOf(env),
    dataset: datasetOf(env),
    jsonMetrics,
  };
}

/** A note when one suite's runs used different data (dataset hashes): not the same workload. */
function datasetNote(rows: readonly SummaryRow[]): string[] {
  const byHash = new Map<string, { label: string; count: number }>();
  for (const row of rows) {
    const ref = row.identity.dataset;
    const entry = byHash.get(ref.hash) ?? { label: datasetLabel(ref), count: 0 };
    entry.count++;
    byHash.set(ref.hash, entry);
  }
  if (byHash.size < 2) return [];
  const parts = [...byHash.values()].map((e) => `${e.label} ×${e.count}`);
  return [
    `${byHash.size} different datasets (${parts.join(', ')}): rows with different hashes are not the same workload`,
  ];
}

export function buildSummary(inputs: readonly SummaryInput[], skipped: number): SummaryReport {
  const bySuite = new Map<string, SummaryInput[]>();
  for (const input of inputs) {
    const id = suiteId(input.envelope);
    const list = bySuite.get(id) ?? [];
    list.push(input);
    bySuite.set(id, list);
  }
  const suites = new Map<string, { columns: MetricColumn[]; rows: SummaryRow[]; notes: string[] }>();
  for (const id of [...bySuite.keys()].sort()) {
    const members = bySuite.get(id) ?? [];
    const columns = SUMMARY_METRIC_COLUMNS.filter((column) =>
      members.some((m) => metricNumber(m.envelope, column.key) !== undefined),
    );
    const rows = members.map((m): SummaryRow => {
      const metrics: Record<string, number | null> = {};
      for (const column of columns) metrics[column.key] = metricNumber(m.envelope, column.key) ?? null;
      return {
        path: m.path,
        identity: identityOf(m, columns),
        runId: shortRunId(m.envelope),
        model: modelLabel(m.envelope),
        engine: engineLabel(m.envelope),
        quant: quantLabel(m.envelope),
        hardware: hardwareLabel(m.envelope),
        signature: m.signature,
        flags: envelopeFlags(m.envelope),
        metrics,
      };
    });
    rows.sort(byThroughputDesc);
    suites.set(id, { columns, rows, notes: datasetNote(rows) });
  }
  return { suites, loaded: inputs.length, skipped };
}

function byThroughputDesc(a: SummaryRow, b: SummaryRow): number {
  const ta = a.metrics['throughput_tok_per_s'] ?? null;
  const tb = b.metrics['throughput_tok_per_s'] ?? null;
  if (ta === null && tb === null) return a.path.localeCompare(b.path);
  if (ta === null) return 1;
  if (tb === null) return -1;
  return tb - ta || a.path.localeCompare(b.path);
}

export function signatureLabel(status: SignatureStatus): string {
  return trustCell(status);
}

function cellOf(column: MetricColumn, value: number | null | undefined): string {
  if (value === null || value === undefined) return '-';
  return column.kind === 'rate' ? formatPercent(value) : formatNumber(value);
}

export function summaryTrailer(report: SummaryReport): string {
  const k = report.suites.size;
  return `${report.loaded} envelopes loaded, ${report.skipped} skipped (validation failure), ${k} suite${k === 1 ? '' : 's'}`;
}

export function renderSummaryText(report: SummaryReport): string {
  const blocks: string[] = [];
  for (const [id, suite] of report.suites) {
    const columns: Column[] = [
      { header: 'Model' },
      { header: 'Engine' },
      { header: 'Quant' },
      { header: 'Hardware' },
      ...suite.columns.map((c) => ({ header: c.header, align: 'right' as const })),
      { header: 'Trust' },
      { header: 'Run' },
    ];
    const anyFlags = suite.rows.some((row) => row.flags.length > 0);
    if (anyFlags) columns.push({ header: 'Flags' });
    const rows = suite.rows.map((row) => [
      row.model,
      row.engine,
      row.quant,
      row.hardware,
      ...suite.columns.map((c) => cellOf(c, row.metrics[c.key])),
      signatureLabel(row.signature),
      row.runId,
      ...(anyFlags ? [row.flags.join(', ') || '-'] : []),
    ]);
    blocks.push(
      `${id} (${suite.rows.length} run${suite.rows.length === 1 ? '' : 's'})\n${renderTable(columns, rows)}` +
        suite.notes.map((note) => `\nnote: ${note}`).join(''),
    );
  }
  blocks.push(summaryTrailer(report));
  return blocks.join('\n\n');
}

/**
 * `--json` in InferenceBench's shape: {"suites": {<suite_id>: [{run_id, run_id_short, suite_id,
 * model_id, engine {name, version}, quantization, hardware, metrics {…}}]}, "skipped": M} with our
 * fields added per run (path, signature, tool, dataset, model/engine/hardware labels) and per
 * report (notes: suites whose runs used different datasets).
 */
export function summaryJson(report: SummaryReport): unknown {
  const suites: Record<string, unknown[]> = {};
  const notes: string[] = [];
  for (const [id, suite] of report.suites) {
    suites[id] = suite.rows.map((row) => {
      const who = row.identity;
      return {
        run_id: who.runId,
        run_id_short: row.runId,
        suite_id: who.suiteId,
        model_id: row.model,
        engine: { name: who.engineName, version: who.engineVersion },
        quantization: who.quantization,
        hardware: who.hardwareModel,
        metrics: who.jsonMetrics,
        path: row.path,
        signature: row.signature,
        incomplete: row.flags.includes('incomplete'),
        quality_valid: !row.flags.includes('quality invalid'),
        tool: who.producer,
        dataset: { id: who.dataset.id, hash: who.dataset.hash },
        engine_label: row.engine,
        hardware_label: row.hardware,
      };
    });
    for (const note of suite.notes) notes.push(`${id}: ${note}`);
  }
  return { suites, skipped: report.skipped, loaded: report.loaded, notes };
}

/** One CSV for all suites: suite_id first, then the union of metric columns. */
export function renderSummaryCsv(report: SummaryReport): string {
  const metricKeys = SUMMARY_METRIC_COLUMNS.map((c) => c.key).filter((key) =>
    [...report.suites.values()].some((suite) => suite.columns.some((c) => c.key === key)),
  );
  const header = [
    'suite_id',
    'model',
    'engine',
    'quant',
    'hardware',
    ...metricKeys,
    'signature',
    'flags',
    'run_id',
    'path',
  ];
  const lines = [csvLine(header)];
  for (const [id, suite] of report.suites) {
    for (const row of suite.rows) {
      lines.push(
        csvLine([
          id,
          row.model,
          row.engine,
          row.quant,
          row.hardware,
          ...metricKeys.map((key) => row.metrics[key] ?? null),
          row.signature,
          row.flags.join(';'),
          row.runId,
          row.path,
        ]),
      );
    }
  }
  return lines.join('\n');
}
