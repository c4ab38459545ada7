// End-to-end: bench run's issue-19 flags against the embedded engine — cost, %SoL + descriptor,
// judge scoring, cancellation, the prices-file check before any request.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runBench } from '../helpers/cli.js';

const FAST = ['--no-tui', '--no-gate', '--warmup', '1', '--drain-grace', '5', '--duration', '2'];

let dir: string;
let key: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bench-e2e-analysis-'));
  key = join(dir, 'cosign.key');
  expect((await runBench(['keygen', key])).code).toBe(0);
});

function envelopeIn(
  out: string,
): Record<string, unknown> & { metrics: Record<string, unknown>; warnings: string[] } {
  const files = readdirSync(out).filter((f) => f.endsWith('.json') && !f.startsWith('.'));
  expect(files).toHaveLength(1);
  return JSON.parse(readFileSync(join(out, files[0]!), 'utf8')) as Record<string, unknown> & {
    metrics: Record<string, unknown>;
    warnings: string[];
  };
}

describe('bench run: cost, %SoL, judge, cancellation', () => {
  it('a malformed --prices-file exits 2 before any request (no envelope, no journal)', async () => {
    const prices = join(dir, 'bad-prices.yaml');
    writeFileSync(prices, 'gpt-4o:\n  input_cost_per_token: cheap\n  output_cost_per_token: 1\n');
    const out = join(dir, 'bad');
    const r = await runBench([
      'run',
      'llm.inference',
      ...FAST,
      '--prices-file',
      prices,
      '--output',
      out,
      '--dev-key',
      key,
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('input_cost_per_token must be a non-negative number');
    expect(readdirSync(out).filter((f) => f.endsWith('.json') || f.endsWith('.jsonl'))).toEqual([]);
  });

  it('cost from --gpu-hour-usd, %SoL with its ceiling key, the descriptor; judge flags ignored with a warning', async () => {
    const out = join(dir, 'cost');
    const r = await runBench([
      'run',
      'llm.inference',
      ...FAST,
      '--concurrency',
      '2',
      '--gpu-hour-usd',
      '3.6',
      '--judge-model',
      'x',
      '--output',
      out,
      '--dev-key',
      key,
    ]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('--judge-model ignored: llm.inference.chatbot-short does not score answers');
    const env = envelopeIn(out);
    const tput = env.metrics.throughput_tok_per_s as number;
    expect(env.metrics.cost_source).toBe('gpu_hour');
    // $3.60/h × 1 GPU ÷ (tok/s × 3600 s) × 1e6
    expect(env.metrics.cost_usd_per_million_tokens as number).toBeCloseTo((3.6 / (tput * 3600)) * 1e6, 9);
    const analysis = env.analysis as {
      sol: { workload: { ceiling_key: string; value: number } };
      descriptor: { workload: { concurrency: number } };
    };
    expect(analysis.sol.workload.ceiling_key).toBe('h100_sxm.hbm3_tbps');
    expect(analysis.sol.workload.value).toBeGreaterThan(0);
    expect(analysis.descriptor.workload.concurrency).toBe(2);
    expect(env.warnings.some((w) => w.includes('--judge-model ignored'))).toBe(true);
    expect(r.stdout).toMatch(/^%SoL: \d+\.\d% of h100_sxm\.hbm3_tbps/m);
    expect(r.stdout).toContain('context c2: meta-llama/Llama-3.1-8B-Instruct · h100 (h100_sxm) ×1 · fp16');
    expect(r.stdout).toContain('next lever: c2 is furthest from its ceiling');
  });

  it('judge-qa: every measured answer judged by the embedded engine (word-salad answers: accuracy 0)', async () => {
    const out = join(dir, 'judge');
    const r = await runBench([
      'run',
      'llm.inference.judge-qa',
      ...FAST,
      '--concurrency',
      '2',
      '--judge-model',
      'meta-llama/Llama-3.1-8B-Instruct',
      '--output',
      out,
      '--dev-key',
      key,
    ]);
    expect(r.code).toBe(0);
    const env = envelopeIn(out);
    const judge = (
      env.analysis as { judge: { judged: number; correct: number; prompt_hash: string; model: string } }
    ).judge;
    expect(judge.model).toBe('meta-llama/Llama-3.1-8B-Instruct');
    expect(judge.prompt_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(judge.judged).toBeGreaterThan(0);
    expect(env.metrics).toMatchObject({ accuracy: 0, accuracy_n: judge.judged });
    expect((env.metric_ci as Record<string, { n: number }>).accuracy!.n).toBe(judge.judged);
  });

  it('--cancel-rate: cancelled requests are counted apart, never as failures', async () => {
    const out = join(dir, 'cancel');
    const r = await runBench([
      'run',
      'llm.inference',
      ...FAST,
      '--concurrency',
      '4',
      '--cancel-rate',
      '0.5',
      '--cancel-after-ms',
      '100',
      '--output',
      out,
      '--dev-key',
      key,
    ]);
    expect(r.code).toBe(0);
    const env = envelopeIn(out);
    expect(env.metrics.n_cancelled as number).toBeGreaterThan(0);
    expect(env.metrics.n_failed).toBe(0);
    expect(env.metrics.ok_rate).toBe(1);
    expect(env.driver_options).toMatchObject({ cancel_rate: 0.5, cancel_after_ms: 100 });
  });
});
