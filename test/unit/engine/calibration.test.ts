// Calibration of the 'sim' timing model against published measurements (run at simulated time).
//
// Llama-3.1-8B-Instruct fp16 on 1×H100: the seed 001 sweep table (bench run llm.inference.chatbot-short).
// Qwen2.5-72B-Instruct bf16 on 8×H100: the InferenceBench envelopes c1-79d354b13545.json,
// c4-95cbfd4f49dc.json, c16-b91875fdf860.json (vLLM 0.22.1, builtin-chatbot-short); numbers copied here.
// Workload: chatbot-short-like prompts of 128–512 tokens, max_tokens 128 with the engine's default
// output-length draw (normal around 128, sd 20 %, capped at 128).
import { describe, expect, it } from 'vitest';
import { buildSimModel, simulateClosedLoop, type SimMetrics } from '../../../src/engine/index.js';

const TOLERANCE = 0.3;

const PUBLISHED = {
  'meta-llama/Llama-3.1-8B-Instruct': {
    hardware: 'h100',
    quant: 'fp16',
    tp: 1,
    points: {
      1: { throughputTokPerS: 122.2, ttftP50Ms: 13.98, tpotP50Ms: 6.48 },
      4: { throughputTokPerS: 580.3, ttftP50Ms: 22.75, tpotP50Ms: 6.59 },
      16: { throughputTokPerS: 1384, ttftP50Ms: 41.69, tpotP50Ms: 10.94 },
    },
  },
  'Qwen/Qwen2.5-72B-Instruct': {
    hardware: 'h100',
    quant: 'bf16',
    tp: 8,
    points: {
      1: {
        throughputTokPerS: 56.46787587669715,
        ttftP50Ms: 24.206295143812895,
        tpotP50Ms: 16.05390930753641,
      },
      4: { throughputTokPerS: 233.72420601239932, ttftP50Ms: 46.3405535556376, tpotP50Ms: 16.42581731022343 },
      16: {
        throughputTokPerS: 890.5637180121626,
        ttftP50Ms: 47.83403594046831,
        tpotP50Ms: 17.299635779464573,
      },
    },
  },
} as const;

function chatbotShortPoint(
  model: string,
  hardware: string,
  quant: string,
  tp: number,
  c: number,
): SimMetrics {
  const sim = buildSimModel({ model, hardware, quant, tensorParallel: tp });
  return simulateClosedLoop(sim, {
    concurrency: c,
    numRequests: 200,
    seed: 42,
    promptTokens: (rng) => rng.int(128, 512),
    outputTokens: (rng) => Math.min(128, Math.max(1, Math.round(128 * (1 + 0.2 * rng.normal())))),
  }).metrics;
}

describe('calibration (±30 % of published)', () => {
  for (const [model, spec] of Object.entries(PUBLISHED)) {
    for (const [c, want] of Object.entries(spec.points)) {
      it(`${model} ${spec.quant} ${spec.tp}×${spec.hardware} c${c}`, () => {
        const got = chatbotShortPoint(model, spec.hardware, spec.quant, spec.tp, Number(c));
        for (const key of ['throughputTokPerS', 'ttftP50Ms', 'tpotP50Ms'] as const) {
          const ratio = got[key] / want[key];
          expect({ key, ratio: Number(ratio.toFixed(3)), ok: Math.abs(ratio - 1) <= TOLERANCE }).toEqual({
            key,
            ratio: Number(ratio.toFixed(3)),
            ok: true,
          });
        }
      });
    }
  }
});

describe('load behaviour across a concurrency sweep', () => {
  const sweep = [1, 4, 16, 64, 256].map((c) => ({
    c,
    m: chatbotShortPoint('meta-llama/Llama-3.1-8B-Instruct', 'h100', 'fp16', 1, c),
  }));

  it('TTFT and TPOT rise with concurrency', () => {
    for (let i = 1; i < sweep.length; i += 1) {
      expect(sweep[i]!.m.ttftP50Ms).toBeGreaterThan(sweep[i - 1]!.m.ttftP50Ms);
      expect(sweep[i]!.m.tpotP50Ms).toBeGreaterThan(sweep[i - 1]!.m.tpotP50Ms);
    }
  });

  it('throughput grows but saturates: each 4× step in users buys less', () => {
    const gains = sweep.slice(1).map((p, i) => p.m.throughputTokPerS / sweep[i]!.m.throughputTokPerS);
    for (const g of gains) expect(g).toBeGreaterThan(1);
    for (let i = 1; i < gains.length; i += 1) expect(gains[i]!).toBeLessThan(gains[i - 1]!);
    expect(gains[gains.length - 1]!).toBeLessThan(2);
  });

  it('bigger hardware is faster for the same model (h200 > h100 > a100 at c16)', () => {
    const at = (hw: string) => chatbotShortPoint('meta-llama/Llama-3.1-8B-Instruct', hw, 'fp16', 1, 16);
    const a100 = at('a100').throughputTokPerS;
    const h100 = sweep[2]!.m.throughputTokPerS;
    const h200 = at('h200').throughputTokPerS;
    expect(h100).toBeGreaterThan(a100);
    expect(h200).toBeGreaterThan(h100);
  });
});
