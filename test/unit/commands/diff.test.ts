import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseTolerance, runDiff } from '../../../src/app/commands/diff.js';
import {
  bootstrapQuantileDifference,
  contextWarnings,
  diffEnvelopes,
  diffMetric,
  metricDirection,
  moverDifferenceCi,
  pairDirectories,
  type Histogram,
} from '../../../src/app/report/diff.js';
import { derived, fixturePath, makeSigner, tempDir, type Signer } from './helpers.js';

const FLAGS = { tolerance: 0.02, report: 'table' as const };

describe('direction policy', () => {
  it.each([
    ['ttft_p50_ms', 'lower'],
    ['ttft_p99_ms', 'lower'],
    ['tpot_p99_ms', 'lower'],
    ['total_p50_ms', 'lower'],
    ['itl_p90_ms', 'lower'],
    ['ttft_sched_p99_ms', 'lower'],
    ['joules_per_token', 'lower'],
    ['energy_joules_total', 'lower'],
    ['power_avg_w', 'lower'],
    ['power_peak_w', 'lower'],
    ['cost_usd_per_million_tokens', 'lower'],
    ['throughput_tok_per_s', 'higher'],
    ['throughput_tok_per_s_vllm', 'higher'],
    ['req_per_s_passing', 'higher'],
    ['req_per_s_all', 'higher'],
    ['compliance_rate', 'higher'],
    ['ok_rate', 'higher'],
    ['goodput_at_slo', 'higher'],
    ['goodput_tok_per_s', 'higher'],
    ['n_samples', undefined],
    ['accuracy', undefined],
    ['tokens_out_total', undefined],
  ])('%s → %s', (key, expected) => {
    expect(metricDirection(key)).toBe(expected);
  });
});

describe('verdicts', () => {
  const b = { metrics: {} };
  const c = { metrics: {} };
  it.each([
    { metric: 'ttft_p99_ms', base: 100, cand: 101.9, verdict: 'no_change' },
    { metric: 'ttft_p99_ms', base: 100, cand: 102.1, verdict: 'regression' },
    { metric: 'ttft_p99_ms', base: 100, cand: 90, verdict: 'improvement' },
    { metric: 'throughput_tok_per_s', base: 100, cand: 90, verdict: 'regression' },
    { metric: 'throughput_tok_per_s', base: 100, cand: 110, verdict: 'improvement' },
    { metric: 'ok_rate', base: 1, cand: 0.99, verdict: 'no_change' },
    { metric: 'accuracy', base: 0.5, cand: 0.9, verdict: 'unknown' },
    { metric: 'ttft_p99_ms', base: undefined, cand: 10, verdict: 'missing' },
    { metric: 'ttft_p99_ms', base: 0, cand: 0, verdict: 'no_change' },
    { metric: 'ttft_p99_ms', base: 0, cand: 5, verdict: 'regression' },
  ])('$metric $base → $cand: $verdict', ({ metric, base, cand, verdict }) => {
    expect(diffMetric(metric, b, c, base, cand, 0.02).verdict).toBe(verdict);
  });

  it('a change past the tolerance but inside the 95% CIs is no_change, and says so', () => {
    const base = {
      metrics: { ttft_p99_ms: 100 },
      metric_ci: { ttft_p99_ms: { lo: 90, hi: 112, n: 500, level: 0.95 } },
    };
    const cand = {
      metrics: { ttft_p99_ms: 108 },
      metric_ci: { ttft_p99_ms: { lo: 101, hi: 120, n: 500, level: 0.95 } },
    };
    const row = diffMetric('ttft_p99_ms', base, cand, 100, 108, 0.02);
    expect(row.verdict).toBe('no_change');
    expect(row.note).toMatch(/inside the 95% CI \(mover\)/);
    expect(row.ci?.method).toBe('mover');
    // MOVER: d ± sqrt(...) with the asymmetric arms of each side
    expect(row.ci?.lo).toBeCloseTo(8 - Math.sqrt(7 ** 2 + 12 ** 2), 10);
    expect(row.ci?.hi).toBeCloseTo(8 + Math.sqrt(12 ** 2 + 10 ** 2), 10);
    // disjoint CIs: a real regression
    const far = {
      metrics: { ttft_p99_ms: 130 },
      metric_ci: { ttft_p99_ms: { lo: 125, hi: 135, n: 500, level: 0.95 } },
    };
    expect(diffMetric('ttft_p99_ms', base, far, 100, 130, 0.02).verdict).toBe('regression');
    // a CI on one side only is not used
    expect(diffMetric('ttft_p99_ms', base, { metrics: {} }, 100, 108, 0.02).verdict).toBe('regression');
  });

  it('moverDifferenceCi reduces to ±sqrt(a²+b²) for symmetric CIs', () => {
    const ci = moverDifferenceCi(10, { lo: 7, hi: 13, n: 1, level: 0.95 }, 20, {
      lo: 16,
      hi: 24,
      n: 1,
      level: 0.95,
    });
    expect(ci.lo).toBeCloseTo(10 - 5, 10);
    expect(ci.hi).toBeCloseTo(10 + 5, 10);
  });
});

