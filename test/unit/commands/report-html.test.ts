// The report page model and renderer on real envelopes: InferenceBench v1 fixtures (no histograms,
// CIs or run_context), one of ours from the H100 runs, and hostile strings. The browser side is
// covered by test/e2e/report.test.ts.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { envelopeIo } from '../../../src/app/report/envelopeIo.js';
import type { LoadedEnvelope } from '../../../src/app/report/envelopeView.js';
import { buildReportModel, type TrustedEnvelope } from '../../../src/app/report/html/buildModel.js';
import { histogramsOf, timelineOf } from '../../../src/app/report/html/envelopeFacts.js';
import type { ChartSpec, ClientData, ReportModel } from '../../../src/app/report/html/model.js';
import { jsonForScript, renderReportHtml } from '../../../src/app/report/html/render.js';
import { trustOf } from '../../../src/app/report/html/trust.js';
import { decodeCharts, encodeClientData } from '../../../src/app/report/html/wire.js';
import { paretoAnalysis } from '../../../src/app/report/pareto.js';
import { derived, fixturePath } from './helpers.js';

const OURS = join(import.meta.dirname, '../../../fixtures/h100-runs/ec4d50cdbdc8.json');
const PY = ['c1-79d354b13545.json', 'c4-95cbfd4f49dc.json', 'c16-b91875fdf860.json', '010e9504589b.json'].map(
  fixturePath,
);

const untrusted = (loaded: LoadedEnvelope): TrustedEnvelope => ({
  loaded,
  file: loaded.path,
  trust: 'untrusted',
  trustDetail: 'test',
});

async function model(paths: readonly string[]): Promise<ReportModel> {
  const loaded = await Promise.all(paths.map((p) => envelopeIo.read(p)));
  return buildReportModel(loaded.map(untrusted), { generatedAt: '2026-12-04T00:00:00.000Z', tool: 'test' });
}

const chartOf = (m: ReportModel, id: string): ChartSpec => {
  const chart = m.charts.find((c) => c.id === id);
  if (!chart) throw new Error(`no chart ${id}`);
  return chart;
};

describe('report page model', () => {
  it('InferenceBench v1 sweep: load from the file names, placeholders for what v1 lacks', async () => {
    const m = await model(PY);
    expect(m.envelopes.map((e) => e.load)).toEqual([
      { kind: 'concurrency', value: 1 },
      { kind: 'concurrency', value: 4 },
      { kind: 'concurrency', value: 16 },
      null,
    ]);
    expect(m.series.map((s) => s.label)).toEqual([
      'vllm 0.22.1 · Qwen2.5-72B-Instruct · bf16 · H100 80GB HBM3 ×8',
      'vllm 0.21.0 · Mistral-7B-Instruct-v0.3 · fp16 · H100 80GB HBM3 ×8',
    ]);
    const tput = chartOf(m, 'sweep-throughput-concurrency');
    expect(tput.dots.map((d) => d.x)).toEqual([1, 4, 16]);
    expect(tput.x.type).toBe('log');
    expect(chartOf(m, 'sweep-ttft-concurrency').bands).toEqual([]);
    expect(chartOf(m, 'sweep-ttft-concurrency').notes.join()).toContain('no 95 % CI');
    expect(chartOf(m, 'sweep-goodput').placeholder).toContain('not in these envelopes');
    for (const id of ['dist-ttft', 'dist-tpot', 'dist-itl', 'dist-total'])
      expect(chartOf(m, id).placeholder).toMatch(/^not in these envelopes: no histograms\./);
    // tok/s per user only where the concurrency is known
    expect(m.envelopes.map((e) => e.metrics['tok_per_s_per_user'] !== undefined)).toEqual([
      true,
      true,
      true,
      false,
    ]);
  });

  it('the trade-off frontier is the one pareto.ts computes (throughput_vs_latency)', async () => {
    const m = await model(PY);
    const loaded = await Promise.all(PY.map((p) => envelopeIo.read(p)));
    const expected = paretoAnalysis(loaded.map((l) => l.envelope)).byPair['throughput_vs_latency'] ?? [];
    const ringed = chartOf(m, 'tradeoff-ttft')
      .dots.filter((d) => d.ring)
      .map((d) => PY.indexOf(d.file))
      .sort();
    expect(ringed).toEqual(expected);
    expect(chartOf(m, 'tradeoff-ttft').dots.every((d) => PY.includes(d.file))).toBe(true);
  });

  it('our envelope: CDFs from the histogram blocks, CI bands, SLO thresholds as rules', async () => {
    const m = await model([OURS, ...PY.slice(0, 2)]);
    const [ours] = m.envelopes;
    expect(ours?.simulated).toBe(true);
    expect(ours?.tier).toBe('DRAFT');
    expect(ours?.context).toEqual(expect.arrayContaining([['load', 'c=8']]));
    const ttft = chartOf(m, 'dist-ttft');
    expect(ttft.lines).toHaveLength(1);
    const cdf = ttft.lines[0]?.points ?? [];
    expect(cdf[0]?.y).toBe(0);
    expect(cdf.at(-1)?.y).toBe(1);
    expect(ttft.dots.map((d) => d.y)).toEqual([0.5, 0.99]);
    const sweep = chartOf(m, 'sweep-ttft-concurrency');
    expect(sweep.rules).toEqual([{ axis: 'y', value: 300, label: 'SLO ttft p99 ≤ 300.0 ms' }]);
    expect(chartOf(m, 'sweep-tpot-concurrency').rules.map((r) => r.value)).toEqual([50]);
  });

  it('drops malformed histogram blocks instead of drawing nonsense', async () => {
    const base = await envelopeIo.read(OURS);
    const env = structuredClone(base.envelope) as { histograms: Record<string, unknown> };
    env.histograms = {
      ttft_ms: { edges_ms: [1, 2, 3], counts: [1] }, // lengths disagree
      tpot_ms: { edges_ms: [5, 4, 6], counts: [1, 1] }, // not increasing
      itl_ms: { edges_ms: [0, 1], counts: [3] }, // zero edge on a log axis
      total_ms: { edges_ms: [1, 2], counts: [-1] }, // negative count
    };
    expect(histogramsOf({ path: 'x.json', envelope: env })).toEqual({});
  });
});

