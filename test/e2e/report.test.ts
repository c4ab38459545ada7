/// <reference lib="dom" />
// End-to-end: a 4-point sweep from the embedded engine plus two InferenceBench envelopes →
// `bench report` (the built CLI) → the page in real headless Chromium with every network request
// blocked. Chromium is Debian's (`apt-get install chromium`; .ci/run installs it); BENCH_CHROMIUM
// overrides the path. Screenshots: .tmp/report-e2e/*.png always; docs/img/report-*.png only with
// BENCH_DOCS_SCREENSHOTS=1 (so CI never dirties the tree).
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBench } from '../helpers/cli.js';

const root = new URL('../../', import.meta.url).pathname;
const fixture = (name: string): string => join(root, 'fixtures/inferencebench-envelopes', name);
const PY_C4 = fixture('c4-95cbfd4f49dc.json');
const PY_C16 = fixture('c16-b91875fdf860.json');
const CHROMIUM = process.env.BENCH_CHROMIUM ?? '/usr/bin/chromium';
const HOME = 'http://report.invalid/report.html';
const SHOTS = join(root, '.tmp/report-e2e');
const SECTIONS = [
  'header',
  'envelopes',
  'sweep',
  'tradeoff',
  'distributions',
  'telemetry',
  'tables',
] as const;
/** Docs screenshots are cut at this height (px) to keep the committed PNGs small. */
const DOCS_MAX_HEIGHT = 1000;

let dir: string;
let reportPath: string;
let reportStdout: string;
let runReportLine: string;
let browser: Browser;
let page: Page;
const consoleErrors: string[] = [];
const blocked: string[] = [];

function launchError(error: unknown): Error {
  const why = error instanceof Error ? error.message.split('\n')[0] : String(error);
  return new Error(
    `headless Chromium is required for the report test and could not start from ${CHROMIUM} (${why}). ` +
      'Install it with `apt-get install -y chromium` (.ci/run does this) or point BENCH_CHROMIUM at a Chromium binary.',
  );
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bench-e2e-report-'));
  const key = join(dir, 'cosign.key');
  expect((await runBench(['keygen', key])).code).toBe(0);
  const sweep = await runBench(
    [
      'run',
      'llm.inference',
      '--sweep',
      '1,2,4,8',
      '--duration',
      '2',
      '--no-tui',
      '--no-gate',
      '--warmup',
      '1',
      '--output',
      join(dir, 'sweep'),
      '--dev-key',
      key,
      '--report',
      'html',
    ],
    { timeoutMs: 150_000 },
  );
  expect(sweep.code, sweep.stderr).toBe(0);
  runReportLine = sweep.stderr;
  reportPath = join(dir, 'report.html');
  const made = await runBench([
    'report',
    join(dir, 'sweep'),
    PY_C4,
    PY_C16,
    '--out',
    reportPath,
    '--dev-public-key',
    join(dir, 'cosign.pub'),
  ]);
  expect(made.code, made.stderr).toBe(0);
  reportStdout = made.stdout;

  if (!existsSync(CHROMIUM)) throw launchError(new Error('no such file'));
  browser = await chromium.launch({ executablePath: CHROMIUM }).catch((error: unknown) => {
    throw launchError(error);
  });
  page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(String(error)));
  const html = readFileSync(reportPath, 'utf8');
  // The page is served from a fake origin so that every other request it might make (script, font,
  // image, fetch, relative file) passes through this route and is recorded and refused.
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url === HOME) return route.fulfill({ body: html, contentType: 'text/html; charset=utf-8' });
    blocked.push(url);
    return route.abort('blockedbyclient');
  });
  await page.goto(HOME);
  await page.waitForSelector('body[data-charts]', { timeout: 20_000 });
}, 240_000);

afterAll(async () => {
  await browser?.close();
});

function envelopeFiles(): string[] {
  const sweepDir = join(dir, 'sweep');
  const sim = readdirSync(sweepDir)
    .filter((f) => /^c\d+-[0-9a-f]{12}\.json$/.test(f))
    .map((f) => join(sweepDir, f));
  return [...sim, PY_C4, PY_C16];
}

