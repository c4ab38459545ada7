// Text output of `bench run` in headless mode: the 1/s progress line (stderr) and the result tables (stdout),
// in the shape of the seed examples.
import type { SweepRow } from '../console/types.js';
import { queueDelayMaterial } from '../../harness/index.js';
import { fmt, textTable } from '../text/format.js';

export { fmt, textTable };
export type { SweepRow };

export function sweepTable(mode: 'closed' | 'open', rows: readonly SweepRow[]): string {
  const title = mode === 'closed' ? 'Sweep results (concurrency)' : 'Sweep results (rps)';
  // ttft_sched beside ttft when any point queued materially in the client.
  const sched = rows.some((r) => r.ttftSchedP50Ms !== undefined);
  const withSol = rows.some((r) => r.sol !== undefined);
  const body = textTable(
    [
      mode === 'closed' ? 'conc' : 'rps',
      'throughput_tok_per_s',
      'ttft_p50_ms',
      ...(sched ? ['ttft_sched_p50_ms'] : []),
      'tpot_p50_ms',
      'ok_rate',
      'J/tok',
      ...(withSol ? ['%SoL'] : []),
      'envelope',
    ],
    rows.map((r) => [
      r.point.replace(/^[cr]/, ''),
      fmt(r.throughputTokPerS, 1),
      fmt(r.ttftP50Ms),
      ...(sched ? [r.ttftSchedP50Ms === undefined ? '—' : fmt(r.ttftSchedP50Ms)] : []),
      fmt(r.tpotP50Ms),
      r.okRate === null ? 'n/a' : r.okRate.toFixed(3),
      fmt(r.joulesPerToken, 3),
      ...(withSol ? [r.sol ?? 'n/a'] : []),
      r.envelope,
    ]),
  );
  return `${title}\n${body}`;
}

const HEADLINE_METRICS = [
  'ttft_p50_ms',
  'ttft_p99_ms',
  'tpot_p50_ms',
  'tpot_p99_ms',
  'itl_p50_ms',
  'total_p50_ms',
  'total_p99_ms',
  'throughput_tok_per_s',
  'req_per_s_all',
  'req_per_s_passing',
  'goodput_tok_per_s',
  'compliance_rate',
  'ok_rate',
  'power_avg_w',
  'joules_per_token',
] as const;

export interface ResultSummary {
  readonly runId: string;
  readonly suiteId: string;
  readonly model: string;
  readonly quant: string;
  readonly hardware: string;
  readonly engine: string;
  readonly metrics: Readonly<Record<string, unknown>>;
  readonly ci: Readonly<Record<string, { lo: number; hi: number; n: number }>>;
  readonly warnings: readonly string[];
  readonly envelopePath: string;
  readonly tier: string;
  /** A trace replay's run_context.trace (the "Trace:" line). */
  readonly trace?: Readonly<Record<string, unknown>> | null;
}

const int = (v: unknown): string => (typeof v === 'number' ? String(Math.round(v)) : '?');

/** "Trace: 100 of 100 entries sent over 1.87 s (×1) · schedule lag p50 … / p99 … / max … ms". */
export function traceLine(trace: Readonly<Record<string, unknown>>): string {
  const n = (v: unknown): number | null => (typeof v === 'number' ? v : null);
  const lag = (trace.schedule_lag_ms ?? {}) as Record<string, unknown>;
  const skipped = n(trace.skipped) ?? 0;
  return (
    `Trace: ${int(trace.sent)} of ${int(trace.entries)} entries sent over ${fmt(n(trace.span_s))} s ` +
    `(time scale ×${String(n(trace.time_scale) ?? '?')}, ${fmt(n(trace.offered_rps))} req/s)${skipped > 0 ? `, ${skipped} not sent` : ''}` +
    ` · schedule lag p50 ${fmt(n(lag.p50))} / p99 ${fmt(n(lag.p99))} / max ${fmt(n(lag.max))} ms`
  );
}

/** The headline keys: ttft_sched (and total_sched) beside ttft (and total) when queueing was material. */
export function headlineKeys(metrics: Readonly<Record<string, unknown>>): string[] {
  const num = (key: string): number | null => {
    const v = metrics[key];
    return typeof v === 'number' ? v : null;
  };
  const material = queueDelayMaterial(num('client_queue_delay_p99_ms'), num('ttft_p99_ms'));
  const keys: string[] = [];
  for (const key of HEADLINE_METRICS) {
    keys.push(key);
    if (material && key === 'ttft_p99_ms')
      keys.push('ttft_sched_p50_ms', 'ttft_sched_p99_ms', 'client_queue_delay_p99_ms');
    if (material && key === 'total_p99_ms') keys.push('total_sched_p99_ms');
  }
  return keys.filter((k) => k in metrics);
}

export function resultBlock(r: ResultSummary): string {
  const rows = headlineKeys(r.metrics).map((key) => {
    const v = r.metrics[key];
    const ci = r.ci[key];
    return [
      key,
      typeof v === 'number' || v === null ? fmt(v) : typeof v === 'string' ? v : JSON.stringify(v),
      ci ? `[${fmt(ci.lo)}, ${fmt(ci.hi)}] n=${ci.n}` : '',
    ];
  });
  const lines = [
    `Run id: ${r.runId}`,
    `Suite: ${r.suiteId}`,
    `Model: ${r.model} @ ${r.quant} on ${r.hardware}`,
    `Engine: ${r.engine}`,
    `Tier: ${r.tier}`,
    ...(r.trace ? [traceLine(r.trace)] : []),
    'Metrics:',
    textTable(['metric', 'value', '95% CI'], rows)
      .split('\n')
      .map((l) => `  ${l}`)
      .join('\n'),
  ];
  if (r.warnings.length > 0) lines.push('Warnings:', ...r.warnings.map((w) => `  - ${w}`));
  lines.push(`Envelope: ${r.envelopePath}`);
  return lines.join('\n');
}