describe('report timeline charts', () => {
  async function withTimeline(timestamp: string, block: unknown): Promise<LoadedEnvelope> {
    const base = await envelopeIo.read(OURS);
    const envelope = { ...structuredClone(base.envelope), timestamp, timeline: block };
    return { path: `tl-${timestamp}.json`, envelope };
  }
  const block = (window: [number, number], tok: (number | null)[]) => ({
    bucket_s: 1,
    origin: 'point_start',
    window_s: window,
    t_s: tok.map((_, i) => i),
    series: { output_tok_per_s: tok, gpu_power_w: tok.map(() => 400), bogus: [1] },
  });

  it('points of a series lie end to end, windows shaded, gaps split lines, missing columns named', async () => {
    const a = await withTimeline('2026-12-04T10:00:00.000000Z', block([1, 3], [0, 50, 60, 70]));
    const b = await withTimeline('2026-12-04T10:00:10.000000Z', block([2, 3], [10, null, 80, 90]));
    const m = buildReportModel([a, b].map(untrusted), { generatedAt: 'now', tool: 'test' });
    const tput = chartOf(m, 'time-throughput');
    expect(tput.spans.map((s) => [s.x1, s.x2])).toEqual([
      [1, 3],
      [12, 13],
    ]);
    expect(tput.lines.map((l) => l.points.map((p) => [p.x, p.y]))).toEqual([
      [
        [0, 0],
        [1, 50],
        [2, 60],
        [3, 70],
      ],
      [[10, 10]],
      [
        [12, 80],
        [13, 90],
      ],
    ]);
    expect(chartOf(m, 'time-gpu-power').lines).toHaveLength(2);
    expect(chartOf(m, 'time-server-queue').placeholder).toContain('--metrics-url');
    expect(m.envelopes[0]?.timeline?.series['bogus']).toBeUndefined(); // wrong length: dropped
  });

  it('malformed blocks are ignored; without any timeline one placeholder explains why', async () => {
    const bad = [
      { bucket_s: 1, t_s: [0, 0], series: {} }, // not increasing
      { bucket_s: 0, t_s: [0, 1], series: {} },
      { bucket_s: 1, t_s: Array.from({ length: 5001 }, (_, i) => i), series: {} },
      'text',
    ];
    for (const b of bad) expect(timelineOf(await withTimeline('2026-12-04T10:00:00Z', b))).toBeNull();
    const m = await model(PY);
    const timeCharts = m.charts.filter((c) => c.id.startsWith('time-'));
    expect(timeCharts).toHaveLength(1);
    expect(timeCharts[0]?.placeholder).toMatch(/^not in these envelopes: no timeline block/);
  });
});

