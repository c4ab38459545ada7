// npx tsx bench/report.ts [--envelopes 100] [--reps 5] [--point-seconds 120] [--chromium /usr/bin/chromium]
//
// Issue 20 budgets for `bench report`: the page for 100 envelopes stays under 2 MB and renders in
// under 2 s in headless Chromium. Envelopes: 25 series × 4 concurrency points derived from a real
// envelope of ours (fixtures/h100-runs, with its histogram, CI, SLO and telemetry blocks), metrics
// scaled per point, plus a timeline block of --point-seconds (120) per point with every column,
// written unsigned to a scratch folder. Times are medians of --reps fresh page
// loads with every network request refused, next to two baselines measured in the same run and
// browser: an empty HTML page, and the report of a single envelope.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { chromium, type Browser } from 'playwright-core';
import { envelopeIo } from '../src/app/report/envelopeIo.js';
import { writeHtmlReport } from '../src/app/report/html/writeReport.js';
import { flag, loadNote, REPO_ROOT } from './engine-serve.js';

const N = Number(flag('envelopes', '100'));
const REPS = Number(flag('reps', '5'));
const CHROMIUM = flag('chromium', process.env.BENCH_CHROMIUM ?? '/usr/bin/chromium');
const SIZE_BUDGET = 2 * 1024 * 1024;
const RENDER_BUDGET_MS = 2000;
/** Seconds per synthetic point: every envelope carries a full timeline block of this length. */
const POINT_SECONDS = Number(flag('point-seconds', '120'));
const HOME = 'http://report.invalid/page.html';

interface Histogram {
  edges_ms: number[];
  counts: number[];
}
interface Ci {
  lo: number;
  hi: number;
}
interface TemplateEnvelope {
  signature: unknown;
  engine: Record<string, unknown>;
  run_context: Record<string, unknown>;
  driver_options: Record<string, unknown>;
  metrics: Record<string, number | string | null>;
  metric_ci: Record<string, Ci>;
  histograms: Record<string, Histogram>;
  timeline?: Record<string, unknown>;
}
const template = JSON.parse(
  readFileSync(join(REPO_ROOT, 'fixtures/h100-runs/ec4d50cdbdc8.json'), 'utf8'),
) as TemplateEnvelope;
const scratch = mkdtempSync(join(tmpdir(), 'ib-report-bench-'));

/** A timeline block as `bench run` writes it: every column, one bucket per second of the point. */
function timelineOf(concurrency: number, slow: number, i: number): Record<string, unknown> {
  const seconds = POINT_SECONDS;
  const t = Array.from({ length: seconds }, (_, k) => k);
  const wave = (k: number, base: number, amp: number): number =>
    Number((base * (1 + amp * Math.sin((k + i) / 7))).toPrecision(5));
  const tok = (template.metrics['throughput_tok_per_s'] as number) * (concurrency / slow / 8);
  return {
    bucket_s: 1,
    origin: 'point_start',
    started_at: new Date(Date.UTC(2026, 11, 4, 10) + (i % 4) * (seconds + 5) * 1000).toISOString(),
    window_s: [10, seconds - 5],
    t_s: t,
    series: {
      output_tok_per_s: t.map((k) => wave(k, tok, 0.05)),
      req_per_s: t.map((k) => wave(k, concurrency, 0.1)),
      gpu_power_w: t.map((k) => wave(k, 400 + 10 * concurrency, 0.02)),
      gpu_util_pct: t.map((k) => Math.min(100, wave(k, 60 + concurrency, 0.05))),
      gpu_mem_used_gib: t.map((k) => wave(k, 70, 0.001)),
      loop_delay_ms: t.map((k) => wave(k, 2, 0.5)),
      pacer_lag_ms: t.map(() => null),
      server_running: t.map((k) => wave(k, concurrency, 0.05)),
      server_waiting: t.map(() => 0),
      server_kv_usage: t.map((k) => wave(k, 0.01 * concurrency, 0.1)),
      server_prefix_hit_rate: t.map((k) => wave(k, 0.4, 0.2)),
    },
  };
}

