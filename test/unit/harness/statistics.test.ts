import { describe, expect, it } from 'vitest';
import { bootstrapReplicate, naiveBootstrapReplicate } from '../../../src/harness/metrics/bootstrap.js';
import {
  bootstrapPercentileCi,
  coefficientOfVariation,
  ConvergenceGate,
  createArrivalProcess,
  createRng,
  mean,
  percentileSorted,
  sortedCopy,
} from '../../../src/harness/index.js';

/** Kolmogorov–Smirnov statistic of samples against a continuous CDF. */
function ksStatistic(values: number[], cdf: (x: number) => number): number {
  const sorted = sortedCopy(values);
  const n = sorted.length;
  let d = 0;
  for (let i = 0; i < n; i++) {
    const f = cdf(sorted[i]!);
    d = Math.max(d, (i + 1) / n - f, f - i / n);
  }
  return d;
}

function gaps(process: { nextOffsetMs(): number }, count: number): number[] {
  const out: number[] = [];
  let previous = 0;
  for (let i = 0; i < count; i++) {
    const t = process.nextOffsetMs();
    out.push(t - previous);
    previous = t;
  }
  return out;
}

describe('seeded RNG', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    const a = createRng(7);
    const b = createRng(7);
    const c = createRng(8);
    const seqA = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(seqA);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(seqA);
    expect(seqA.every((x) => x >= 0 && x < 1)).toBe(true);
  });

  it('gamma(k, θ) has mean kθ and variance kθ² (k < 1 and k > 1)', () => {
    for (const [k, theta] of [
      [0.5, 2],
      [3, 0.5],
    ] as const) {
      const rng = createRng(11);
      const xs = Array.from({ length: 40_000 }, () => rng.gamma(k, theta));
      const m = mean(xs)!;
      const variance = xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1);
      expect(m).toBeGreaterThan(k * theta * 0.97);
      expect(m).toBeLessThan(k * theta * 1.03);
      expect(variance).toBeGreaterThan(k * theta * theta * 0.9);
      expect(variance).toBeLessThan(k * theta * theta * 1.1);
    }
  });
});

describe('arrival processes', () => {
  const critical01 = (n: number): number => 1.628 / Math.sqrt(n); // KS, α = 0.01

  it('Poisson inter-arrivals pass a KS test against the exponential', () => {
    for (const seed of [1, 2, 3]) {
      const rps = 250;
      const xs = gaps(createArrivalProcess({ rps, arrival: 'poisson', seed }), 4000);
      const rateMs = rps / 1000;
      const d = ksStatistic(xs, (x) => 1 - Math.exp(-rateMs * x));
      expect(d).toBeLessThan(critical01(xs.length));
    }
  });

  it('the KS test has teeth: gamma(0.3) gaps fail it', () => {
    const xs = gaps(createArrivalProcess({ rps: 250, arrival: 'gamma', burstiness: 0.3, seed: 1 }), 4000);
    const d = ksStatistic(xs, (x) => 1 - Math.exp(-0.25 * x));
    expect(d).toBeGreaterThan(critical01(xs.length));
  });

  it('gamma burstiness sets the dispersion (CV of gaps = 1/√shape) at the same mean rate', () => {
    const rows: [number, number][] = [
      [0.25, 2],
      [1, 1],
      [4, 0.5],
    ];
    for (const [shape, expectedCv] of rows) {
      const xs = gaps(
        createArrivalProcess({ rps: 100, arrival: 'gamma', burstiness: shape, seed: 5 }),
        20_000,
      );
      expect(mean(xs)!).toBeGreaterThan(10 * 0.95);
      expect(mean(xs)!).toBeLessThan(10 * 1.05);
      const cv = coefficientOfVariation(xs)!;
      expect(cv).toBeGreaterThan(expectedCv * 0.9);
      expect(cv).toBeLessThan(expectedCv * 1.1);
    }
  });

  it('constant arrivals are evenly spaced with no drift', () => {
    const process = createArrivalProcess({ rps: 1000, arrival: 'constant', seed: 1 });
    let t = 0;
    for (let i = 0; i < 100_000; i++) t = process.nextOffsetMs();
    expect(t).toBeCloseTo(100_000, 6);
  });

  it('a ramp delivers half the arrivals of the full rate over the ramp', () => {
    const process = createArrivalProcess({ rps: 1000, arrival: 'constant', rampS: 2, seed: 1 });
    let count = 0;
    while (process.nextOffsetMs() <= 2000) count++;
    expect(count).toBe(1000); // ∫ 1000·t/2 dt over [0, 2] s = 1000
    const late = createArrivalProcess({ rps: 1000, arrival: 'constant', rampS: 2, seed: 1 });
    const offsets: number[] = [];
    for (let i = 0; i < 3000; i++) offsets.push(late.nextOffsetMs());
    // After the ramp, arrivals are 1 ms apart.
    expect(offsets[2000]! - offsets[1999]!).toBeCloseTo(1, 9);
  });

  it('the same seed gives the same schedule', () => {
    const a = gaps(createArrivalProcess({ rps: 10, arrival: 'poisson', seed: 9 }), 50);
    const b = gaps(createArrivalProcess({ rps: 10, arrival: 'poisson', seed: 9 }), 50);
    expect(a).toEqual(b);
  });
});

