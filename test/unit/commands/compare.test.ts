import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCompare } from '../../../src/app/commands/compare.js';
import { buildCompare } from '../../../src/app/report/compare.js';
import { FIXTURES, derived, fixturePath, makeSigner, tempDir, type Signer } from './helpers.js';

const sweep = ['c1-79d354b13545.json', 'c4-95cbfd4f49dc.json', 'c16-b91875fdf860.json'].map(fixturePath);

interface CompareJson {
  runs: {
    path: string;
    concurrency: number | null;
    tok_per_s_per_user: number | null;
    on_frontier: boolean;
    pareto: Record<string, boolean>;
  }[];
  pareto: Record<string, number[]>;
  regimes: {
    regime: string;
    runs: number[];
    trials_by_engine: Record<string, number>;
    cross_engine_trials_ok: boolean;
    winners: Record<string, { index: number }>;
  }[];
  cross_engine: boolean;
  notes: string[];
}

describe('bench compare on the fixture sweep', () => {
  it('table: sorted by throughput with tok/s per user, Pareto column, regimes and plots', async () => {
    const out = await runCompare(sweep, { report: 'table' });
    expect(out.exitCode).toBe(0);
    const lines = out.stdout.split('\n');
    expect(lines[0]).toMatch(
      /^#\s+Suite\s+Model\s+Engine\s+Quant\s+Conc\s+Throughput tok\/s\s+tok\/s\/user\s+TTFT p99 ms\s+J\/tok\s+Trials\s+Pareto\?$/,
    );
    // c16 (890.6 tok/s) first; tok/s per user = throughput / concurrency
    expect(lines[2]).toMatch(/^#3 .* 16\s+890\.6\s+55\.66\s+85\.24\s+2\.56\s+1\s+yes$/);
    expect(lines[4]).toMatch(/^#1 .* 1\s+56\.47\s+56\.47\s+33\.59\s+37\.18\s+1\s+yes$/);
    expect(out.stdout).toMatch(/Winners per concurrency regime \(no overall verdict/);
    expect(out.stdout).toMatch(/Throughput–latency frontier\nTTFT p99 ms \(y\) vs throughput tok\/s \(x\)\n/);
    expect(out.stdout).toMatch(/tok\/s per user \(y\) vs throughput tok\/s \(x\)/);
    expect(out.stdout).not.toMatch(/overall winner/i);
  });

  it('json: per-envelope pareto flags and index by pair', async () => {
    const out = await runCompare([FIXTURES], { report: 'json' });
    const json = JSON.parse(out.stdout) as CompareJson;
    expect(json.runs).toHaveLength(6);
    const byName = (n: string) => json.runs.find((e) => e.path.endsWith(n));
    expect(byName('c4-95cbfd4f49dc.json')?.concurrency).toBe(4);
    expect(byName('c4-95cbfd4f49dc.json')?.tok_per_s_per_user).toBeCloseTo(233.72420601239932 / 4, 10);
    expect(byName('010e9504589b.json')?.tok_per_s_per_user).toBeNull();
    // sharegpt (124.9 tok/s, 55.8 ms p99, 15.9 J/tok) is dominated by c4 (233.7, 48.4, 9.3) on both pairs
    expect(byName('f06278fb9eb4.json')?.on_frontier).toBe(false);
    expect(byName('c16-b91875fdf860.json')?.pareto).toEqual({
      throughput_vs_latency: true,
      throughput_vs_energy: true,
      quality_vs_cost: false,
    });
    expect(json.pareto.quality_vs_cost).toEqual([]);
    expect(json.cross_engine).toBe(false);
    expect(json.notes.join(' ')).toMatch(/3 suites/);
  });

  it('pareto report: frontier rows only, per pair', async () => {
    const out = await runCompare(sweep, { report: 'pareto' });
    expect(out.stdout).toMatch(
      /throughput_vs_latency \(max throughput_tok_per_s, min ttft_p99_ms\): 3 of 3 eligible on the frontier/,
    );
    expect(out.stdout).toMatch(
      /quality_vs_cost .*: 0 of 0 eligible on the frontier\n\(no run has both metrics\)/,
    );
  });

  it('fewer than 2 envelopes, a missing path or an invalid file: exit 2', async () => {
    await expect(runCompare([sweep[0] as string], { report: 'table' })).rejects.toMatchObject({
      exitCode: 2,
    });
    await expect(
      runCompare([sweep[0] as string, '/nonexistent.json'], { report: 'table' }),
    ).rejects.toMatchObject({ exitCode: 2 });
    const dir = await tempDir();
    await writeFile(join(dir, 'bad.json'), '[]');
    await expect(
      runCompare([sweep[0] as string, join(dir, 'bad.json')], { report: 'table' }),
    ).rejects.toMatchObject({ exitCode: 2 });
  });
});

describe('cross-engine comparisons and trials', () => {
  let dir: string;
  let signer: Signer;
  beforeAll(async () => {
    dir = await tempDir();
    signer = await makeSigner(dir);
  });

  it('with 1 trial per engine the regime is DRAFT and says why', async () => {
    const sub = join(dir, 'draft');
    const a = await signer.sign(sub, 'c16-', await derived('c16-b91875fdf860.json'));
    const b = await signer.sign(
      sub,
      'c16-',
      await derived('c16-b91875fdf860.json', (e) => {
        (e.engine as Record<string, unknown>).name = 'sglang';
        e.metrics.throughput_tok_per_s = 1000;
        e.metrics.ttft_p99_ms = 120;
      }),
    );
    const out = await runCompare([a, b], { report: 'json' });
    const json = JSON.parse(out.stdout) as CompareJson;
    expect(json.cross_engine).toBe(true);
    expect(json.regimes).toHaveLength(1);
    expect(json.regimes[0]).toMatchObject({
      regime: 'c=16',
      trials_by_engine: { sglang: 1, vllm: 1 },
      cross_engine_trials_ok: false,
    });
    // winners are per metric in the regime: sglang on throughput, vllm on TTFT p99
    expect(json.regimes[0]?.winners.throughput_tok_per_s?.index).toBe(1);
    expect(json.regimes[0]?.winners.ttft_p99_ms?.index).toBe(0);
    expect(json.notes[0]).toMatch(
      /≥ 3 independent trials per engine are required; c=16 has sglang 1 trial, vllm 1 trial — winners there are DRAFT/,
    );
    const table = await runCompare([a, b], { report: 'table' });
    expect(table.stdout).toMatch(
      /c=16\s+2\s+#2 sglang 0\.22\.1 \(1000\)\s+#1 vllm 0\.22\.1 \(85\.24\)\s+#1 vllm 0\.22\.1 \(2\.56\)\s+DRAFT/,
    );
  });

  it('trials recorded in the envelope (trials[] / run_context.trials.count) satisfy the rule', async () => {
    const sub = join(dir, 'verdict');
    const a = await signer.sign(
      sub,
      'c4-',
      await derived('c4-95cbfd4f49dc.json', (e) => (e.trials = [{ seed: 1 }, { seed: 2 }, { seed: 3 }])),
    );
    const b = await signer.sign(
      sub,
      'c4-',
      await derived('c4-95cbfd4f49dc.json', (e) => {
        (e.engine as Record<string, unknown>).name = 'sglang';
        e.run_context = { trials: { count: 3 } };
      }),
    );
    const json = JSON.parse((await runCompare([a, b], { report: 'json' })).stdout) as CompareJson;
    expect(json.regimes[0]).toMatchObject({
      trials_by_engine: { sglang: 3, vllm: 3 },
      cross_engine_trials_ok: true,
    });
    expect(json.notes).toEqual([]);
    // driver_options.concurrency wins over the file-name prefix
    const c = buildCompare([
      {
        path: 'c4-000000000000.json',
        envelope: { driver_options: { concurrency: 8 }, metrics: { throughput_tok_per_s: 80 } },
      },
    ]);
    expect(c.rows[0]?.concurrency).toBe(8);
    expect(c.rows[0]?.tokPerSPerUser).toBe(10);
    // open-loop points form their own regimes, after the closed-loop ones
    const m = (t: number) => ({
      suite_id: 's',
      engine: { name: 'vllm' },
      metrics: { throughput_tok_per_s: t },
    });
    const open = buildCompare([
      { path: 'r2.5-000000000000.json', envelope: m(1) },
      { path: 'x.json', envelope: { ...m(2), driver_options: { rps: 2.5 } } },
      { path: 'c4-000000000000.json', envelope: m(3) },
      { path: 'y.json', envelope: m(4) },
    ]);
    expect(open.regimes.map((r) => [r.label, r.indices])).toEqual([
      ['c=4', [2]],
      ['r=2.5', [0, 1]],
      ['c=?', [3]],
    ]);
    expect(open.regimes[1]?.winners[0]).toMatchObject({ metric: 'throughput_tok_per_s', index: 1 });
  });

  it('--verify: a tampered envelope exits 1 before any report', async () => {
    const a = await signer.sign(join(dir, 'v'), 'c1-', await derived('c1-79d354b13545.json'));
    const tampered = join(dir, 'v', 'tampered.json');
    await writeFile(
      tampered,
      (await readFile(sweep[1] as string, 'utf8')).replace('"seed": 42', '"seed": 43'),
    );
    const out = await runCompare([a, tampered], { report: 'table', verify: true });
    expect(out.exitCode).toBe(1);
    expect(out.stdout).toBe('');
    expect(out.stderr).toMatch(/FAIL {2}.*tampered\.json\n {4}reason: /);
    const ok = await runCompare([a, sweep[1] as string], { report: 'table', verify: true });
    expect(ok.exitCode).toBe(0);
    expect(ok.stderr).toMatch(/verified 2 signatures/);
  });
});