function envelopeFile(i: number): string {
  const series = Math.floor(i / 4);
  const concurrency = [1, 4, 16, 64][i % 4] as number;
  const env = structuredClone(template);
  env.signature = null;
  env.engine = { ...env.engine, version: `0.${series}.0` };
  env.run_context = { ...env.run_context, concurrency, point: `c${concurrency}` };
  env.driver_options = { ...env.driver_options, concurrency };
  const slow = 1 + 0.15 * Math.log2(concurrency) + series * 0.01;
  for (const [key, value] of Object.entries(env.metrics)) {
    if (typeof value !== 'number') continue;
    if (key.endsWith('_ms')) env.metrics[key] = value * slow;
    if (key.includes('throughput') || key.includes('goodput'))
      env.metrics[key] = (value * concurrency) / slow / 8;
  }
  for (const [key, ci] of Object.entries(env.metric_ci))
    env.metric_ci[key] = { ...ci, lo: ci.lo * slow, hi: ci.hi * slow };
  for (const [key, h] of Object.entries(env.histograms))
    env.histograms[key] = { edges_ms: h.edges_ms.map((e) => e * slow), counts: h.counts };
  env.timeline = timelineOf(concurrency, slow, i);
  const path = join(scratch, `s${series}-c${concurrency}.json`);
  writeFileSync(path, JSON.stringify(env, null, 2));
  return path;
}

async function report(files: readonly string[], out: string): Promise<number> {
  const loaded = await Promise.all(files.map((f) => envelopeIo.read(f)));
  const t = performance.now();
  const page = await writeHtmlReport({ loaded, out, io: envelopeIo });
  const ms = performance.now() - t;
  console.log(
    `  wrote ${files.length} envelope${files.length === 1 ? '' : 's'} → ${(page.bytes / 1024).toFixed(0)} KiB in ${ms.toFixed(0)} ms (Node side)`,
  );
  return page.bytes;
}

/** Median time to a drawn page: wall (goto → charts done) and in-page (navigation start → done). */
async function loadTimes(
  browser: Browser,
  html: string,
  waitFor: string | null,
): Promise<{ wall: number; page: number }> {
  const walls: number[] = [];
  const pages: number[] = [];
  for (let i = 0; i < REPS; i++) {
    const context = await browser.newContext({ viewport: { width: 1300, height: 900 } });
    const tab = await context.newPage();
    let requests = 0;
    await tab.route('**/*', (route) => {
      if (route.request().url() === HOME) return route.fulfill({ body: html, contentType: 'text/html' });
      requests += 1;
      return route.abort();
    });
    const t = performance.now();
    await tab.goto(HOME);
    if (waitFor !== null) await tab.waitForSelector(waitFor, { timeout: 30_000 });
    walls.push(performance.now() - t);
    pages.push(Number(await tab.evaluate(() => document.body.dataset['renderMs'] ?? performance.now())));
    if (requests > 0) throw new Error(`the page attempted ${requests} network requests`);
    if (waitFor !== null && (await tab.evaluate(() => document.body.dataset['charts'])) !== 'done')
      throw new Error('a chart failed to render');
    await context.close();
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
  return { wall: median(walls), page: median(pages) };
}

console.log(`bench report: ${N} envelopes, ${REPS} loads each (${loadNote()})`);
const files = Array.from({ length: N }, (_, i) => envelopeFile(i));
const bigPath = join(scratch, 'report-100.html');
const onePath = join(scratch, 'report-1.html');
const bytes = await report(files, bigPath);
await report(files.slice(0, 1), onePath);

const browser = await chromium.launch({ executablePath: CHROMIUM });
try {
  const empty = await loadTimes(browser, '<!doctype html><html><body></body></html>', null);
  const one = await loadTimes(browser, readFileSync(onePath, 'utf8'), 'body[data-charts]');
  const big = await loadTimes(browser, readFileSync(bigPath, 'utf8'), 'body[data-charts]');
  const row = (name: string, t: { wall: number; page: number }): string =>
    `${name.padEnd(22)} ${t.wall.toFixed(0).padStart(6)} ms wall  ${t.page.toFixed(0).padStart(6)} ms in page  ×${(t.wall / empty.wall).toFixed(1)} empty page`;
  console.log(row('empty page (baseline)', empty));
  console.log(row('report, 1 envelope', one));
  console.log(row(`report, ${N} envelopes`, big));
  const sizeOk = bytes < SIZE_BUDGET;
  // The budget is the page's own time from navigation start to the last chart drawn: what a reader
  // waits for. "wall" adds the harness's tab set-up, which the empty page shows on its own.
  const timeOk = big.page < RENDER_BUDGET_MS;
  console.log(`page size ${(bytes / 1024 / 1024).toFixed(2)} MB (budget 2 MB): ${sizeOk ? 'ok' : 'OVER'}`);
  console.log(
    `render ${big.page.toFixed(0)} ms in page, ${big.wall.toFixed(0)} ms wall (budget ${RENDER_BUDGET_MS} ms in page): ${timeOk ? 'ok' : 'OVER'}`,
  );
  if (!sizeOk || !timeOk) process.exitCode = 1;
} finally {
  await browser.close();
}
