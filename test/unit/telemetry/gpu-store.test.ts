import { describe, expect, it } from 'vitest';
import { GpuStore } from '../../../src/telemetry/index.js';
import type { GpuSample, GpuTick } from '../../../src/telemetry/index.js';

function sample(tMs: number, powerW: number, util: number, energyMj: number | null): GpuSample {
  return {
    tMs,
    powerW,
    energyMj,
    utilGpuPct: util,
    utilMemPct: 0,
    memUsedMiB: 0,
    smClockMhz: null,
    tempC: null,
  };
}

/** Feeds ticks every `dt` ms from 0 to `untilMs`, power(t) in W per GPU, energy = exact integral (mJ). */
function feed(
  store: GpuStore,
  opts: {
    dt: number;
    untilMs: number;
    power: (t: number) => number;
    util: (t: number) => number;
    gpus?: number;
    energyEvery?: number;
  },
): void {
  const gpus = opts.gpus ?? 1;
  let energyMj = 1_000_000;
  let prevT = 0;
  let k = 0;
  for (let t = 0; t <= opts.untilMs; t += opts.dt, k++) {
    // trapezoid of a piecewise-linear power over [prevT, t] is exact for the linear pieces used here
    energyMj += ((opts.power(prevT) + opts.power(t)) / 2) * (t - prevT);
    prevT = t;
    const fresh = k % (opts.energyEvery ?? 1) === 0;
    const tick: GpuTick = {
      tMs: t,
      gpus: Array.from({ length: gpus }, () =>
        sample(t, opts.power(t), opts.util(t), fresh ? energyMj : null),
      ),
      energyFresh: fresh,
    };
    store.add(tick);
  }
}