describe('bootstrap CI on the difference from per-request histograms', () => {
  const edges = Array.from({ length: 41 }, (_, i) => i * 5);
  const hist = (center: number, n: number): Histogram => ({
    edgesMs: edges,
    counts: edges.slice(1).map((_, i) => Math.round(n * Math.exp(-(((i * 5 + 2.5 - center) / 15) ** 2)))),
  });

  it('contains 0 for the same distribution, excludes it for a shifted one, and is reproducible', () => {
    const same = bootstrapQuantileDifference(hist(60, 40), hist(60, 40), 0.5, 300);
    expect(same?.lo).toBeLessThanOrEqual(0);
    expect(same?.hi).toBeGreaterThanOrEqual(0);
    const shifted = bootstrapQuantileDifference(hist(60, 40), hist(100, 40), 0.5, 300);
    expect(shifted?.lo).toBeGreaterThan(20);
    expect(shifted?.hi).toBeLessThan(60);
    expect(bootstrapQuantileDifference(hist(60, 40), hist(100, 40), 0.5, 300)).toEqual(shifted);
  });

  it('is used by diffMetric for percentile metrics when both sides carry the histogram', () => {
    const base = {
      metrics: { ttft_p50_ms: 60 },
      histograms: { ttft: { edges_ms: edges, counts: hist(60, 3).counts } },
    };
    const cand = {
      metrics: { ttft_p50_ms: 66 },
      histograms: { ttft: { edges_ms: edges, counts: hist(66, 3).counts } },
    };
    const row = diffMetric('ttft_p50_ms', base, cand, 60, 66, 0.02);
    expect(row.ci?.method).toBe('bootstrap_bins');
    // few requests per side: a 10% shift is inside the noise
    expect(row.verdict).toBe('no_change');
    expect(row.note).toMatch(/bootstrap/);
  });
});

describe('context warnings and directory pairing', () => {
  it('warns on suite, model, engine, quant and hardware differences', async () => {
    const a = await derived('c16-b91875fdf860.json');
    const b = await derived('010e9504589b.json');
    expect(contextWarnings(a, b)).toEqual([
      'model.id differs: baseline Qwen/Qwen2.5-72B-Instruct, candidate mistralai/Mistral-7B-Instruct-v0.3',
      'engine.version differs: baseline 0.22.1, candidate 0.21.0',
      'quantization.format differs: baseline bf16, candidate fp16',
      'hardware fingerprint differs: baseline c353425077b20b36c71d9c32d9e5d49096478f4a0f7d6078c1dfc83c408ccf50, candidate 550474fc9132129654f5d20c316eaffec99a1f67c0cc0b4641e60efb46ea79e7',
    ]);
    expect(contextWarnings(a, a)).toEqual([]);
  });

  it('pairs by suite and sweep point, lists the unmatched, keeps the newest duplicate', () => {
    const e = (suite: string, ts: string) => ({ suite_id: suite, timestamp: ts, metrics: {} });
    const base = [
      { path: 'b/c1-aaaaaaaaaaaa.json', envelope: e('s', '1') },
      { path: 'b/c4-aaaaaaaaaaaa.json', envelope: e('s', '1') },
      { path: 'b/c64-aaaaaaaaaaaa.json', envelope: e('s', '1') },
    ];
    const cand = [
      { path: 'c/c4-bbbbbbbbbbbb.json', envelope: e('s', '1') },
      { path: 'c/c4-cccccccccccc.json', envelope: e('s', '2') },
      { path: 'c/c1-bbbbbbbbbbbb.json', envelope: e('s', '1') },
      { path: 'c/r2.5-bbbbbbbbbbbb.json', envelope: e('s', '1') },
    ];
    const p = pairDirectories(base, cand);
    expect(p.pairs.map((x) => [x.key, x.candidate.path])).toEqual([
      ['s c1', 'c/c1-bbbbbbbbbbbb.json'],
      ['s c4', 'c/c4-cccccccccccc.json'],
    ]);
    expect(p.onlyBaseline).toEqual(['s c64']);
    expect(p.onlyCandidate).toEqual(['s r2.5']);
    expect(p.duplicates).toHaveLength(1);
  });
});

