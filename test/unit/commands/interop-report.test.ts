// diff / compare / summary across the two tools (issue 16): their --json shapes (field names and
// nesting of fixtures/inferencebench-json, the Python tool's own outputs) are kept with our fields
// added; a diff of theirs against ours shows the metrics both have and names the rest in one line;
// different datasets are never "the same workload"; different SLO thresholds get no verdict.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCompare } from '../../../src/app/commands/compare.js';
import { runDiff } from '../../../src/app/commands/diff.js';
import { runSummary } from '../../../src/app/commands/summary.js';
import { FIXTURES, derived, fixturePath, makeSigner, tempDir } from './helpers.js';

const REFERENCE = join(import.meta.dirname, '../../../fixtures/inferencebench-json');
const OURS = join(import.meta.dirname, '../../../fixtures/h100-runs/ec4d50cdbdc8.json');
const THEIRS = fixturePath('c4-95cbfd4f49dc.json');
const FLAGS = { tolerance: 0.02, report: 'table' as const };

/** Key paths of a JSON value; keys under `maps` (data-keyed dicts) collapse to `*`, array items to `[]`. */
function shapeOf(value: unknown, maps: readonly string[], path = ''): Set<string> {
  const out = new Set<string>();
  if (Array.isArray(value)) {
    for (const item of value) for (const p of shapeOf(item, maps, `${path}[]`)) out.add(p);
  } else if (value !== null && typeof value === 'object') {
    const isMap = maps.includes(path);
    for (const [key, item] of Object.entries(value)) {
      const child = `${path}.${isMap ? '*' : key}`;
      out.add(child);
      if (!(isMap && path.endsWith('metrics'))) for (const p of shapeOf(item, maps, child)) out.add(p);
    }
  }
  return out;
}

function missingFromOurs(name: string, ours: unknown, maps: readonly string[]): string[] {
  const theirs = JSON.parse(readFileSync(join(REFERENCE, name), 'utf8')) as unknown;
  const ourShape = shapeOf(ours, maps);
  return [...shapeOf(theirs, maps)].filter((p) => !ourShape.has(p));
}

describe('their --json shapes, our fields added', () => {
  it('diff --report json keeps baseline_path, candidate_path, context_match, metrics[] as theirs', async () => {
    const out = await runDiff(THEIRS, OURS, { ...FLAGS, report: 'json' });
    const json = JSON.parse(out.stdout) as Record<string, unknown>;
    expect(missingFromOurs('diff.json', json, [])).toEqual([]);
    expect(Object.keys(json).slice(0, 4)).toEqual([
      'baseline_path',
      'candidate_path',
      'context_match',
      'metrics',
    ]);
    const context = json.context_match as Record<string, { match: boolean } | boolean>;
    expect(Object.keys(context)).toEqual([
      'suite_id',
      'model_id',
      'engine_name',
      'engine_version',
      'quantization_format',
      'hardware_fingerprint',
      'all_match',
    ]);
    expect(context.all_match).toBe(false);
    // every metric either side has, as theirs lists them (missing included)
    const metrics = json.metrics as { name: string; verdict: string; delta_rel: number | null }[];
    expect(metrics.filter((m) => m.verdict === 'missing').length).toBeGreaterThan(50);
    expect(metrics.find((m) => m.name === 'throughput_tok_per_s')?.delta_rel).toBeCloseTo(
      983.8 / 233.72420601239932 - 1,
      2,
    );
    expect(json.workload).toMatchObject({
      same_workload: false,
      slo: { same_thresholds: false, baseline: { tool: 'python' }, candidate: { tool: 'node' } },
    });
  });

  it('compare --report json keeps runs[] {path, run_id, suite_id, model_id, engine, metrics, pareto} and pareto', async () => {
    const out = await runCompare([FIXTURES, OURS], { report: 'json' });
    const json = JSON.parse(out.stdout) as { runs: Record<string, unknown>[]; notes: string[] };
    expect(missingFromOurs('compare.json', json, ['.runs[].metrics', '.pareto', '.runs[].pareto'])).toEqual(
      [],
    );
    const ours = json.runs.find((r) => String(r.path).endsWith('ec4d50cdbdc8.json'));
    expect(ours).toMatchObject({ tool: 'node', engine: { name: 'sim', version: '0.1.0' } });
    expect((ours?.metrics as Record<string, unknown>).slo_template_resolved).toBe(
      'ttft p99 <= 300 ms, tpot p99 <= 50 ms',
    );
    expect(json.notes.join('\n')).toMatch(/only runs with the same dataset hash are the same workload/);
    expect(json.notes.join('\n')).toMatch(/SLO thresholds differ between runs/);
  });

  it('summary --json keeps suites {id: [{run_id, run_id_short, …, metrics}]} and skipped', async () => {
    const json = JSON.parse(await runSummary([FIXTURES, OURS], { json: true })) as {
      suites: Record<string, Record<string, unknown>[]>;
      notes: string[];
    };
    expect(missingFromOurs('summary.json', json, ['.suites', '.suites.*[].metrics'])).toEqual([]);
    const ours = json.suites['llm.inference.chatbot-short']?.find((r) => r.tool === 'node');
    expect(ours).toMatchObject({ hardware: 'NVIDIA H100 80GB HBM3', engine: { name: 'sim' } });
    expect(json.notes).toContain(
      'llm.inference.chatbot-short: 2 different datasets (builtin-chatbot-short-node (recorded as builtin-chatbot-short) 0419b36ee804 ×1, builtin-chatbot-short 6f4b1f68fc3a ×4): rows with different hashes are not the same workload',
    );
  });
});

