// `bench export`: one envelope as markdown, csv or a Slack message.
import { getPath, getString, gpuCount, type EnvelopeLike } from './envelopeView.js';
import { csvLine, formatNumber, formatPercent } from './format.js';

export type ExportFormat = 'markdown' | 'csv' | 'slack';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['markdown', 'csv', 'slack'];

export interface ExportHeader {
  readonly suite: string;
  readonly model: string;
  readonly engine: string;
  readonly hardware: string;
  readonly signing: string;
  readonly verifyCommand: string;
  readonly runId: string;
  readonly timestamp: string;
}

export function exportHeader(envelope: EnvelopeLike, path: string): ExportHeader {
  const suite =
    `${getString(envelope, 'suite_id') ?? '?'} ${getString(envelope, 'suite_version') ?? ''}`.trim();
  const model = `${getString(envelope, 'model', 'id') ?? '?'} @ ${getString(envelope, 'model', 'revision') ?? 'unknown'}`;
  const engine =
    `${getString(envelope, 'engine', 'name') ?? '?'} ${getString(envelope, 'engine', 'version') ?? ''}`.trim();
  const gpus = getPath(envelope, 'hardware_fingerprint', 'gpus');
  const gpuModel = Array.isArray(gpus) && gpus.length > 0 ? (getString(gpus[0], 'model') ?? '?') : undefined;
  const hardware = gpuModel
    ? `${gpuModel} × ${gpuCount(envelope)}`
    : (getString(envelope, 'metrics', 'slo_hardware_class') ?? 'unknown');
  const method = getString(envelope, 'signature', 'method');
  return {
    suite,
    model,
    engine,
    hardware,
    signing: method && method !== '' ? method : 'unsigned',
    verifyCommand: `bench verify ${path}`,
    runId: getString(envelope, 'run_id') ?? '?',
    timestamp: getString(envelope, 'timestamp') ?? '?',
  };
}

/** Metric entries sorted by key; string metrics kept (they are context such as slo_template_resolved). */
export function exportMetrics(envelope: EnvelopeLike, only: readonly string[]): [string, number | string][] {
  const metrics = getPath(envelope, 'metrics');
  const entries: [string, number | string][] = [];
  if (typeof metrics === 'object' && metrics !== null) {
    for (const [key, value] of Object.entries(metrics as Record<string, unknown>)) {
      if (typeof value === 'number' || typeof value === 'string') entries.push([key, value]);
    }
  }
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (only.length === 0) return entries;
  const wanted = new Set(only);
  return entries.filter(([key]) => wanted.has(key));
}

function valueText(value: number | string): string {
  return typeof value === 'number' ? formatNumber(value) : value;
}

export function renderMarkdown(envelope: EnvelopeLike, path: string, only: readonly string[]): string {
  const h = exportHeader(envelope, path);
  const lines = [
    `### ${h.suite}`,
    '',
    `- **Model:** ${h.model}`,
    `- **Engine:** ${h.engine}`,
    `- **Hardware:** ${h.hardware}`,
    `- **Run:** ${h.runId} (${h.timestamp})`,
    `- **Signed:** ${h.signing} — verify with \`${h.verifyCommand}\``,
    '',
    '| metric | value |',
    '|---|---:|',
    ...exportMetrics(envelope, only).map(
      ([key, value]) => `| ${key} | ${valueText(value).replace(/\|/g, '\\|')} |`,
    ),
  ];
  return lines.join('\n');
}

/**
 * Metric number text as written in the file (from a lossless-json parse: `1.0` stays `1.0`, as
 * Python writes it); empty when the parse is not available.
 */
export function rawMetricText(lossless: unknown): Map<string, string> {
  const out = new Map<string, string>();
  const metrics = getPath(lossless, 'metrics');
  if (typeof metrics !== 'object' || metrics === null) return out;
  for (const [key, value] of Object.entries(metrics as Record<string, unknown>)) {
    const text = (value as { isLosslessNumber?: unknown; value?: unknown } | null)?.value;
    if (
      (value as { isLosslessNumber?: unknown } | null)?.isLosslessNumber === true &&
      typeof text === 'string'
    )
      out.set(key, text);
  }
  return out;
}

export function renderCsv(
  envelope: EnvelopeLike,
  path: string,
  only: readonly string[],
  raw: ReadonlyMap<string, string> = new Map(),
): string {
  const h = exportHeader(envelope, path);
  const header = [
    ['suite', h.suite],
    ['model', h.model],
    ['engine', h.engine],
    ['hardware', h.hardware],
    ['run_id', h.runId],
    ['timestamp', h.timestamp],
    ['signing', h.signing],
  ].map(([k, v]) => `# ${k}=${v}`);
  return [
    ...header,
    csvLine(['metric', 'value']),
    ...exportMetrics(envelope, only).map(([key, value]) => csvLine([key, raw.get(key) ?? value])),
  ].join('\n');
}

const LATENCY_PAIRS: readonly [string, string][] = [
  ['TTFT', 'ttft'],
  ['TPOT', 'tpot'],
  ['ITL', 'itl'],
  ['E2E', 'total'],
];
const RATE_KEYS = new Set(['ok_rate', 'compliance_rate', 'accuracy', 'drift_rate']);

/** A fenced block for Slack: p50/p99 paired per latency, rates as percentages, a verify footer. */
export function renderSlack(envelope: EnvelopeLike, path: string, only: readonly string[]): string {
  const h = exportHeader(envelope, path);
  const metrics = new Map(exportMetrics(envelope, only));
  const used = new Set<string>();
  const num = (key: string): number | undefined => {
    const v = metrics.get(key);
    return typeof v === 'number' ? v : undefined;
  };
  const lines: string[] = [`${h.suite} · ${h.model} · ${h.engine} · ${h.hardware}`];
  const width = Math.max(18, ...[...metrics.keys()].map((k) => k.length)) + 1;
  for (const [label, base] of LATENCY_PAIRS) {
    const p50 = num(`${base}_p50_ms`);
    const p99 = num(`${base}_p99_ms`);
    if (p50 === undefined && p99 === undefined) continue;
    used.add(`${base}_p50_ms`).add(`${base}_p99_ms`);
    lines.push(`${`${label} p50/p99`.padEnd(width)} ${formatNumber(p50)} / ${formatNumber(p99)} ms`);
  }
  for (const [key, value] of metrics) {
    if (used.has(key) || typeof value !== 'number') continue;
    const text = RATE_KEYS.has(key) ? formatPercent(value) : formatNumber(value);
    lines.push(`${key.padEnd(width)} ${text}`);
  }
  return ['```', ...lines, '```', `signed: ${h.signing} · verify: \`${h.verifyCommand}\``].join('\n');
}

export function renderExport(
  format: ExportFormat,
  envelope: EnvelopeLike,
  path: string,
  only: readonly string[],
  lossless?: unknown,
): string {
  switch (format) {
    case 'markdown':
      return renderMarkdown(envelope, path, only);
    case 'csv':
      return renderCsv(envelope, path, only, rawMetricText(lossless));
    case 'slack':
      return renderSlack(envelope, path, only);
  }
}