describe('bench diff command', () => {
  let dir: string;
  let signer: Signer;
  beforeAll(async () => {
    dir = await tempDir();
    signer = await makeSigner(dir);
  });

  it('fixture files: table with verdicts; --strict exits 1 on regression', async () => {
    const out = await runDiff(
      fixturePath('c1-79d354b13545.json'),
      fixturePath('c4-95cbfd4f49dc.json'),
      FLAGS,
    );
    expect(out.exitCode).toBe(0);
    expect(out.stdout).toMatch(
      /^ttft_p50_ms\s+24\.21\s+46\.34\s+\+22\.13\s+\+91\.44%\s+-\s+lower\s+regression$/m,
    );
    expect(out.stdout).toMatch(
      /^throughput_tok_per_s\s+56\.47\s+233\.7\s+\+177\.3\s+\+313\.91%\s+-\s+higher\s+improvement$/m,
    );
    expect(out.stdout).toMatch(/4 improvement, 8 regression, 3 no_change, 0 unknown, 0 missing/);
    const strict = await runDiff(fixturePath('c1-79d354b13545.json'), fixturePath('c4-95cbfd4f49dc.json'), {
      ...FLAGS,
      strict: true,
    });
    expect(strict.exitCode).toBe(1);
    const same = await runDiff(fixturePath('c4-95cbfd4f49dc.json'), fixturePath('c4-95cbfd4f49dc.json'), {
      ...FLAGS,
      strict: true,
    });
    expect(same.exitCode).toBe(0);
    const loose = await runDiff(fixturePath('c1-79d354b13545.json'), fixturePath('c4-95cbfd4f49dc.json'), {
      ...FLAGS,
      tolerance: 0.03,
    });
    expect(loose.stdout).toMatch(/^tpot_p99_ms .* no_change$/m);
  });

  it('json report, unknown and missing verdicts across suites', async () => {
    const out = await runDiff(fixturePath('c1-79d354b13545.json'), fixturePath('15f036c3e160.json'), {
      ...FLAGS,
      report: 'json',
    });
    const json = JSON.parse(out.stdout) as {
      warnings: string[];
      metrics: { name: string; verdict: string; direction: string | null }[];
      counts: Record<string, number>;
    };
    const verdict = (m: string) => json.metrics.find((x) => x.name === m)?.verdict;
    expect(verdict('accuracy')).toBe('missing');
    expect(verdict('throughput_tok_per_s')).toBe('missing');
    expect(verdict('ttft_p50_ms')).toBe('regression');
    expect(json.warnings[0]).toMatch(/^suite_id differs/);
  });

  it('CI-aware verdict from signed envelopes carrying metric_ci', async () => {
    const ci = (lo: number, hi: number) => ({ lo, hi, n: 400, level: 0.95 });
    const a = await signer.sign(
      dir,
      'a-',
      await derived('c4-95cbfd4f49dc.json', (e) => {
        e.metrics.ttft_p99_ms = 50;
        e.metric_ci = { ttft_p99_ms: ci(45, 56) };
      }),
    );
    const b = await signer.sign(
      dir,
      'b-',
      await derived('c4-95cbfd4f49dc.json', (e) => {
        e.metrics.ttft_p99_ms = 53;
        e.metric_ci = { ttft_p99_ms: ci(48, 60) };
      }),
    );
    const out = await runDiff(a, b, { ...FLAGS, strict: true, verify: true });
    expect(out.stdout).toMatch(
      /^ttft_p99_ms\s+50\.00\s+53\.00\s+\+3\.00\s+\+6\.00%\s+\[-\S+, \+\S+\]\s+lower\s+no_change \*$/m,
    );
    expect(out.stdout).toMatch(/^\* ttft_p99_ms: beyond ±2\.0% but inside the 95% CI \(mover\)$/m);
    expect(out.exitCode).toBe(0);
  });

  it('directories: matched by suite and sweep point', async () => {
    const base = join(dir, 'base');
    const cand = join(dir, 'cand');
    for (const [name, prefix] of [
      ['c1-79d354b13545.json', 'c1-'],
      ['c4-95cbfd4f49dc.json', 'c4-'],
      ['c16-b91875fdf860.json', 'c16-'],
    ] as const) {
      await signer.sign(base, prefix, await derived(name));
      if (prefix !== 'c16-')
        await signer.sign(
          cand,
          prefix,
          await derived(
            name,
            (e) => (e.metrics.throughput_tok_per_s = (e.metrics.throughput_tok_per_s as number) * 0.9),
          ),
        );
    }
    const out = await runDiff(base, cand, { ...FLAGS, strict: true });
    expect(out.exitCode).toBe(1);
    expect(out.stdout).toMatch(/^\[llm\.inference\.chatbot-short c1\] /m);
    expect(out.stdout).toMatch(/^\[llm\.inference\.chatbot-short c4\] /m);
    expect(out.stdout).toMatch(/only in baseline \(not compared\): llm\.inference\.chatbot-short c16/);
    expect(out.stdout).toMatch(/^throughput_tok_per_s .* -10\.00% .* regression$/m);
    const json = JSON.parse((await runDiff(base, cand, { ...FLAGS, report: 'json' })).stdout) as {
      pairs: { key: string }[];
      only_baseline: string[];
    };
    expect(json.pairs.map((p) => p.key)).toEqual([
      'llm.inference.chatbot-short c1',
      'llm.inference.chatbot-short c4',
    ]);
    expect(json.only_baseline).toEqual(['llm.inference.chatbot-short c16']);
  });

  it('error paths: file vs dir, missing, invalid (exit 2); tampered with --verify (exit 1); bad tolerance', async () => {
    await expect(runDiff(fixturePath('c1-79d354b13545.json'), dir, FLAGS)).rejects.toMatchObject({
      exitCode: 2,
    });
    await expect(runDiff('/nope.json', fixturePath('c1-79d354b13545.json'), FLAGS)).rejects.toMatchObject({
      exitCode: 2,
    });
    const bad = join(dir, 'bad.json');
    await writeFile(bad, '{"envelope_version": "v1"}');
    await expect(runDiff(bad, fixturePath('c1-79d354b13545.json'), FLAGS)).rejects.toMatchObject({
      exitCode: 2,
    });
    const empty = join(dir, 'empty');
    await mkdir(empty);
    await expect(runDiff(empty, join(dir, 'base'), FLAGS)).rejects.toMatchObject({ exitCode: 2 });
    const tampered = join(dir, 'tampered.json');
    await writeFile(
      tampered,
      (await readFile(fixturePath('c4-95cbfd4f49dc.json'), 'utf8')).replace('"seed": 42', '"seed": 7'),
    );
    const out = await runDiff(fixturePath('c1-79d354b13545.json'), tampered, { ...FLAGS, verify: true });
    expect(out.exitCode).toBe(1);
    expect(out.stdout).toBe('');
    expect(out.stderr).toMatch(/FAIL {2}.*tampered\.json/);
    expect(() => parseTolerance('-1')).toThrow(/tolerance/);
    expect(() => parseTolerance('abc')).toThrow(/tolerance/);
    expect(parseTolerance('0.05')).toBe(0.05);
  });

  it('diffEnvelopes counts each verdict once', async () => {
    const a = { path: 'a', envelope: await derived('c1-79d354b13545.json') };
    const r = diffEnvelopes(a, a, 0.02);
    expect(r.counts.no_change).toBe(r.rows.length);
  });
});