describe('bootstrap confidence intervals', () => {
  it('cover the true percentile of a known distribution in ≥ 90 % of seeded repetitions', () => {
    // Exponential(1): true p50 = ln 2, p90 = ln 10, p99 = ln 100.
    const truth: Record<number, number> = { 50: Math.LN2, 90: Math.log(10), 99: Math.log(100) };
    const reps = 200;
    for (const [p, n] of [
      [50, 200],
      [90, 400],
      [99, 2000],
    ] as const) {
      let covered = 0;
      for (let rep = 0; rep < reps; rep++) {
        const data = createRng(1000 + rep);
        const xs = Array.from({ length: n }, () => data.exponential(1));
        const ci = bootstrapPercentileCi(sortedCopy(xs), p, createRng(rep), { resamples: 1000 })!;
        expect(ci.n).toBe(n);
        if (ci.lo <= truth[p]! && truth[p]! <= ci.hi) covered++;
      }
      expect(covered / reps).toBeGreaterThanOrEqual(0.9);
    }
  });

  it('the order-statistic replicate matches the textbook resample-and-sort bootstrap in distribution', () => {
    const data = createRng(3);
    const sorted = sortedCopy(Array.from({ length: 300 }, () => data.exponential(1)));
    for (const p of [50, 90, 99]) {
      const fast = createRng(1);
      const slow = createRng(2);
      const a = sortedCopy(Array.from({ length: 3000 }, () => bootstrapReplicate(sorted, p, fast)));
      const b = sortedCopy(Array.from({ length: 3000 }, () => naiveBootstrapReplicate(sorted, p, slow)));
      for (const q of [5, 50, 95]) {
        const qa = percentileSorted(a, q)!;
        const qb = percentileSorted(b, q)!;
        expect(Math.abs(qa - qb) / qb).toBeLessThan(0.05);
      }
    }
  });

  it('is deterministic for a seed', () => {
    const sorted = sortedCopy([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const a = bootstrapPercentileCi(sorted, 90, createRng(4), { resamples: 500 });
    const b = bootstrapPercentileCi(sorted, 90, createRng(4), { resamples: 500 });
    expect(a).toEqual(b);
    expect(bootstrapPercentileCi(sortedCopy([]), 50, createRng(1), { resamples: 10 })).toBeNull();
  });
});

describe('convergence gate', () => {
  it('stays waiting until the window is full, then converges on a steady stream', () => {
    const gate = new ConvergenceGate({ enabled: true, window: 30, targetCov: 0.05 });
    const rng = createRng(1);
    let openedAt = -1;
    for (let i = 0; i < 40 && openedAt < 0; i++) {
      if (gate.add(100 * (1 + 0.01 * rng.normal()))) openedAt = i;
    }
    expect(openedAt).toBe(29);
    expect(gate.state()).toMatchObject({ status: 'converged', n: 30, window: 30 });
    expect(gate.state().cov!).toBeLessThan(0.05);
  });

  it('never converges on a drifting stream and reports gave_up when told', () => {
    const gate = new ConvergenceGate({ enabled: true, window: 30, targetCov: 0.05 });
    for (let i = 0; i < 300; i++) expect(gate.add(100 * Math.pow(1.01, i))).toBe(false);
    expect(gate.state().status).toBe('waiting');
    gate.giveUp();
    expect(gate.state().status).toBe('gave_up');
    expect(gate.state().cov!).toBeGreaterThan(0.05);
  });

  it('a disabled gate is open from the start', () => {
    const gate = new ConvergenceGate({ enabled: false, window: 30, targetCov: 0.05 });
    expect(gate.isOpen).toBe(true);
    expect(gate.state().status).toBe('disabled');
  });
});
