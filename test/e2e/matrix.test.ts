// End-to-end: bench matrix runs each target through the real CLI (embedded engine), files
// <target>-c<point>-<hash12>.json, keeps going past a failed target with --continue-on-error.
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runBench } from '../helpers/cli.js';

const FAST = ['--', '--no-gate', '--warmup', '1', '--max-tokens', '24', '--drain-grace', '5'];

let dir: string;
let key: string;

function config(targets: string): string {
  const path = join(dir, `m-${Math.random().toString(16).slice(2)}.yaml`);
  writeFileSync(
    path,
    `schema: inferencebench.matrix.v1\nsuite_id: llm.inference.chatbot-short\nduration_s: 1\nsweep: [2]\ntargets:\n${targets}`,
  );
  return path;
}

const GOOD = '  - {name: good, model: meta-llama/Llama-3.1-8B-Instruct, engine: sim, quant: fp16}\n';
const DEAD = '  - {name: dead, model: m, engine: vllm, quant: fp16, base_url: "http://127.0.0.1:9/v1"}\n';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bench-e2e-matrix-'));
  key = join(dir, 'cosign.key');
  expect((await runBench(['keygen', key])).code).toBe(0);
});

describe('bench matrix', () => {
  it('--continue-on-error: the good target lands, the dead one is a failed row, exit 1', async () => {
    const out = join(dir, 'cont');
    const r = await runBench(
      ['matrix', config(DEAD + GOOD), '--output', out, '--dev-key', key, '--continue-on-error', ...FAST],
      { timeoutMs: 170_000 },
    );
    expect(r.code).toBe(1);
    const files = readdirSync(out).filter((f) => f.endsWith('.json'));
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^good-c2-[0-9a-f]{12}\.json$/);
    expect(r.stdout).toMatch(/^dead\s+-.*failed \(bench run exited 2\)$/m);
    expect(r.stdout).toMatch(/^good\s+c2\s/m);
    expect(r.stdout).toContain('c=2 (throughput, throughput_tok_per_s): good (only target with a result)');
    expect(r.stdout).toContain('warning: target good has 1 trial');
  }, 180_000);

  it('without it a failed target stops the matrix; a bad config exits 2 before anything runs', async () => {
    const out = join(dir, 'stop');
    const r = await runBench(['matrix', config(DEAD + GOOD), '--output', out, '--dev-key', key, ...FAST], {
      timeoutMs: 100_000,
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^good\s+-.*skipped \(an earlier target failed\)$/m);
    const bad = await runBench(['matrix', config('  - {name: "a/b", model: m}\n'), '--output', out]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/targets\.0\.name: letters/);
  }, 120_000);
});
