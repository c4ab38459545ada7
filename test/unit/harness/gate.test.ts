// The convergence gate on synthetic inputs (no wall clock): request window, token-rate intervals
// for long requests, and the time bound.
import { describe, expect, it } from 'vitest';
import { ConvergenceGate, gateMaxWaitS } from '../../../src/harness/metrics/gate.js';

const opts = { enabled: true, window: 30, targetCov: 0.05 };

/**
 * c=1 with 4 s requests of 600 tokens at 150 tok/s (one token every 6.67 ms) and a 20 ms TTFT
 * between them: the live token counter, sampled every 250 ms as the recorder ticks.
 */
function tokensAt(tMs: number): number {
  const cycle = 4020;
  const full = Math.floor(tMs / cycle);
  const inCycle = tMs - full * cycle;
  return full * 600 + Math.min(600, Math.max(0, Math.floor((inCycle - 20) / (4000 / 600))));
}

describe('convergence gate: token-rate intervals (long requests)', () => {
  it('c=1 with 4 s requests: converges on intervals after 3 s, long before 30 requests (120 s)', () => {
    const gate = new ConvergenceGate({ ...opts, maxWaitMs: 60_000 });
    gate.start(0, 0);
    let openedAt = -1;
    for (let t = 250; t <= 60_000 && openedAt < 0; t += 250) {
      if (gate.observeTokens(t, tokensAt(t))) openedAt = t;
      gate.tick(t);
    }
    // six 500 ms intervals are needed; the first (0–500 ms) holds the 20 ms TTFT gap: 72 tokens,
    // 144 tok/s against 150 after it — within 5 %, so the gate opens with the sixth, at 3 s.
    expect(openedAt).toBe(3000);
    const s = gate.state();
    expect(s).toMatchObject({ status: 'converged', basis: 'intervals', n: 0, intervalN: 6, intervals: 6 });
    expect(s.intervalCov!).toBeLessThan(0.05);
    expect(s.intervalDrift!).toBeLessThan(0.05);
    expect(s.waitedS).toBe(3);
  });

  it('a ramping load (rate doubling over 10 s) does not converge while it ramps', () => {
    const gate = new ConvergenceGate({ ...opts, maxWaitMs: 60_000 });
    gate.start(0, 0);
    // rate(t) = 100 · 2^(t/10 s) until 10 s, then flat at 200 tok/s
    const tokens = (tMs: number): number => {
      const s = Math.min(tMs, 10_000) / 1000;
      const ramp = (100 * 10 * (Math.pow(2, s / 10) - 1)) / Math.LN2;
      return Math.floor(ramp + Math.max(0, tMs - 10_000) * 0.2);
    };
    let openedAt = -1;
    for (let t = 250; t <= 60_000 && openedAt < 0; t += 250)
      if (gate.observeTokens(t, tokens(t))) openedAt = t;
    // growth of 7 %/s: six 500 ms intervals span +19 %, so drift keeps it closed during the ramp;
    // it opens 2 s after the ramp ends, when the window (9–12 s: ≈190, 197, then 200 tok/s) has
    // halves within 5 % of each other.
    expect(openedAt).toBe(12_000);
  });

  it('a steadily falling rate with a small CoV is held by the drift rule', () => {
    const gate = new ConvergenceGate({ ...opts, maxWaitMs: 60_000 });
    gate.start(0, 0);
    // the rate falls 20 tok/s per 500 ms interval from 1000: over the last six (880 … 780, mean
    // 830) CoV = 20 · sd(0..5) / 830 = 20 · 1.8708 / 830 = 0.0451 < 0.05, but the newer half's
    // mean is 60 below the older one's: drift 60 / 830 = 0.0723 — the gate stays closed.
    let total = 0;
    for (let i = 1; i <= 12; i++) {
      total += (1000 - 20 * (i - 1)) * 0.5;
      expect(gate.observeTokens(i * 500, total)).toBe(false);
    }
    const s = gate.state();
    expect(s.intervalCov!).toBeCloseTo((20 * Math.sqrt(17.5 / 5)) / 830, 9);
    expect(s.intervalDrift!).toBeCloseTo(60 / 830, 9);
    expect(s.status).toBe('waiting');
  });

  it('a late sample closes one longer interval with the average rate over it', () => {
    const gate = new ConvergenceGate({ ...opts, intervals: 2, maxWaitMs: 60_000 });
    gate.start(0, 0);
    expect(gate.observeTokens(400, 40)).toBe(false); // interval not over yet
    expect(gate.observeTokens(1200, 120)).toBe(false); // 0–1200 ms: 100 tok/s, one interval
    expect(gate.observeTokens(1700, 170)).toBe(true); // 1200–1700: 100 tok/s → CoV 0, drift 0
    expect(gate.state()).toMatchObject({ intervalCov: 0, intervalDrift: 0, basis: 'intervals' });
  });
});

describe('convergence gate: request window and the time bound', () => {
  it('short requests still converge on the request window (30 steady decode rates)', () => {
    const gate = new ConvergenceGate({ ...opts, maxWaitMs: 60_000 });
    gate.start(0, 0);
    let openedAt = -1;
    for (let i = 0; i < 40 && openedAt < 0; i++) if (gate.add(100 + (i % 2 === 0 ? 1 : -1))) openedAt = i;
    expect(openedAt).toBe(29);
    expect(gate.state()).toMatchObject({ status: 'converged', basis: 'requests' });
  });

  it('gives up at its time bound, not before', () => {
    const gate = new ConvergenceGate({ ...opts, maxWaitMs: 5000 });
    gate.start(1000, 0);
    let total = 0;
    for (let t = 1250; t < 6000; t += 250) {
      total += t % 1000 === 0 ? 200 : 10; // bursty: never steady
      gate.observeTokens(t, total);
      expect(gate.tick(t)).toBe(false);
    }
    expect(gate.tick(6000)).toBe(true);
    expect(gate.state()).toMatchObject({ status: 'gave_up', waitedS: 5, maxWaitS: 5, basis: null });
    expect(gate.tick(6250)).toBe(false); // once
  });

  it('the bound: never longer than the point, at least 3 s, at most --gate-timeout', () => {
    expect(gateMaxWaitS(5, 60)).toBe(5);
    expect(gateMaxWaitS(1, 60)).toBe(3);
    expect(gateMaxWaitS(300, 60)).toBe(60);
    expect(gateMaxWaitS(null, 60)).toBe(60);
  });

  it('c=1, 1 s requests, --duration 5: the old gate needed 30 requests (≈ 30 s); this one ≤ 5 s', () => {
    const gate = new ConvergenceGate({ ...opts, maxWaitMs: gateMaxWaitS(5, 60) * 1000 });
    gate.start(0, 0);
    // 150 tokens per 1.02 s request, evenly streamed after a 20 ms TTFT
    const tokens = (t: number): number => {
      const full = Math.floor(t / 1020);
      return full * 150 + Math.min(150, Math.max(0, Math.floor(((t - full * 1020 - 20) * 150) / 1000)));
    };
    let end = -1;
    for (let t = 250; t <= 60_000 && end < 0; t += 250) {
      if (gate.observeTokens(t, tokens(t)) || gate.tick(t)) end = t;
    }
    expect(end).toBeGreaterThan(0);
    expect(end).toBeLessThanOrEqual(5000);
    expect(gate.state().n).toBe(0); // no request-window sample was needed
  });
});
