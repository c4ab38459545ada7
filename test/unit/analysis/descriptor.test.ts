// Full-context descriptor and next-lever analysis.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  buildDescriptor,
  descriptorJson,
  renderDescriptor,
  servingConfigFromMetrics,
} from '../../../src/app/analysis/descriptor.js';
import {
  classifyBound,
  nextLever,
  renderNextLever,
  type LeverPoint,
} from '../../../src/app/analysis/next-lever.js';

const envelope = {
  model: { id: 'meta-llama/Llama-3.1-8B-Instruct' },
  engine: { name: 'vllm', version: '0.11.0' },
  quantization: { format: 'fp8' },
  dataset: { id: 'builtin-chatbot-short' },
  hardware_fingerprint: { gpus: [{ model: 'NVIDIA H100 80GB HBM3' }, { model: 'NVIDIA H100 80GB HBM3' }] },
  driver_options: { concurrency: 16, rps: null },
  metrics: { isl_mean: 512, osl_mean: 128, n_requests: 64 },
  run_context: {
    tool: { name: 'inferencebench', version: '0.1.0' },
    endpoint_type: 'chat',
    warm_start: false,
    tier: 'DRAFT',
    trials: { count: 1 },
  },
};

describe('descriptor', () => {
  it('serving config from vLLM info gauges (the committed vLLM v1 scrape)', () => {
    const text = readFileSync(join(import.meta.dirname, '../../../fixtures/prometheus/vllm-v1.txt'), 'utf8');
    expect(servingConfigFromMetrics(text)).toMatchObject({
      block_size: '16',
      cache_dtype: 'auto',
      enable_prefix_caching: 'True',
      gpu_memory_utilization: '0.9',
    });
  });

  it('every section, unknowns shown as ?, never guessed', () => {
    const d = buildDescriptor(envelope, {
      serving: { values: { cache_dtype: 'auto', block_size: '16' }, source: 'engine /metrics' },
      ceilingToken: 'h100_sxm',
      sol: { ok: true, fraction: 0.4237, ceilingKey: 'h100_sxm.hbm3_tbps' },
    });
    expect(renderDescriptor(d, 'c16')).toEqual([
      'context c16: meta-llama/Llama-3.1-8B-Instruct · NVIDIA H100 80GB HBM3 (h100_sxm) ×2 · fp8 · kv auto',
      '  parallelism  TP ? · DP ? · PP ? · EP ?',
      '  serving      block_size=16 cache_dtype=auto (engine /metrics)',
      '  workload     builtin-chatbot-short · ISL 512.0 / OSL 128.0 (means) · c=16 · 64 prompts measured',
      '  regime       cold cache · throughput tier',
      '  stack        vllm 0.11.0 · inferencebench 0.1.0 (chat SSE)',
      '  grounding    %SoL 42.4% of h100_sxm.hbm3_tbps · DRAFT · trials 1',
    ]);
    expect(descriptorJson(d)).toMatchObject({
      identity: { gpu_count: 2, kv_cache_dtype: 'auto' },
      workload: { concurrency: 16, isl_mean: 512 },
      grounding: { sol_key: 'h100_sxm.hbm3_tbps', verdict_tier: 'DRAFT' },
    });
  });

  it('c = 1 is the latency tier; an n/a %SoL keeps its reason', () => {
    const d = buildDescriptor(
      { ...envelope, driver_options: { concurrency: 1 } },
      { sol: { ok: false, reason: "model 'x' not in the catalog" } },
    );
    expect(d.regime.tier).toBe('latency');
    expect(renderDescriptor(d).at(-1)).toContain("%SoL n/a (model 'x' not in the catalog)");
  });
});

const base: LeverPoint = {
  label: 'c1',
  sol: 0.3,
  solKey: 'h100_sxm.hbm3_tbps',
  mbu: 0.3,
  mfu: 0.01,
  gpuUtilPct: 95,
  queueTimeMeanMs: 0,
  waitingMax: 0,
  ttftP50Ms: 20,
  clientDistorted: false,
};

describe('next lever', () => {
  it.each([
    ['distorted client', { clientDistorted: true }, 'host'],
    ['idle GPU', { gpuUtilPct: 30 }, 'host'],
    ['waiting requests', { waitingMax: 4 }, 'queue'],
    ['queue time ≥ 10 % of TTFT', { queueTimeMeanMs: 2, ttftP50Ms: 20 }, 'queue'],
    ['high MBU', { mbu: 0.7, mfu: 0.1 }, 'HBM'],
    ['high MFU', { mbu: 0.2, mfu: 0.6 }, 'compute'],
    ['neither near', { mbu: 0.3, mfu: 0.1 }, 'host'],
  ] as const)('%s → %s', (_label, over, bound) => {
    expect(classifyBound({ ...base, ...over }).bound).toBe(bound);
  });

  it('picks the point with the lowest %SoL and says how to confirm', () => {
    const lever = nextLever([
      { ...base, label: 'c1', sol: 0.3 },
      { ...base, label: 'c16', sol: 0.7, mbu: 0.7 },
      { ...base, label: 'c64', sol: null },
    ])!;
    expect(lever.label).toBe('c1');
    expect(renderNextLever(lever)[0]).toBe(
      'next lever: c1 is furthest from its ceiling (30.0% of h100_sxm.hbm3_tbps)',
    );
    expect(renderNextLever(lever)[3]).toMatch(/^ {2}confirm by {4}/);
    expect(nextLever([{ ...base, sol: null }])).toBeNull();
    expect(renderNextLever(null)[0]).toMatch(/n\/a/);
  });
});
