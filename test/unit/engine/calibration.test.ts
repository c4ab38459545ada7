// Calibration of the 'sim' timing and power model against published measurements (simulated time, no
// wall clock: the same scheduler + roofline the live engine runs, driven by simulateClosedLoop).
//
// Workload: the real llm.inference.chatbot-short prompts (the 200 shipped prompts, sized the way the
// engine's /v1/chat/completions sizes them: chatPrompt), max_tokens 128 with the engine's default
// output-length draw (normal around 128, sd 20 %, capped at 128) — what `bench run
// llm.inference.chatbot-short` sends, so this test and a live run agree.
//
// Timing: Llama-3.1-8B-Instruct fp16 1×H100 against the seed 001 sweep table (numbers copied below);
// Qwen2.5-72B-Instruct bf16 8×H100 against the InferenceBench envelopes in fixtures/ (read here).
// Power: per-GPU power of the Qwen envelopes (node power ÷ 8 boards, all serving the TP 8 model), the
// seed table's node power (J/tok × tok/s) less seven idle boards for the one-GPU Llama deployment, and
// a matmul-saturated H100 from fixtures/h100-runs.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildSimModel, simulateClosedLoop, stepCost, type SimMetrics } from '../../../src/engine/index.js';
import { stepPowerW } from '../../../src/engine/roofline.js';
import { chatPrompt } from '../../../src/engine/text.js';
import { CHATBOT_SHORT_PROMPTS } from '../../../src/harness/plugins/llm-inference/chatbot-prompts.js';

const TOLERANCE = 0.3;
const POWER_TOLERANCE = 0.15;

const PROMPT_TOKENS = CHATBOT_SHORT_PROMPTS.map((p) => chatPrompt([{ role: 'user', content: p }])!.tokens);

interface Envelope {
  metrics: Record<string, number>;
  hardware_fingerprint: { gpus: unknown[] };
}
const envelope = (name: string): Envelope =>
  JSON.parse(readFileSync(new URL(`../../../fixtures/${name}`, import.meta.url), 'utf8')) as Envelope;

interface Point {
  throughputTokPerS: number;
  ttftP50Ms: number;
  tpotP50Ms: number;
  /** Measured per-GPU power, W. */
  powerW: number;
}

// Seed 001 (bench run reference): conc, throughput, ttft p50, tpot p50, J/tok. Node power = J/tok ×
// tok/s (885, 946, 969 W) on an 8-GPU node serving TP 1: the serving board ≈ node − 7 × 70 W idle.
const SEED_001: Record<number, [number, number, number, number]> = {
  1: [122.2, 13.98, 6.48, 7.239],
  4: [580.3, 22.75, 6.59, 1.631],
  16: [1384, 41.69, 10.94, 0.7],
};
const IDLE_BOARDS_W = 7 * 70;

function seedPoint(c: number): Point {
  const [tput, ttft, tpot, jPerTok] = SEED_001[c]!;
  return {
    throughputTokPerS: tput,
    ttftP50Ms: ttft,
    tpotP50Ms: tpot,
    powerW: jPerTok * tput - IDLE_BOARDS_W,
  };
}

function envelopePoint(file: string): Point {
  const e = envelope(`inferencebench-envelopes/${file}`);
  const m = e.metrics;
  return {
    throughputTokPerS: m.throughput_tok_per_s!,
    ttftP50Ms: m.ttft_p50_ms!,
    tpotP50Ms: m.tpot_p50_ms!,
    powerW: m.power_avg_w! / e.hardware_fingerprint.gpus.length,
  };
}

const PUBLISHED = [
  {
    model: 'meta-llama/Llama-3.1-8B-Instruct',
    hardware: 'h100',
    quant: 'fp16',
    tp: 1,
    points: { 1: seedPoint(1), 4: seedPoint(4), 16: seedPoint(16) },
  },
  {
    model: 'Qwen/Qwen2.5-72B-Instruct',
    hardware: 'h100',
    quant: 'bf16',
    tp: 8,
    points: {
      1: envelopePoint('c1-79d354b13545.json'),
      4: envelopePoint('c4-95cbfd4f49dc.json'),
      16: envelopePoint('c16-b91875fdf860.json'),
    },
  },
] as const;

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
    promptTokens: (_rng, index) => PROMPT_TOKENS[index % PROMPT_TOKENS.length]!,
    outputTokens: (rng) => Math.min(128, Math.max(1, Math.round(128 * (1 + 0.2 * rng.normal())))),
  }).metrics;
}