describe('report page rendering', () => {
  it('escapes hostile strings in the HTML and keeps them intact in the embedded data', async () => {
    const evil = '</script><script>alert(1)</script><img src=x onerror=alert(2)>';
    const env = await derived('c4-95cbfd4f49dc.json', (e) => {
      (e.model as Record<string, unknown>).id = `acme/${evil}`;
      e.warnings = [evil];
    });
    const m = buildReportModel([untrusted({ path: 'evil.json', envelope: env })], {
      generatedAt: 'now',
      tool: 'test',
    });
    const { html } = renderReportHtml(m, 'void 0;');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<script>alert');
    expect(html.match(/<\/script>/g)).toHaveLength(2); // the data block and the page script
    const data = /<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(html)?.[1] ?? '';
    const parsed = JSON.parse(data) as ClientData;
    expect(parsed.series[0]?.model).toBe(`acme/${evil}`);
    expect(decodeCharts(parsed).find((c) => c.id === 'tradeoff-ttft')?.dots[0]?.series).toContain(evil);
    expect(html).toContain('&lt;img src=x onerror=alert(2)&gt;'); // the warning, escaped
  });

  it('the page script may run only by its hash; the policy forbids every fetch', () => {
    const m: ReportModel = {
      version: 1,
      title: 't',
      generatedAt: 'now',
      tool: 'test',
      envelopes: [],
      series: [],
      charts: [],
      skipped: [],
    };
    const { html } = renderReportHtml(m, 'console.log("</script>")');
    expect(html).toContain('console.log("<\\/script>")');
    expect(html).toMatch(/script-src 'sha256-[A-Za-z0-9+/]+=*'/);
    expect(html).toContain("default-src 'none'");
    expect(jsonForScript({ a: '<!-- </script> \u2028' })).toBe(
      '{"a":"\\u003c!-- \\u003c/script\\u003e \\u2028"}',
    );
  });
});

describe('page data encoding', () => {
  it('decodes to exactly the chart specs, with one file table', async () => {
    const m = await model([OURS, ...PY]);
    const wire = encodeClientData(m);
    expect(decodeCharts(wire)).toEqual(m.charts);
    expect(wire.files).toHaveLength(new Set(wire.files).size);
    expect(JSON.stringify(wire).length).toBeLessThan(JSON.stringify(m.charts).length);
  });
});

describe('trust state', () => {
  it('verified with the signer key, untrusted without it, unsigned, failed when edited', async () => {
    const marathon = await envelopeIo.read(fixturePath('010e9504589b.json'));
    const pem = await readFile(fixturePath('trust-anchor-2026-05-18-marathon.pub'), 'utf8');
    expect((await trustOf(envelopeIo, marathon, { devPublicKeyPem: pem })).trust).toBe('verified');
    expect((await trustOf(envelopeIo, marathon, {})).trust).toBe('untrusted');
    const other = await envelopeIo.read(fixturePath('c4-95cbfd4f49dc.json'));
    const otherSigner = await trustOf(envelopeIo, other, { devPublicKeyPem: pem });
    expect(otherSigner).toMatchObject({ trust: 'untrusted' });
    expect(otherSigner.detail).toContain('another key');
    const unsigned = await derived('c4-95cbfd4f49dc.json');
    expect((await trustOf(envelopeIo, { path: 'u.json', envelope: unsigned }, {})).trust).toBe('unsigned');
    const edited = structuredClone(other.envelope) as { metrics: Record<string, number> };
    edited.metrics['throughput_tok_per_s'] = 9999;
    const failed = await trustOf(envelopeIo, { path: 'edited.json', envelope: edited }, {});
    expect(failed.trust).toBe('failed');
    expect(failed.detail).toContain('signature');
  });
});
