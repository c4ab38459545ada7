// %SoL: hand-computed values for Llama-3.1-8B fp16 on an H100 (catalog facts: 8.03e9 params,
// 32 layers, 8 KV heads × 128 dims, 2-byte KV; ceilings: 3.35 TB/s HBM, 989 TFLOP/s bf16).
import { describe, expect, it } from 'vitest';
import { builtinCatalog } from '../../../src/engine/catalog.js';
import { builtinCeilings, CeilingsError, loadCeilings } from '../../../src/app/analysis/ceilings.js';
import { resolveHardwareCeilings, resolveModelBytes } from '../../../src/app/analysis/sol-context.js';
import {
  decodeMbu,
  formatSol,
  perTokenFootprintBytes,
  prefillMfu,
  workloadSol,
  type SolInputs,
} from '../../../src/app/analysis/sol.js';

const WEIGHTS = 8.03e9 * 2; // 16.06 GB
const KV_PER_TOKEN = 32 * 2 * 8 * 128 * 2; // 131 072 B

function inputs(over: Partial<SolInputs> = {}): SolInputs {
  const model = resolveModelBytes('meta-llama/Llama-3.1-8B-Instruct', 'fp16');
  const hw = resolveHardwareCeilings(builtinCeilings(), 'h100', 'fp16');
  return {
    model: model.bytes,
    gpuCount: 1,
    hbm: hw.hbm,
    compute: hw.compute,
    outputTokPerS: 100,
    promptTokPerS: 5000,
    batch: 1,
    islMean: 1000,
    oslMean: 200,
    stepMs: 10,
    ...over,
  };
}

describe('model bytes and ceilings', () => {
  it('catalog: weights = params × bytes/param; KV/token = layers × 2 × kvHeads × headDim × kvBytes', () => {
    const r = resolveModelBytes('llama-3.1-8b', 'fp16');
    expect(r.bytes).toEqual({ weightBytes: WEIGHTS, kvBytesPerToken: KV_PER_TOKEN, activeParams: 8.03e9 });
    expect(resolveModelBytes('llama-3.1-8b', 'fp8').bytes?.weightBytes).toBe(8.03e9);
    expect(resolveModelBytes('acme/unknown', 'fp16')).toEqual({
      bytes: null,
      reason: "model 'acme/unknown' not in the catalog (pass --model-bytes)",
    });
    const flag = resolveModelBytes('acme/unknown', 'fp16', 1e9);
    expect(flag.bytes).toEqual({ weightBytes: 1e9, kvBytesPerToken: 0, activeParams: 5e8 });
    expect(flag.source).toMatch(/KV bytes not counted/);
  });

  it('ceilings are cited by key path; fp8 picks the fp8 peak; a GPU name resolves through the catalog', () => {
    const c = builtinCeilings();
    expect(resolveHardwareCeilings(c, 'h100', 'fp16')).toEqual({
      hbm: { key: 'h100_sxm.hbm3_tbps', bytesPerS: 3.35e12 },
      compute: { key: 'h100_sxm.bf16_tflops', flopsPerS: 989e12 },
    });
    expect(resolveHardwareCeilings(c, 'NVIDIA H100 80GB HBM3', 'fp8').compute?.key).toBe(
      'h100_sxm.fp8_tflops',
    );
    // A100 has no fp8 tensor cores: falls back to bf16.
    expect(resolveHardwareCeilings(c, 'a100', 'fp8').compute?.key).toBe('a100_sxm.bf16_tflops');
    expect(resolveHardwareCeilings(c, 'tpu-v9', 'fp16').reason).toMatch(/no ceilings for hardware 'tpu-v9'/);
  });

  it('the ceilings file and the engine hardware catalog carry the same peaks', () => {
    const hardware = builtinCatalog().hardware;
    const c = builtinCeilings();
    for (const hw of hardware) {
      const entry = c.entries.find((e) => e.catalogId === hw.id);
      expect(entry, hw.id).toBeDefined();
      const tbps = Object.entries(entry!.values).find(([k]) => k.endsWith('_tbps'))![1];
      expect(tbps * 1000, hw.id).toBeCloseTo(hw.hbmBandwidthGBs, 6);
      expect(entry!.values.bf16_tflops, hw.id).toBe(hw.bf16Tflops);
      expect(entry!.values.fp8_tflops ?? null, hw.id).toBe(hw.fp8Tflops);
      expect(entry!.values.fp4_tflops ?? null, hw.id).toBe(hw.fp4Tflops);
    }
  });

  it('--ceilings overrides key by key and rejects bad files (exit 2)', () => {
    const files: Record<string, string> = {
      good: 'h100_sxm:\n  hbm3_tbps: 3.0\nnew_gpu:\n  hbm4_tbps: 10\n  bf16_tflops: 5000\n',
      badKey: 'h100_sxm:\n  peak: 3\n',
      badValue: 'h100_sxm:\n  hbm3_tbps: -1\n',
    };
    const read = (p: string): string => {
      const text = files[p];
      if (text === undefined) throw new Error('ENOENT');
      return text;
    };
    const c = loadCeilings('good', read);
    const h100 = c.entries.find((e) => e.name === 'h100_sxm')!;
    expect(h100.values).toEqual({ hbm3_tbps: 3.0, bf16_tflops: 989, fp8_tflops: 1979 });
    expect(h100.catalogId).toBe('h100');
    expect(resolveHardwareCeilings(c, 'new_gpu', 'fp16').hbm).toEqual({
      key: 'new_gpu.hbm4_tbps',
      bytesPerS: 10e12,
    });
    expect(() => loadCeilings('badKey', read)).toThrow(/keys are <memory>_tbps/);
    expect(() => loadCeilings('badValue', read)).toThrow(CeilingsError);
    expect(() => loadCeilings('missing', read)).toThrow(/cannot be read/);
  });
});