const ratio = (got: number, want: number): number => Number((got / want).toFixed(3));

describe('the calibration workload is the real chatbot-short prompt set', () => {
  it('sizes the 200 prompts at 12–29 tokens (18.8 on average), as the engine counts them', () => {
    expect(PROMPT_TOKENS).toHaveLength(200);
    expect(Math.min(...PROMPT_TOKENS)).toBe(12);
    expect(Math.max(...PROMPT_TOKENS)).toBe(29);
    expect(PROMPT_TOKENS.reduce((a, b) => a + b, 0) / 200).toBeCloseTo(18.79, 2);
  });
});

describe('calibration (timing ±30 %, power ±15 % of measured)', () => {
  for (const spec of PUBLISHED) {
    for (const [c, want] of Object.entries(spec.points)) {
      const got = chatbotShortPoint(spec.model, spec.hardware, spec.quant, spec.tp, Number(c));
      it(`${spec.model} ${spec.quant} ${spec.tp}×${spec.hardware} c${c}: throughput, TTFT p50, TPOT p50`, () => {
        for (const key of ['throughputTokPerS', 'ttftP50Ms', 'tpotP50Ms'] as const) {
          const r = ratio(got[key], want[key]);
          expect({ key, r, ok: Math.abs(r - 1) <= TOLERANCE }).toEqual({ key, r, ok: true });
        }
      });
      it(`${spec.model} ${spec.quant} ${spec.tp}×${spec.hardware} c${c}: power per GPU`, () => {
        const r = ratio(got.powerAvgW / spec.tp, want.powerW);
        expect({ r, ok: Math.abs(r - 1) <= POWER_TOLERANCE }).toEqual({ r, ok: true });
      });
    }
  }

  it('the measured boards themselves draw more power as concurrency rises', () => {
    for (const spec of PUBLISHED) {
      const p = [1, 4, 16].map((c) => (spec.points as Record<number, Point>)[c]!.powerW);
      expect(p[1]!).toBeGreaterThan(p[0]!);
      expect(p[2]!).toBeGreaterThan(p[1]!);
    }
  });
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

  it('power rises with utilisation: every step up in users draws more, never above TDP', () => {
    for (let i = 1; i < sweep.length; i += 1) {
      expect(sweep[i]!.m.powerAvgW).toBeGreaterThan(sweep[i - 1]!.m.powerAvgW);
    }
    for (const p of sweep) expect(p.m.powerAvgW).toBeLessThanOrEqual(700);
    // …and energy per token falls (the fixed idle/launch cost spreads over more tokens).
    for (let i = 1; i < sweep.length; i += 1) {
      expect(sweep[i]!.m.joulesPerToken).toBeLessThan(sweep[i - 1]!.m.joulesPerToken);
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

describe('a compute-saturated H100 draws its TDP (fixtures/h100-runs: a matmul-loaded board)', () => {
  it('an 8k-token prefill step of Llama-3.1-8B draws within 5 % of the measured 697 W', () => {
    const measured = envelope('h100-runs/ec4d50cdbdc8.json').metrics.power_avg_w!;
    expect(measured).toBeCloseTo(697.4, 1);
    const sim = buildSimModel({
      model: 'meta-llama/Llama-3.1-8B-Instruct',
      hardware: 'h100',
      quant: 'fp16',
      tensorParallel: 1,
    });
    const cost = stepCost(sim.deployment, [{ newTokens: 8192, contextTokens: 0 }]);
    expect(cost.computeMs).toBeGreaterThan(cost.memMs);
    const w = stepPowerW(sim.deployment.hardware, cost);
    expect(Math.abs(w / measured - 1)).toBeLessThanOrEqual(0.05);
  });
});
