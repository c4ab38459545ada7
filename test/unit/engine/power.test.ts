import { describe, expect, it } from 'vitest';
import { builtinCatalog, findHardware } from '../../../src/engine/catalog.js';
import { PowerMeter } from '../../../src/engine/power.js';
import { stepPowerW, type StepCost } from '../../../src/engine/roofline.js';

const h100 = findHardware(builtinCatalog(), 'h100');
const cost = (
  memMs: number,
  computeMs: number,
  perSeqMs: number,
  seqs: number,
  tensorUtil: number,
): StepCost => ({
  memMs,
  computeMs,
  allReduceMs: 0,
  overheadMs: 0.4 + perSeqMs,
  perSeqMs,
  seqs,
  stepMs: Math.max(memMs, computeMs) + 0.4 + perSeqMs,
  bytesPerGpu: 0,
  flopsPerGpu: 0,
  tensorUtil,
});

describe('power model', () => {
  it.each([
    // idle + (TDP − idle) × min(1, busyShare × (0.5 + 0.15 × (1 − e^(−seqs/1.5))) + 0.8 × tensorUtil)
    // decode at batch 1: busy (6 + 0.25) of 6.65 ms
    [
      6,
      0.1,
      0.25,
      1,
      0.003,
      70 + 630 * ((6.25 / 6.65) * (0.5 + 0.15 * (1 - Math.exp(-1 / 1.5))) + 0.8 * 0.003),
    ],
    // decode at batch 16: busy (6.3 + 4) of 10.7 ms
    [
      6.3,
      0.5,
      4,
      16,
      0.03,
      70 + 630 * ((10.3 / 10.7) * (0.5 + 0.15 * (1 - Math.exp(-16 / 1.5))) + 0.8 * 0.03),
    ],
    // compute-bound prefill: capped at TDP
    [2, 40, 0.25, 1, 0.6, 700],
  ])(
    'step with mem %d ms, compute %d ms, per-seq %d ms over %d seqs draws the expected power',
    (m, c, ps, n, tu, want) => {
      const p = stepPowerW(h100, cost(m, c, ps, n, tu));
      expect(p).toBeCloseTo(want, 9);
      expect(p).toBeGreaterThanOrEqual(h100.idleW);
      expect(p).toBeLessThanOrEqual(h100.tdpW);
    },
  );

  it('a busier step never draws less: batch 16 > batch 4 > batch 1 at the same memory time', () => {
    const w = [1, 4, 16].map((n) => stepPowerW(h100, cost(6, 0.1 * n, 0.25 * n, n, 0.002 * n)));
    expect(w[1]!).toBeGreaterThan(w[0]!);
    expect(w[2]!).toBeGreaterThan(w[1]!);
    // hand-computed batch-1 value: 70 + 630 × (6.25/6.65 × (0.5 + 0.15 × (1 − e^(−2/3))) + 0.0016)
    expect(w[0]!).toBeCloseTo(70 + 630 * ((6.25 / 6.65) * (0.5 + 0.15 * (1 - Math.exp(-2 / 3))) + 0.0016), 6);
  });

  it('integrates piecewise-constant power into energy (J) exactly; utilisation follows the busy share', () => {
    const meter = new PowerMeter(2, 70, 0);
    meter.set(1000, 1, 500); // 1 s idle at 70 W
    meter.idle(3000); // 2 s at 500 W
    expect(meter.energyJoules(4000)).toBeCloseTo(70 + 1000 + 70, 9);
    const busy = new PowerMeter(1, 70, 0);
    busy.set(0, 1, 600);
    const r = busy.read(5000);
    expect(r[0]!.utilPct).toBe(99); // 1 − e^(−5) of the way to 100 %
    const board0 = 1 + 0.012 * Math.sin(0.5); // fixed per-board spread of GPU 0
    expect(r[0]!.powerW).toBeCloseTo(600 * board0, 3);
    expect(r[0]!.energyMj).toBe(Math.floor(600 * 5 * 1000 * board0));
    expect(new PowerMeter(8, 70, 0).read(10)).toHaveLength(8);
  });
});
