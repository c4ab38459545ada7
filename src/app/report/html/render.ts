// Page model + client script → one self-contained HTML document. Everything textual is rendered
// here (header, tables, placeholders), so the page reads without JavaScript; the inlined script
// draws the charts from the embedded model. A Content-Security-Policy forbids every fetch, and
// only the inlined script (by its hash) may run.
import { createHash } from 'node:crypto';
import { formatNumber, formatPercent } from '../format.js';
import type { ChartSpec, ClientData, ReportEnvelope, ReportModel, SectionId, TrustState } from './model.js';
import { REPORT_CSS } from './styles.js';
import { encodeClientData } from './wire.js';

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/** JSON that is safe inside <script type="application/json">: no `</script`, no `<!--`. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** A script body that cannot close its own <script> element. */
function scriptSafe(code: string): string {
  return code.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

const num = (value: number | undefined): string => escapeHtml(formatNumber(value));

const TRUST_TEXT: Record<TrustState, string> = {
  verified: 'verified',
  untrusted: 'untrusted signer',
  unsigned: 'unsigned',
  failed: 'FAILED verification',
};

function trustBadge(e: ReportEnvelope): string {
  return `<span class="badge trust-${e.trust}" title="${escapeHtml(e.trustDetail)}">${TRUST_TEXT[e.trust]}</span>`;
}

function badges(e: ReportEnvelope): string {
  const parts = [trustBadge(e)];
  if (e.simulated)
    parts.push('<span class="badge simulated" title="embedded simulated engine">simulated</span>');
  if (e.tier) parts.push(`<span class="badge tier">${escapeHtml(e.tier)}</span>`);
  if (e.valid === false)
    parts.push('<span class="badge invalid" title="quality.valid is false">invalid</span>');
  return parts.join(' ');
}

const loadCell = (e: ReportEnvelope): string =>
  e.load === null ? '-' : e.load.kind === 'concurrency' ? `c=${e.load.value}` : `${e.load.value} req/s`;

const envLink = (e: ReportEnvelope): string => `<a href="#${e.id}">${escapeHtml(e.id)}</a>`;

function distinct(values: readonly string[]): string {
  const unique = [...new Set(values)];
  return unique.length <= 3
    ? unique.join(', ')
    : `${unique.slice(0, 3).join(', ')} and ${unique.length - 3} more`;
}

function header(model: ReportModel): string {
  const es = model.envelopes;
  const trustCounts = (['verified', 'untrusted', 'unsigned', 'failed'] as const)
    .map((t) => [t, es.filter((e) => e.trust === t).length] as const)
    .filter(([, n]) => n > 0)
    .map(([t, n]) => `<span class="badge trust-${t}">${n} ${TRUST_TEXT[t]}</span>`)
    .join(' ');
  const simulated = es.filter((e) => e.simulated).length;
  const tiers = es.map((e) => e.tier ?? 'no tier recorded');
  const facts: [string, string][] = [
    ['suite', distinct(es.map((e) => `${e.suite} ${e.suiteVersion}`.trim()))],
    ['model', distinct(es.map((e) => e.model))],
    ['engine', distinct(es.map((e) => e.engine))],
    ['hardware', distinct(es.map((e) => e.hardware))],
    ['quant', distinct(es.map((e) => e.quant))],
    ['tier', distinct(tiers)],
  ];
  return `<header id="header">
<h1>${escapeHtml(model.title)}</h1>
<p class="meta">${es.length} envelope${es.length === 1 ? '' : 's'} · ${model.series.length} series · generated ${escapeHtml(model.generatedAt)} by ${escapeHtml(model.tool)}</p>
<p class="badges">${trustCounts}${simulated > 0 ? ` <span class="badge simulated">${simulated} simulated</span>` : ''}</p>
<dl class="facts">${facts.map(([k, v]) => `<dt>${k}</dt><dd>${escapeHtml(v)}</dd>`).join('')}</dl>
${simulated > 0 ? '<p class="banner simulated">Simulated results: the embedded engine models a GPU; these numbers say nothing about real hardware.</p>' : ''}
<nav><a href="#sweep">Sweep curves</a> · <a href="#tradeoff">Trade-off</a> · <a href="#distributions">Distributions</a> · <a href="#telemetry">Telemetry</a> · <a href="#tables">Tables</a></nav>
</header>`;
}

function envelopeCards(model: ReportModel): string {
  const rows = model.envelopes
    .map(
      (
        e,
      ) => `<tr id="${e.id}"><td>${escapeHtml(e.id)}</td><td class="file">${escapeHtml(e.file)}</td><td>${escapeHtml(e.model)}</td><td>${escapeHtml(e.engine)}</td><td>${escapeHtml(e.hardware)}</td><td>${escapeHtml(e.quant)}</td><td>${escapeHtml(loadCell(e))}</td><td>${badges(e)}</td></tr>
<tr class="context"><td></td><td colspan="7"><details><summary>full context</summary><dl class="context">${e.context
        .map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`)
        .join('')}</dl><p class="trust-detail">${escapeHtml(e.trustDetail)}</p></details></td></tr>`,
    )
    .join('\n');
  return `<section id="envelopes"><h2>Envelopes</h2>
<table id="table-envelopes"><thead><tr><th>#</th><th>file</th><th>model</th><th>engine</th><th>hardware</th><th>quant</th><th>load</th><th>state</th></tr></thead>
<tbody>${rows}</tbody></table></section>`;
}

function figure(chart: ChartSpec): string {
  const link = chart.tableId ? ` <a class="to-table" href="#${chart.tableId}">table ↓</a>` : '';
  const body =
    chart.placeholder !== null
      ? `<p class="placeholder">${escapeHtml(chart.placeholder)}</p>`
      : `<div class="plot" data-plot="${chart.id}"></div>`;
  const notes = chart.notes.length
    ? `<ul class="notes">${chart.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>`
    : '';
  return `<figure class="chart" id="chart-${chart.id}" data-chart="${chart.id}"><figcaption>${escapeHtml(chart.title)}${link}</figcaption>${body}${notes}</figure>`;
}

const SECTIONS: readonly { id: SectionId; title: string; intro: string }[] = [
  {
    id: 'sweep',
    title: 'Sweep curves',
    intro:
      'One line per engine · model · quant · hardware. Bands are 95 % bootstrap CIs where the envelope has them; horizontal lines are SLO thresholds.',
  },
  {
    id: 'tradeoff',
    title: 'Trade-off',
    intro:
      'Every envelope is a point; hover for its file. The dashed line joins the Pareto frontier across all envelopes.',
  },
  {
    id: 'distributions',
    title: 'Distributions',
    intro:
      "Cumulative distributions from the envelopes' histogram blocks, one line per point; dots mark p50, rings p99.",
  },
  {
    id: 'telemetry',
    title: 'Telemetry',
    intro: 'GPU power and energy, client health and server metrics as the envelopes summarise them.',
  },
];

function section(model: ReportModel, id: SectionId, title: string, intro: string, extra = ''): string {
  const charts = model.charts.filter((c) => c.section === id);
  const body = charts.length
    ? charts.map(figure).join('\n')
    : '<p class="placeholder">not in these envelopes: no sweep point records a concurrency or an offered rate</p>';
  return `<section id="${id}"><h2>${escapeHtml(title)}</h2><p class="intro">${escapeHtml(intro)}</p><div class="grid">${body}</div>${extra}</section>`;
}

function ciText(e: ReportEnvelope, key: string): string {
  const value = e.metrics[key];
  if (value === undefined) return '-';
  const ci = e.ci[key];
  return ci ? `${num(value)} <span class="ci">[${num(ci[0])}, ${num(ci[1])}]</span>` : num(value);
}

function sweepTable(model: ReportModel): string {
  const sorted = [...model.envelopes].sort(
    (a, b) => a.seriesIndex - b.seriesIndex || (a.load?.value ?? Infinity) - (b.load?.value ?? Infinity),
  );
  const rows = sorted
    .map((e) => {
      const m = e.metrics;
      return `<tr><td>${envLink(e)}</td><td>${escapeHtml(model.series[e.seriesIndex]?.label ?? '?')}</td><td>${escapeHtml(loadCell(e))}</td><td class="n">${num(m['throughput_tok_per_s'])}</td><td class="n">${num(m['goodput_tok_per_s'])}</td><td class="n">${num(m['tok_per_s_per_user'])}</td><td class="n">${ciText(e, 'ttft_p50_ms')}</td><td class="n">${ciText(e, 'ttft_p99_ms')}</td><td class="n">${ciText(e, 'tpot_p50_ms')}</td><td class="n">${ciText(e, 'tpot_p99_ms')}</td><td class="n">${num(m['itl_p50_ms'])}</td><td class="n">${m['ok_rate'] === undefined ? '-' : escapeHtml(formatPercent(m['ok_rate']))}</td><td class="n">${num(m['joules_per_token'])}</td><td class="file">${escapeHtml(e.file)}</td></tr>`;
    })
    .join('\n');
  const charts = model.charts
    .filter((c) => c.tableId === 'table-sweep')
    .map((c) => `<a href="#chart-${c.id}">${escapeHtml(c.id)}</a>`)
    .join(' · ');
  return `<h3>Sweep table</h3><p class="links">charts: ${charts}</p>
<table id="table-sweep"><thead><tr><th>#</th><th>series</th><th>load</th><th>tok/s</th><th>goodput tok/s</th><th>tok/s/user</th><th>TTFT p50 ms</th><th>TTFT p99 ms</th><th>TPOT p50 ms</th><th>TPOT p99 ms</th><th>ITL p50 ms</th><th>ok</th><th>J/tok</th><th>file</th></tr></thead>
<tbody>${rows}</tbody></table>`;
}

function sloTable(model: ReportModel): string {
  const rows: string[] = [];
  for (const e of model.envelopes) {
    if (e.sloTargets.length === 0) {
      rows.push(
        `<tr><td>${envLink(e)}</td><td colspan="6">${e.sloResolved ? `${escapeHtml(e.sloResolved)} — ` : ''}<span class="placeholder">not in this envelope: no per-target SLO verdicts</span></td></tr>`,
      );
      continue;
    }
    for (const t of e.sloTargets) {
      const verdict =
        t.met === null ? '-' : t.met ? '<span class="pass">met</span>' : '<span class="fail">missed</span>';
      rows.push(
        `<tr><td>${envLink(e)}</td><td><a href="#chart-sweep-${escapeHtml(t.metric)}-${e.load?.kind ?? 'concurrency'}">${escapeHtml(t.metric)} p${t.percentile}</a></td><td class="n">≤ ${num(t.maxMs)} ms</td><td class="n">${t.valueMs === null ? '-' : `${num(t.valueMs)} ms`}</td><td>${verdict}</td><td class="n">${t.passRate === null ? '-' : escapeHtml(formatPercent(t.passRate))}</td><td>${escapeHtml(loadCell(e))}</td></tr>`,
      );
    }
  }
  return `<h3>SLO verdicts</h3>
<table id="table-slo"><thead><tr><th>#</th><th>target</th><th>threshold</th><th>value</th><th>verdict</th><th>requests passing</th><th>load</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table>`;
}

function warningsTable(model: ReportModel): string {
  const rows = model.envelopes.flatMap((e) =>
    e.warnings.map((w) => `<tr><td>${envLink(e)}</td><td>${escapeHtml(w)}</td></tr>`),
  );
  const body = rows.length ? rows.join('\n') : '<tr><td colspan="2">no warnings in these envelopes</td></tr>';
  return `<h3>Warnings</h3>
<table id="table-warnings"><thead><tr><th>#</th><th>warning</th></tr></thead><tbody>${body}</tbody></table>`;
}

function telemetryTable(model: ReportModel): string {
  const rows = model.envelopes.map((e) => {
    const facts = e.telemetrySummary.length
      ? e.telemetrySummary.map(([k, v]) => `${escapeHtml(k)}: <b>${escapeHtml(v)}</b>`).join(' · ')
      : '<span class="placeholder">not in this envelope: no telemetry summary</span>';
    return `<tr><td>${envLink(e)}</td><td>${escapeHtml(loadCell(e))}</td><td>${facts}</td></tr>`;
  });
  return `<h3>Telemetry summary</h3>
<table id="table-telemetry"><thead><tr><th>#</th><th>load</th><th>facts</th></tr></thead><tbody>${rows.join('\n')}</tbody></table>`;
}

function skippedList(model: ReportModel): string {
  if (model.skipped.length === 0) return '';
  return `<h3>Skipped files</h3><ul>${model.skipped
    .map((s) => `<li><span class="file">${escapeHtml(s.path)}</span>: ${escapeHtml(s.reason)}</li>`)
    .join('')}</ul>`;
}

/** What the page script needs: the chart specs (compact, wire.ts) and the series order. */
export function clientData(model: ReportModel): ClientData {
  return encodeClientData(model);
}

export interface RenderedPage {
  readonly html: string;
  readonly bytes: number;
}

export function renderReportHtml(model: ReportModel, clientScript: string): RenderedPage {
  const script = scriptSafe(clientScript);
  const scriptHash = createHash('sha256').update(script, 'utf8').digest('base64');
  const csp = `default-src 'none'; script-src 'sha256-${scriptHash}'; style-src 'unsafe-inline'; img-src data:; connect-src 'none'; form-action 'none'; base-uri 'none'`;
  const sections = SECTIONS.map((s) =>
    section(model, s.id, s.title, s.intro, s.id === 'telemetry' ? telemetryTable(model) : ''),
  ).join('\n');
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(model.title)}</title>
<style>${REPORT_CSS}</style>
</head><body>
${header(model)}
<main>
${envelopeCards(model)}
${sections}
<section id="tables"><h2>Tables</h2>
${sweepTable(model)}
${sloTable(model)}
${warningsTable(model)}
${skippedList(model)}
</section>
</main>
<footer>Self-contained page: no network access at view time. Made by ${escapeHtml(model.tool)}.</footer>
<script type="application/json" id="report-data">${jsonForScript(clientData(model))}</script>
<script>${script}</script>
</body></html>
`;
  return { html, bytes: Buffer.byteLength(html, 'utf8') };
}
