// The envelope additions of issue 19, on a stored-shape envelope: values by hand.
import { describe, expect, it } from 'vitest';
import { augmentEnvelope } from '../../../src/app/analysis/augment.js';
import { builtinCeilings } from '../../../src/app/analysis/ceilings.js';
import { parsePriceMapping, snapshotPrices } from '../../../src/app/analysis/prices.js';

const envelope = {
  model: { id: 'meta-llama/Llama-3.1-8B-Instruct' },
  engine: { name: 'sim', version: '0.1.0' },
  quantization: { format: 'fp16' },
  hardware_fingerprint: { gpus: [] },
  dataset: { id: 'builtin-chatbot-short' },
  driver_options: { mode: 'closed_loop', concurrency: 1 },
  run_context: { tier: 'DRAFT', trials: { count: 1 }, warm_start: false, endpoint_type: 'chat' },
  telemetry: { gpu: { gpu_count: 1 }, server_metrics: { flavor: 'vllm', delta: { generationTokens: 1100 } } },
  metrics: {
    slo_hardware_class: 'h100',
    isl_mean: 300,
    osl_mean: 100,
    throughput_tok_per_s: 100,
    tpot_mean_ms: 10,
    req_per_s_all: 1,
  },
  warnings: ['results are simulated'],
};

const base = { ceilings: builtinCeilings(), snapshot: snapshotPrices() };

describe('augmentEnvelope', () => {
  it('cost from the snapshot at the run’s token mix; %SoL with its key; the descriptor', () => {
    const out = augmentEnvelope(envelope, '/r/c1-0123456789ab.json', base) as typeof envelope & {
      analysis: {
        sol: { workload: { value: number; ceiling_key: string } };
        descriptor: { workload: unknown };
      };
    };
    // share = 300 / 400 = 0.75 → deepinfra 0.75 × 0.03 + 0.25 × 0.05 = 0.035 $/Mtok
    expect(out.metrics).toMatchObject({ cost_source: 'snapshot:2026-12-01#deepinfra' });
    expect((out.metrics as unknown as Record<string, number>).cost_usd_per_million_tokens).toBeCloseTo(
      0.035,
      12,
    );
    // ctx = 300 + 50 = 350: (16.06e9 + 131072 × 350) × 100 ÷ 3.35e12
    expect(out.analysis.sol.workload.value).toBeCloseTo(((8.03e9 * 2 + 131_072 * 350) * 100) / 3.35e12, 12);
    expect(out.analysis.sol.workload.ceiling_key).toBe('h100_sxm.hbm3_tbps');
    expect(out.analysis.descriptor.workload).toMatchObject({ concurrency: 1, isl_mean: 300 });
    expect(envelope.metrics).not.toHaveProperty('cost_source'); // the input is not mutated
  });

  it('a prices file wins over GPU-hours, which win over the snapshot; unpriced → null + none', () => {
    const prices = {
      source: 'prices_file:p.yaml',
      entries: parsePriceMapping(
        { 'acme/x': { input_cost_per_token: 1e-6, output_cost_per_token: 1e-6 } },
        'p',
      ),
    };
    const other = { ...envelope, model: { id: 'acme/x' } };
    expect(augmentEnvelope(other, 'p', { ...base, prices, gpuHourUsd: 2 }).metrics).toMatchObject({
      cost_usd_per_million_tokens: 1,
      cost_source: 'prices_file:p.yaml#acme',
    });
    // $3.60/h × 1 GPU ÷ (100 tok/s × 3600) × 1e6 = 10 $/Mtok
    const gpu = augmentEnvelope({ ...envelope, model: { id: 'mine/y' } }, 'p', { ...base, gpuHourUsd: 3.6 });
    expect(gpu.metrics).toMatchObject({ cost_source: 'gpu_hour' });
    expect((gpu.metrics as unknown as Record<string, number>).cost_usd_per_million_tokens).toBeCloseTo(
      10,
      12,
    );
    expect(augmentEnvelope({ ...envelope, model: { id: 'mine/y' } }, 'p', base).metrics).toMatchObject({
      cost_usd_per_million_tokens: null,
      cost_source: 'none',
    });
  });

  it('judge accuracy in metrics and metric_ci; the token check warns beyond 2 %', () => {
    const judge = {
      judgeModel: 'judge-m',
      promptHash: 'a'.repeat(64),
      judged: 20,
      correct: 15,
      unparsed: 0,
      failed: 0,
      accuracy: 0.75,
      ci: { lo: 0.53, hi: 0.89 },
      perItem: [],
    };
    const out = augmentEnvelope(envelope, 'p', {
      ...base,
      judge,
      clientOutputTokens: 1000,
    }) as typeof envelope & {
      metric_ci: Record<string, unknown>;
      analysis: { judge: unknown; token_check: unknown };
    };
    expect(out.metrics).toMatchObject({ accuracy: 0.75, accuracy_n: 20 });
    expect(out.metric_ci.accuracy).toEqual({ lo: 0.53, hi: 0.89, n: 20, level: 0.95 });
    expect(out.analysis.judge).toMatchObject({ model: 'judge-m', prompt_hash: 'a'.repeat(64) });
    // server 1100 vs client 1000: +10 % > 2 %
    expect(out.warnings.at(-1)).toContain('(+10.0%, limit ±2%)');
    expect(out.analysis.token_check).toEqual({
      server_generation_tokens: 1100,
      client_output_tokens: 1000,
      ok: false,
    });
    const agree = augmentEnvelope(envelope, 'p', { ...base, clientOutputTokens: 1090 });
    expect(agree.warnings).toEqual(['results are simulated']);
  });
});