describe('%SoL maths', () => {
  it('workload %SoL = tok/s per GPU ÷ (HBM ÷ footprint)', () => {
    // ctx = 1000 + 200/2 = 1100; footprint(c=1) = 16.06e9 + 131072 × 1100 = 16 204 179 200 B
    const footprint = WEIGHTS + KV_PER_TOKEN * 1100;
    expect(perTokenFootprintBytes(inputs().model!, 1, 1100)).toBe(footprint);
    // ceiling = 3.35e12 / 16 204 179 200 = 206.737… tok/s; 100 tok/s → 48.37 %
    const v = workloadSol(inputs());
    expect(v.ok && v.fraction).toBeCloseTo((100 * footprint) / 3.35e12, 12);
    expect(v.ok && v.fraction).toBeCloseTo(0.48371, 5);
    expect(formatSol(v)).toBe('48.4% of h100_sxm.hbm3_tbps');
    // c = 16 and 2 GPUs: footprint = 16.06e9/16 + 131072 × 1100; per GPU 1000 tok/s of 2000.
    const v16 = workloadSol(inputs({ batch: 16, gpuCount: 2, outputTokPerS: 2000 }));
    expect(v16.ok && v16.fraction).toBeCloseTo((1000 * (WEIGHTS / 16 + KV_PER_TOKEN * 1100)) / 3.35e12, 12);
  });

  it('decode MBU = (weights + KV read per step) × steps/s ÷ HBM', () => {
    // batch 4, step 10 ms → 100 steps/s; KV per step = 4 × 131072 × 1100
    const v = decodeMbu(inputs({ batch: 4 }));
    expect(v.ok && v.fraction).toBeCloseTo(((WEIGHTS + 4 * KV_PER_TOKEN * 1100) * 100) / 3.35e12, 12);
    expect(v.ok && v.ceilingKey).toBe('h100_sxm.hbm3_tbps');
  });

  it('prefill MFU = 2 × active params × prompt tok/s ÷ peak FLOP/s', () => {
    // 2 × 8.03e9 × 5000 / 989e12 = 0.0812
    const v = prefillMfu(inputs());
    expect(v.ok && v.fraction).toBeCloseTo((2 * 8.03e9 * 5000) / 989e12, 12);
    expect(v.ok && v.ceilingKey).toBe('h100_sxm.bf16_tflops');
  });

  it('unknown inputs give n/a with the reason, never a number', () => {
    const noModel = inputs({ model: null, modelReason: "model 'x' not in the catalog (pass --model-bytes)" });
    expect(formatSol(workloadSol(noModel))).toBe("n/a (model 'x' not in the catalog (pass --model-bytes))");
    expect(workloadSol(inputs({ hbm: null, hardwareReason: 'hardware unknown (no ceiling)' }))).toEqual({
      ok: false,
      reason: 'hardware unknown (no ceiling)',
    });
    expect(decodeMbu(inputs({ stepMs: null })).ok).toBe(false);
    expect(prefillMfu(inputs({ promptTokPerS: 0 })).ok).toBe(false);
    expect(workloadSol(inputs({ islMean: null })).ok).toBe(false);
  });
});
