import { describe, expect, it } from 'vitest';
import { builtinCatalog, findHardware } from '../../../src/engine/catalog.js';
import { PowerMeter } from '../../../src/engine/power.js';
import { stepPowerW, type StepCost } from '../../../src/engine/roofline.js';

const h100 = findHardware(builtinCatalog(), 'h100');
const cost = (memMs: number, computeMs: number, extraMs: number): StepCost => ({
  memMs,
  computeMs,
  allReduceMs: 0,
  overheadMs: extraMs,
  stepMs: Math.max(memMs, computeMs) + extraMs,
  bytesPerGpu: 0,
  flopsPerGpu: 0,
});

describe('power model', () => {
  it.each([
    // memMs, computeMs, overhead → expected W: idle + (TDP − idle) × min(1, 0.2 + busy × (0.4 + 0.5 × computeShare))
    [6, 0.3, 0.6, 70 + 630 * (0.2 + (6 / 6.6) * (0.4 + 0.5 * (0.3 / 6)))],
    [2, 10, 0.5, 70 + 630 * Math.min(1, 0.2 + (10 / 10.5) * (0.4 + 0.5))],
    [1, 0.1, 9, 70 + 630 * (0.2 + 0.1 * (0.4 + 0.5 * 0.1))],
  ])('step with mem %d ms, compute %d ms, overhead %d ms draws the expected power', (m, c, o, want) => {
    const p = stepPowerW(h100, cost(m, c, o));
    expect(p).toBeCloseTo(want, 9);
    expect(p).toBeGreaterThanOrEqual(h100.idleW);
    expect(p).toBeLessThanOrEqual(h100.tdpW);
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
