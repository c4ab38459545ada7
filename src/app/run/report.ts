// Text output of `bench run` in headless mode: the 1/s progress line (stderr) and the result tables (stdout),
// in the shape of the seed examples.
import type { SweepRow } from '../console/types.js';
import { fmt, textTable } from '../text/format.js';

export { fmt, textTable };
export type { SweepRow };

export function sweepTable(mode: 'closed' | 'open', rows: readonly SweepRow[]): string {
  const title = mode === 'closed' ? 'Sweep results (concurrency)' : 'Sweep results (rps)';
  const body = textTable(
    [
      mode === 'closed' ? 'conc' : 'rps',
      'throughput_tok_per_s',
      'ttft_p50_ms',
      'tpot_p50_ms',
      'ok_rate',
      'J/tok',
      'envelope',
    ],
    rows.map((r) => [
      r.point.replace(/^[cr]/, ''),
      fmt(r.throughputTokPerS, 1),
      fmt(r.ttftP50Ms),
      fmt(r.tpotP50Ms),
      r.okRate === null ? 'n/a' : r.okRate.toFixed(3),
      fmt(r.joulesPerToken, 3),
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
}

export function resultBlock(r: ResultSummary): string {
  const rows = HEADLINE_METRICS.filter((k) => k in r.metrics).map((key) => {
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
