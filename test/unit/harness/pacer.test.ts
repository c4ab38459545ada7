import { describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/harness/clock.js';
import { createPacer } from '../../../src/harness/run/pacer.js';

describe('pacer', () => {
  it('never wakes early, and reports its lateness once per wait', async () => {
    const lags: number[] = [];
    const pacer = createPacer(systemClock, new AbortController().signal, (lag) => lags.push(lag));
    for (const aheadMs of [0.5, 3, 20]) {
      const deadline = performance.now() + aheadMs;
      await pacer.sleepUntil(deadline);
      expect(performance.now()).toBeGreaterThanOrEqual(deadline);
    }
    expect(lags).toHaveLength(3);
    expect(lags.every((lag) => lag >= 0)).toBe(true);
  });

  it('a caller already past its deadline is reported as that late', async () => {
    const lags: number[] = [];
    const pacer = createPacer(systemClock, new AbortController().signal, (lag) => lags.push(lag));
    await pacer.sleepUntil(performance.now() - 500);
    expect(lags).toHaveLength(1);
    expect(lags[0]!).toBeGreaterThanOrEqual(500);
  });

  it('resolves at once when stopped', async () => {
    const stop = new AbortController();
    const pacer = createPacer(systemClock, stop.signal, () => undefined);
    const t0 = performance.now();
    const pending = pacer.sleepUntil(t0 + 60_000);
    stop.abort();
    const outcome = await Promise.race([
      pending.then(() => 'resolved'),
      new Promise((resolve) => setTimeout(() => resolve('still waiting'), 2_000)),
    ]);
    expect(outcome).toBe('resolved');
    expect(performance.now() - t0).toBeLessThan(5_000);
  });
});
