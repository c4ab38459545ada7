// The %SoL block under compare/summary tables, from an envelope as stored: hand-computed values.
import { describe, expect, it } from 'vitest';
import { builtinCeilings } from '../../../src/app/analysis/ceilings.js';
import { pointSol } from '../../../src/app/analysis/envelope-analysis.js';
import { renderSolReport } from '../../../src/app/analysis/sol-report.js';

const loaded = {
  path: '/r/c1-0123456789ab.json',
  envelope: {
    model: { id: 'meta-llama/Llama-3.1-8B-Instruct' },
    engine: { name: 'sim', version: '0.1.0' },
    quantization: { format: 'fp16' },
    hardware_fingerprint: { gpus: [] },
    telemetry: { gpu: { gpu_count: 1, util_gpu_avg_pct: 97 } },
    driver_options: { mode: 'closed_loop', concurrency: 1 },
    run_context: { tier: 'DRAFT', trials: { count: 1 }, warm_start: false, endpoint_type: 'chat' },
    metrics: {
      slo_hardware_class: 'h100',
      isl_mean: 1000,
      osl_mean: 200,
      throughput_tok_per_s: 100,
      tpot_mean_ms: 10,
      req_per_s_all: 5,
      ttft_p50_ms: 20,
      n_requests: 50,
    },
  },
};

describe('%SoL from a stored envelope', () => {
  const options = { ceilings: builtinCeilings() };

  it('reads model, quant, hardware class and load from the envelope', () => {
    const s = pointSol(loaded, options);
    const footprint = 8.03e9 * 2 + 131_072 * 1100;
    // workload: 100 tok/s × footprint ÷ 3.35e12; MBU at batch 1 and 100 steps/s is the same number
    expect(s.workload.ok && s.workload.fraction).toBeCloseTo((100 * footprint) / 3.35e12, 12);
    expect(s.mbu.ok && s.mbu.fraction).toBeCloseTo((100 * footprint) / 3.35e12, 12);
    // MFU: 2 × 8.03e9 × (1000 × 5 prompt tok/s) ÷ 989e12
    expect(s.mfu.ok && s.mfu.fraction).toBeCloseTo((2 * 8.03e9 * 5000) / 989e12, 12);
  });

  it('prints the table with the ceiling key, the descriptor and the next lever', () => {
    const text = renderSolReport([{ label: '#1', loaded }], options);
    expect(text).toMatch(/^#1\s+c1\s+48\.4%\s+48\.4%\s+8\.1%\s+h100_sxm\.hbm3_tbps$/m);
    expect(text).toContain('context #1: meta-llama/Llama-3.1-8B-Instruct · h100 (h100_sxm) ×1 · fp16');
    expect(text).toContain('next lever: #1 is furthest from its ceiling (48.4% of h100_sxm.hbm3_tbps)');
    expect(text).toContain('likely bound  host — neither ceiling is near (MBU 48.4%, MFU 8.1%)');
  });

  it('an unknown model is n/a with the reason; --model-bytes fills it in', () => {
    const unknown = { ...loaded, envelope: { ...loaded.envelope, model: { id: 'acme/secret-13b' } } };
    expect(renderSolReport([{ label: '#1', loaded: unknown }], options)).toContain(
      "n/a: model 'acme/secret-13b' not in the catalog (pass --model-bytes)",
    );
    const s = pointSol(unknown, { ...options, modelBytes: 26e9 });
    // no KV term without a catalog entry: 100 × 26e9 ÷ 3.35e12
    expect(s.workload.ok && s.workload.fraction).toBeCloseTo((100 * 26e9) / 3.35e12, 12);
  });
});