describe('GpuStore window summaries', () => {
  it('constant load: avg = peak = P, energy = P × window by counter and by integral', () => {
    const s = new GpuStore(['A', 'B'], { intervalMs: 100 });
    feed(s, { dt: 100, untilMs: 60_000, power: () => 300, util: () => 95, gpus: 2 });
    const w = s.summarize(10_000, 40_000);
    if (!w.available) throw new Error(w.reason);
    expect(w.gpuCount).toBe(2);
    expect(w.energyMethod).toBe('counter');
    expect(w.powerAvgW).toBe(600);
    expect(w.powerPeakW).toBe(600);
    expect(w.powerUnderLoadAvgW).toBe(600);
    expect(w.utilGpuAvgPct).toBe(95);
    expect(w.sampleCount).toBe(300); // ticks in (10 000, 40 000]
    expect(w.intervalMs).toBeCloseTo(100, 9);
    expect(w.energyJoulesTotal).toBeCloseTo(600 * 30, 6);
    const d = s.energyDetail(10_000, 40_000);
    expect(d.powerIntegralJ).toBeCloseTo(18_000, 6);
    expect(d.counterVsIntegralPct).toBeCloseTo(0, 9);
  });

  it('under-load average only counts ticks with util > 50 %, and is null when none', () => {
    const s = new GpuStore(['A'], { intervalMs: 100 });
    feed(s, {
      dt: 100,
      untilMs: 20_000,
      power: (t) => (t < 10_000 ? 80 : 500),
      util: (t) => (t < 10_000 ? 0 : 99),
    });
    const w = s.summarize(0, 20_000);
    if (!w.available) throw new Error(w.reason);
    expect(w.powerUnderLoadAvgW).toBe(500);
    expect(w.powerAvgW).toBeCloseTo((99 * 80 + 101 * 500) / 200, 9);
    expect(w.powerPeakW).toBe(500);
    const idle = s.summarize(0, 9_000);
    if (!idle.available) throw new Error(idle.reason);
    expect(idle.powerUnderLoadAvgW).toBeNull();
  });

  it('energy counter read every 10th tick is interpolated at the window edges', () => {
    const s = new GpuStore(['A'], { intervalMs: 10, energyIntervalMs: 100 });
    // linear ramp 100 → 400 W over 10 s
    feed(s, {
      dt: 10,
      untilMs: 10_000,
      power: (t) => 100 + (300 * t) / 10_000,
      util: () => 90,
      energyEvery: 10,
    });
    const d = s.energyDetail(2_345, 7_891);
    const exact = ((100 + 0.03 * 2_345 + 100 + 0.03 * 7_891) / 2) * ((7_891 - 2_345) / 1000);
    expect(d.counterJ).not.toBeNull();
    expect(Math.abs((d.counterJ ?? 0) - exact) / exact).toBeLessThan(0.002);
    expect(Math.abs(d.powerIntegralJ - exact) / exact).toBeLessThan(0.002);
  });

  it('a counter that goes backwards (driver reload) makes the summary use the labelled integral', () => {
    const s = new GpuStore(['A'], { intervalMs: 100 });
    for (let t = 0; t <= 2000; t += 100)
      s.add({ tMs: t, gpus: [sample(t, 200, 80, t === 1000 ? 5 : 1e6 + 200 * t)], energyFresh: true });
    const w = s.summarize(0, 2000);
    if (!w.available) throw new Error(w.reason);
    expect(s.counterResets).toBe(1);
    expect(w.energyMethod).toBe('power_integral');
    expect(w.energyJoulesTotal).toBeCloseTo(400, 6);
  });

  it('an empty window or one without samples is not available (no zeros)', () => {
    const s = new GpuStore(['A'], { intervalMs: 100 });
    expect(s.summarize(0, 1000)).toEqual({
      available: false,
      reason: 'no GPU samples in the measurement window',
    });
    feed(s, { dt: 100, untilMs: 1000, power: () => 100, util: () => 0 });
    expect(s.summarize(5000, 6000).available).toBe(false);
    expect(s.summarize(500, 500).available).toBe(false);
  });

  it('memory stays bounded: a window older than the fine ring resolves through 1 s checkpoints', () => {
    const s = new GpuStore(['A'], { intervalMs: 10, fineCapacity: 1000, coarseCapacity: 10_000 });
    // 100 s at 10 ms = 10 001 ticks into a 1 000-row fine ring; 700 W spike at t = 20 s
    feed(s, { dt: 10, untilMs: 100_000, power: (t) => (t === 20_000 ? 700 : 250), util: () => 70 });
    const w = s.summarize(10_000, 95_000);
    if (!w.available) throw new Error(w.reason);
    expect(w.sampleCount).toBe(8500);
    expect(w.powerAvgW).toBeCloseTo(250 + 450 / 8500, 6);
    expect(w.powerPeakW).toBe(700);
    expect(w.energyJoulesTotal).toBeCloseTo(250 * 85 + 4.5, 0);
  });

  it('live view: latest sample per GPU and ~1/s sparkline points, capped at 120', () => {
    const s = new GpuStore(['A', 'B'], { intervalMs: 100 });
    feed(s, { dt: 100, untilMs: 200_000, power: (t) => t / 1000, util: () => 40, gpus: 2 });
    const live = s.live();
    expect(live).toHaveLength(2);
    expect(live[0]?.latest?.powerW).toBe(200);
    expect(live[0]?.powerWSeries.length).toBe(120);
    expect(live[1]?.utilPctSeries.every((u) => u === 40)).toBe(true);
    const series = live[0]?.powerWSeries ?? [];
    for (let i = 1; i < series.length; i++) expect(series[i]!).toBeGreaterThan(series[i - 1]!);
    expect(s.sampleCount).toBe(2001);
  });
});

describe('GpuStore timeline', () => {
  it('per-second means of power (summed over GPUs), util and memory into the timeline block', async () => {
    const { TimelineBuilder, TIMELINE_COLUMNS } = await import('../../../src/lib/timeline.js');
    const store = new GpuStore(['a', 'b'], { intervalMs: 100 });
    for (let t = 0; t <= 4000; t += 100) {
      const power = t <= 2000 ? 100 : 300; // per GPU
      const s = (): GpuSample => ({ ...sample(t, power, t <= 2000 ? 20 : 90, null), memUsedMiB: 2048 });
      store.add({ tMs: t, gpus: [s(), s()], energyFresh: false });
    }
    const builder = new TimelineBuilder(1000, TIMELINE_COLUMNS);
    store.timelineInto(builder, 1000, 4000);
    const block = builder.block(null);
    expect(block.t_s).toEqual([0, 1, 2]);
    // bucket [1 s, 2 s]: ticks 1.1 … 2.0 s at 100 W each ×2 GPUs; [2 s, 3 s]: 300 W; [3 s, 4 s]: 300 W
    expect(block.series['gpu_power_w']).toEqual([200, 600, 600]);
    expect(block.series['gpu_util_pct']).toEqual([20, 90, 90]);
    expect(block.series['gpu_mem_used_gib']).toEqual([4, 4, 4]);
  });
});