describe('bench diff of one of theirs against one of ours', () => {
  it('shows the metrics both have; the others in one line; --all-metrics shows them', async () => {
    const out = await runDiff(THEIRS, OURS, FLAGS);
    expect(out.exitCode).toBe(0);
    const lines = out.stdout.split('\n');
    expect(out.stdout).not.toMatch(/^[a-z_0-9]+ {2,}.* missing$/m);
    const others = lines.filter((l) => l.startsWith('not compared — '));
    expect(others).toHaveLength(1);
    expect(others[0]).toMatch(
      /^not compared — only in candidate \(56\): client_cpu_percent, .*window_s \(--all-metrics shows them\)$/,
    );
    const rows = lines.filter((l) => /^[a-z_0-9]+ {2,}/.test(l));
    expect(rows).toHaveLength(15);

    const all = await runDiff(THEIRS, OURS, { ...FLAGS, allMetrics: true });
    expect(all.stdout.match(/^[a-z_0-9]+ {2,}.* missing$/gm)).toHaveLength(56);
    expect(all.stdout).not.toMatch(/^not compared/m);
  });

  it('says the workloads differ (dataset hashes) and gives no verdict on compliance or goodput', async () => {
    const out = await runDiff(THEIRS, OURS, FLAGS);
    expect(out.stdout).toMatch(
      /^warning: different workloads: dataset hashes differ \(baseline builtin-chatbot-short 6f4b1f68fc3a, candidate builtin-chatbot-short-node \(recorded as builtin-chatbot-short\) 0419b36ee804\)/m,
    );
    expect(out.stdout).toMatch(
      /^warning: thresholds differ: baseline llm\.standard \(InferenceBench: ttft<200ms, tpot<50ms, total<3000ms\), candidate llm\.standard \(ours: ttft p99 <= 300 ms, tpot p99 <= 50 ms\)/m,
    );
    expect(out.stdout).toMatch(/^compliance_rate .* thresholds differ$/m);
    expect(out.stdout).toMatch(/^req_per_s_passing .* thresholds differ$/m);
    const json = JSON.parse((await runDiff(THEIRS, OURS, { ...FLAGS, report: 'json' })).stdout) as {
      metrics: { name: string; verdict: string; note?: string }[];
    };
    for (const name of ['compliance_rate', 'req_per_s_passing']) {
      const row = json.metrics.find((m) => m.name === name);
      expect(row?.verdict).toBe('unknown');
      expect(row?.note).toMatch(/thresholds differ/);
    }
  });

  it('a change of SLO template between two of theirs is not an improvement', async () => {
    const dir = await tempDir('bench-interop-');
    const signer = await makeSigner(dir);
    const a = await signer.sign(dir, 'a-', await derived('c4-95cbfd4f49dc.json'));
    const b = await signer.sign(
      dir,
      'b-',
      await derived('c4-95cbfd4f49dc.json', (e) => {
        e.slo_template = 'llm.relaxed';
        e.metrics.slo_template_resolved = 'ttft<1000ms, total<10000ms';
        e.metrics.compliance_rate = 1;
        e.metrics.goodput_at_slo = 9;
      }),
    );
    const out = await runDiff(a, b, FLAGS);
    expect(out.stdout).toMatch(/^compliance_rate .* thresholds differ$/m);
    expect(out.stdout).not.toMatch(/^compliance_rate .* improvement$/m);
    expect(out.stdout).not.toMatch(/different workloads/); // same data: same dataset hash
    const same = await runDiff(a, a, FLAGS);
    expect(same.stdout).not.toMatch(/thresholds differ|different workloads/);
  });
});