interface ChartStats {
  circles: number;
  rings: number;
  linePaths: number;
  areaPaths: number;
  rules: number;
  rects: number;
  axisLabels: string[];
  placeholder: string | null;
  notes: string;
}

async function chartStats(id: string): Promise<ChartStats> {
  return page.$eval(`#chart-${id}`, (figure) => ({
    circles: figure.querySelectorAll('svg g[aria-label="dot"] circle').length,
    rings: figure.querySelectorAll('svg g[aria-label="dot"][fill="white"] circle').length,
    linePaths: figure.querySelectorAll('svg g[aria-label="line"] path').length,
    areaPaths: figure.querySelectorAll('svg g[aria-label="area"] path').length,
    rules: figure.querySelectorAll('svg g[aria-label="rule"] line').length,
    rects: figure.querySelectorAll('svg g[aria-label="rect"] rect').length,
    axisLabels: Array.from(figure.querySelectorAll('svg g[aria-label$="-axis label"] text')).map(
      (t) => t.textContent ?? '',
    ),
    placeholder: figure.querySelector('.placeholder')?.textContent ?? null,
    notes: figure.querySelector('ul.notes')?.textContent ?? '',
  }));
}

describe('bench report in headless Chromium', () => {
  it('writes one self-contained file: CSP forbids fetches, no external references', () => {
    expect(reportStdout).toMatch(
      /^wrote .*report\.html \(6 envelopes, \d+ charts, \d+ KiB, self-contained\)/,
    );
    const html = readFileSync(reportPath, 'utf8');
    expect(html).toContain("default-src 'none'");
    expect(html).toContain("connect-src 'none'");
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|@import|url\(http/i);
    expect(statSync(reportPath).size).toBeLessThan(2 * 1024 * 1024);
  });

  it('draws every chart without console errors or network requests', async () => {
    expect(await page.evaluate(() => document.body.dataset['charts'])).toBe('done');
    expect(consoleErrors).toEqual([]);
    expect(blocked).toEqual([]);
  });

  it('sweep curves: 4 sim points + 2 InferenceBench points, CI bands, SLO lines, axis units', async () => {
    const tput = await chartStats('sweep-throughput-concurrency');
    expect(tput.circles).toBe(6);
    expect(tput.linePaths).toBe(2); // one line per series (sim, vllm)
    expect(tput.axisLabels.join(' ')).toMatch(
      /Output throughput \(tok\/s\).*Concurrency \(requests in flight\)|Concurrency \(requests in flight\).*Output throughput \(tok\/s\)/,
    );
    for (const metric of ['ttft', 'tpot']) {
      const s = await chartStats(`sweep-${metric}-concurrency`);
      expect(s.circles).toBe(12); // p50 + p99 per envelope
      expect(s.linePaths).toBe(4); // p50 and p99 per series
      expect(s.areaPaths).toBe(2); // CI bands: the sim sweep has metric_ci, InferenceBench v1 does not
      expect(s.rules).toBe(1); // llm.standard p99 threshold
      expect(s.axisLabels.join(' ')).toContain(`${metric.toUpperCase()} (ms)`);
      expect(s.notes).toContain('not in this envelope (no 95 % CI');
      expect(s.notes).toContain('c4-95cbfd4f49dc.json');
    }
    const goodput = await chartStats('sweep-goodput');
    expect(goodput.circles).toBe(4); // InferenceBench envelopes have no goodput
    expect(goodput.notes).toContain('c16-b91875fdf860.json');
    expect(goodput.axisLabels.join(' ')).toContain('Goodput (tok/s)');
  });

  it('trade-off: all 6 envelopes, the Pareto frontier ringed, and hover shows each envelope file', async () => {
    // The frontier, computed here from the envelopes themselves (max throughput, min TTFT p99).
    const points = envelopeFiles().map((file) => {
      const m = (JSON.parse(readFileSync(file, 'utf8')) as { metrics: Record<string, number> }).metrics;
      return { x: m['throughput_tok_per_s'] ?? NaN, y: m['ttft_p99_ms'] ?? NaN };
    });
    const onFrontier = points.filter(
      (a) => !points.some((b) => b !== a && b.x >= a.x && b.y <= a.y && (b.x > a.x || b.y < a.y)),
    ).length;
    const ttft = await chartStats('tradeoff-ttft');
    expect(ttft.circles).toBe(6);
    expect(ttft.rings).toBe(onFrontier);
    expect(ttft.linePaths).toBe(onFrontier > 1 ? 1 : 0); // the frontier line joins ≥ 2 points
    expect(ttft.axisLabels.join(' ')).toContain('TTFT p99 (ms)');
    const perUser = await chartStats('tradeoff-per-user');
    expect(perUser.circles).toBe(6);
    expect(perUser.axisLabels.join(' ')).toContain('tok/s per user');
    // Hover every point and read the tip: each names its envelope file.
    await page.locator('#chart-tradeoff-ttft').scrollIntoViewIfNeeded();
    const centres = await page.locator('#chart-tradeoff-ttft g[aria-label="dot"] circle').evaluateAll((els) =>
      els.map((el) => {
        const r = el.getBoundingClientRect();
        return { x: r.x + r.width / 2, y: r.y + r.height / 2 };
      }),
    );
    const tip = page.locator('#chart-tradeoff-ttft g[aria-label="tip"]');
    // Plot wraps long lines, starting each with a zero-width space: drop those to read the path whole.
    const tipText = async (): Promise<string> => ((await tip.textContent()) ?? '').replace(/\u200b/g, '');
    const seen = new Set<string>();
    for (const c of centres) {
      await page.mouse.move(c.x, c.y);
      await expect.poll(tipText, { timeout: 5_000 }).toMatch(/\.json/);
      for (const match of (await tipText()).matchAll(/[\w.-]+\.json/g)) seen.add(match[0]);
    }
    expect(seen).toContain('c4-95cbfd4f49dc.json');
    expect(seen).toContain('c16-b91875fdf860.json');
    expect(seen.size).toBeGreaterThanOrEqual(5); // two sim points could coincide on screen
  });

  it('distributions: one CDF per sim point with p50/p99 markers; InferenceBench envelopes named as missing', async () => {
    for (const metric of ['ttft', 'tpot', 'itl', 'total']) {
      const s = await chartStats(`dist-${metric}`);
      expect(s.linePaths).toBe(4);
      expect(s.circles).toBe(8);
      expect(s.axisLabels.join(' ')).toMatch(/\(ms, log\)/);
      expect(s.notes).toContain(`not in this envelope (no histograms.${metric}_ms)`);
    }
  });

  it('telemetry: energy per token and power vs load for every envelope that has them', async () => {
    const energy = await chartStats('telemetry-energy-concurrency');
    expect(energy.circles).toBe(6);
    expect(energy.axisLabels.join(' ')).toContain('(J/tok)');
    const power = await chartStats('telemetry-power-concurrency');
    expect(power.circles).toBe(6);
    expect(power.axisLabels.join(' ')).toContain('GPU power (W)');
  });

  it('telemetry over time: the timeline block of each sim point, windows shaded, end to end', async () => {
    const tput = await chartStats('time-throughput');
    expect(tput.placeholder).toBeNull();
    expect(tput.linePaths).toBe(4); // one per sim point (rates never have gaps)
    expect(tput.rects).toBe(4); // each point's measurement window
    expect(tput.axisLabels.join(' ')).toMatch(/Output throughput \(tok\/s\)/);
    expect(tput.axisLabels.join(' ')).toMatch(/started \(s\)/);
    expect(tput.notes).toContain('c4-95cbfd4f49dc.json'); // InferenceBench: no timeline
    for (const id of [
      'time-gpu-power',
      'time-gpu-util',
      'time-client',
      'time-server-queue',
      'time-server-cache',
    ]) {
      const s = await chartStats(id);
      expect(s.placeholder, id).toBeNull();
      expect(s.linePaths, id).toBeGreaterThanOrEqual(4);
      expect(s.rects, id).toBe(4);
    }
    // the four points lie end to end: sorted by position, each window starts after the previous ends
    const spans = await page.$$eval('#chart-time-throughput g[aria-label="rect"] rect', (rs) =>
      rs.map((r) => ({ x: Number(r.getAttribute('x')), width: Number(r.getAttribute('width')) })),
    );
    spans.sort((a, b) => a.x - b.x);
    for (let i = 1; i < spans.length; i++) {
      const prev = spans[i - 1] as { x: number; width: number };
      expect(spans[i]?.x).toBeGreaterThan(prev.x + prev.width);
    }
  });

  it('bench run --report html wrote the page of the sweep next to its envelopes', () => {
    const page = join(dir, 'sweep', 'report.html');
    expect(runReportLine).toContain(`report: ${page} (4 envelopes)`);
    const html = readFileSync(page, 'utf8');
    expect(html).toContain("default-src 'none'");
    expect(html.match(/c\d-[0-9a-f]{12}\.json/g)?.length).toBeGreaterThanOrEqual(4);
  });

  it('header and tables: trust states, simulated badge, sweep rows, SLO verdicts, warnings, links to charts', async () => {
    const header = (await page.locator('#header').textContent()) ?? '';
    expect(header).toContain('4 verified'); // signed with the key given to --dev-public-key
    expect(header).toContain('2 untrusted'); // InferenceBench envelopes: self-consistent, other signer
    expect(header).toContain('4 simulated');
    expect(await page.locator('#table-sweep tbody tr').count()).toBe(6);
    expect(await page.locator('#table-slo tbody tr').count()).toBe(4 * 2 + 2);
    expect(await page.locator('#table-warnings tbody tr').count()).toBeGreaterThanOrEqual(4);
    const links = await page.$$eval('a[href^="#chart-"]', (as) => as.map((a) => a.getAttribute('href')));
    for (const href of links) expect(await page.locator(href ?? '#missing').count()).toBe(1);
    expect(links.length).toBeGreaterThan(5);
  });

  it('screenshots: the whole page under .tmp/, each section under docs/img/ on request', async () => {
    mkdirSync(SHOTS, { recursive: true });
    const full = join(SHOTS, 'report.png');
    await page.screenshot({ path: full, fullPage: true });
    expect(statSync(full).size).toBeGreaterThan(10_000);
    const docs = process.env.BENCH_DOCS_SCREENSHOTS === '1';
    for (const section of SECTIONS) {
      const path = docs ? join(root, `docs/img/report-${section}.png`) : join(SHOTS, `${section}.png`);
      if (docs) {
        mkdirSync(join(root, 'docs/img'), { recursive: true });
        await page.locator(`#${section}`).scrollIntoViewIfNeeded();
        const box = await page.locator(`#${section}`).boundingBox();
        if (box === null) throw new Error(`section ${section} is not visible`);
        const scrollY = await page.evaluate(() => window.scrollY);
        await page.screenshot({
          path,
          fullPage: true,
          clip: {
            x: box.x,
            y: box.y + scrollY,
            width: box.width,
            height: Math.min(box.height, DOCS_MAX_HEIGHT),
          },
        });
      } else await page.locator(`#${section}`).screenshot({ path });
      expect(statSync(path).size).toBeGreaterThan(1_000);
    }
  });
});

describe('bench compare --report html', () => {
  it('writes the same self-contained page for the compared envelopes; --out needs --report html', async () => {
    const out = join(dir, 'compare.html');
    const r = await runBench(['compare', PY_C4, PY_C16, '--report', 'html', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`wrote ${out} (2 envelopes`);
    const html = readFileSync(out, 'utf8');
    expect(html).toContain("default-src 'none'");
    expect(html).toContain('id="chart-tradeoff-ttft"');
    expect(html).toContain('c16-b91875fdf860.json');
    const misuse = await runBench(['compare', PY_C4, PY_C16, '--out', out]);
    expect(misuse.code).toBe(2);
    expect(misuse.stderr).toContain('--out is for --report html');
  });
});

describe('bench report: bad input', () => {
  it.each([
    [['report', 'no-such-dir'], 'no such file or directory: no-such-dir'],
    [['report', PY_C4, '--out', '/nonexistent-dir/x.html'], 'does not exist'],
    [['report', PY_C4, '--out', tmpdir()], 'is a directory'],
  ])('%j → one line, exit 2', async (args, message) => {
    const r = await runBench(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});
