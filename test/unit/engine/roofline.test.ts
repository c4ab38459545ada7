import { describe, expect, it } from 'vitest';
import { builtinCatalog, findHardware, findModel, findQuant } from '../../../src/engine/catalog.js';
import {
  allReduceMs,
  kvBytesPerTokenPerGpu,
  kvCapacity,
  peakFlopsPerGpu,
  stepCost,
  weightBytesPerGpu,
  weightReadFraction,
  type Deployment,
} from '../../../src/engine/roofline.js';

const catalog = builtinCatalog();
const dep = (model: string, hardware: string, quant: string, tp = 1): Deployment => ({
  model: findModel(catalog, model),
  hardware: findHardware(catalog, hardware),
  quant: findQuant(catalog, quant),
  tensorParallel: tp,
});

describe('roofline maths', () => {
  it.each([
    // model, hw, quant, tp, weight bytes per GPU, KV bytes per token per GPU
    ['llama-3.1-8b', 'h100', 'fp16', 1, 8.03e9 * 2, 32 * 2 * 8 * 128 * 2],
    ['llama-3.1-8b', 'h100', 'fp8', 1, 8.03e9 * 1, 32 * 2 * 8 * 128 * 2],
    ['llama-3.1-8b', 'h100', 'fp16', 2, 8.03e9, 32 * 2 * 4 * 128 * 2],
    ['qwen2.5-72b', 'h100', 'bf16', 8, (72.7e9 * 2) / 8, 80 * 2 * 1 * 128 * 2],
    // 4 KV heads over 8 GPUs: each GPU still holds one head (replicated).
    ['qwen2.5-7b', 'h100', 'bf16', 8, (7.62e9 * 2) / 8, 28 * 2 * 1 * 128 * 2],
    // MLA: 576 latent elements per layer, replicated on every GPU.
    ['deepseek-v3', 'h200', 'fp8', 8, 671e9 / 8, 61 * 576 * 2],
    ['llama-3.1-70b', 'h100', 'awq-int4', 1, 70.6e9 * 0.5625, 80 * 2 * 8 * 128 * 2],
  ] as const)('%s %s %s tp%d: weights %d B/GPU, KV %d B/token', (m, h, q, tp, weights, kv) => {
    const d = dep(m, h, q, tp);
    expect(weightBytesPerGpu(d)).toBeCloseTo(weights, -3);
    expect(kvBytesPerTokenPerGpu(d)).toBe(kv);
  });

  it.each([
    ['h100', 'fp16', 989e12],
    ['h100', 'fp8', 1979e12],
    ['h100', 'nvfp4', 1979e12], // no FP4 tensor cores: fp8 rate
    ['b200', 'nvfp4', 9000e12],
    ['a100', 'fp8', 312e12], // no FP8: bf16 rate
    ['a100', 'awq-int4', 312e12],
  ] as const)('peak FLOP/s on %s for %s', (h, q, peak) => {
    expect(peakFlopsPerGpu(dep('llama-3.1-8b', h, q))).toBe(peak);
  });

  it('decode of one sequence is HBM-bound: weights + KV over bandwidth × efficiency, plus overheads', () => {
    const d = dep('llama-3.1-8b', 'h100', 'fp16');
    const cost = stepCost(d, [{ newTokens: 1, contextTokens: 999 }]);
    const bytes = 8.03e9 * 2 + 1000 * 131072;
    expect(cost.bytesPerGpu).toBeCloseTo(bytes, -3);
    expect(cost.memMs).toBeCloseTo((bytes / (3350e9 * 0.8)) * 1000, 6);
    expect(cost.computeMs).toBeLessThan(cost.memMs);
    expect(cost.allReduceMs).toBe(0);
    expect(cost.overheadMs).toBeCloseTo(0.4 + 0.25, 9);
    expect(cost.perSeqMs).toBeCloseTo(0.25, 9);
    expect(cost.seqs).toBe(1);
    expect(cost.stepMs).toBeCloseTo(cost.memMs + 0.65, 9);
    expect(cost.stepMs).toBeGreaterThan(6);
    expect(cost.stepMs).toBeLessThan(7);
  });

  it('a 4096-token prefill is compute-bound: 2 × params × tokens + attention FLOPs over peak × MFU', () => {
    const d = dep('llama-3.1-8b', 'h100', 'fp16');
    const n = 4096;
    const cost = stepCost(d, [{ newTokens: n, contextTokens: 0 }]);
    const flops = 2 * 8.03e9 * n + 4 * 32 * 32 * 128 * ((n * (n + 1)) / 2);
    expect(cost.flopsPerGpu).toBeCloseTo(flops, -6);
    expect(cost.computeMs).toBeCloseTo((flops / (989e12 * 0.55)) * 1000, 6);
    expect(cost.computeMs).toBeGreaterThan(cost.memMs);
    expect(cost.stepMs).toBeCloseTo(cost.computeMs + cost.overheadMs, 9);
  });

  it('tensor parallelism adds two all-reduces per layer: latency (base + per peer) + ring bandwidth', () => {
    const d = dep('qwen2.5-72b', 'h100', 'bf16', 8);
    const bytes = 1 * 8192 * 2;
    const one = (8 + 6.5 * 7) / 1000 + ((2 * 7 * bytes) / 8 / 450e9) * 1000;
    expect(allReduceMs(d, bytes)).toBeCloseTo(one, 9);
    const cost = stepCost(d, [{ newTokens: 1, contextTokens: 100 }]);
    expect(cost.allReduceMs).toBeCloseTo(2 * 80 * one, 9);
    expect(allReduceMs(dep('qwen2.5-72b', 'h100', 'bf16', 1), bytes)).toBe(0);
  });

  it('MoE decode reads only the experts its tokens touch, approaching all weights with batch size', () => {
    const m = findModel(catalog, 'deepseek-v3');
    const one = weightReadFraction(m, 1);
    expect(one).toBeCloseTo(37e9 / 671e9 + (1 - 37e9 / 671e9) * (37e9 / 671e9), 9);
    expect(weightReadFraction(m, 64)).toBeGreaterThan(0.95);
    expect(weightReadFraction(findModel(catalog, 'llama-3.1-8b'), 1)).toBe(1);
  });

  it('KV capacity is the HBM left after weights; a model that does not fit is a clear error', () => {
    const d = dep('llama-3.1-8b', 'h100', 'fp16');
    const cap = kvCapacity(d, { gpuMemoryUtilization: 0.9, blockSize: 16, activationReserveGB: 2 });
    const expected = Math.floor((80e9 * 0.9 - 2e9 - 8.03e9 * 2) / (131072 * 16));
    expect(cap.numBlocks).toBe(expected);
    expect(() =>
      kvCapacity(dep('deepseek-v3', 'h100', 'fp16'), {
        gpuMemoryUtilization: 0.9,
        blockSize: 16,
        activationReserveGB: 2,
      }),
    ).toThrow(expect.objectContaining({ code: 'E_ENGINE_DOES_NOT_FIT' }));
  });
});
