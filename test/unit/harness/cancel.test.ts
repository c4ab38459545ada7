// --cancel-rate: the seeded choice and how cancelled requests enter the metrics. The loopback test
// (the `cancelled` outcome, the engine freeing aborted streams) is in test/integration/harness.
import { describe, expect, it } from 'vitest';
import { cancelDelayMs, cancelUniform, validateCancelOptions } from '../../../src/harness/client/cancel.js';
import { buildMetrics } from '../../../src/harness/metrics/compute.js';
import { rec } from './records.js';

describe('seeded choice', () => {
  it('is a pure function of (seed, id), close to the rate over many ids', () => {
    const o = { rate: 0.25, afterMs: 50, seed: 42 };
    const chosen = Array.from({ length: 10_000 }, (_, id) => cancelDelayMs(o, id)).filter((d) => d !== null);
    expect(chosen.length / 10_000).toBeGreaterThan(0.23);
    expect(chosen.length / 10_000).toBeLessThan(0.27);
    expect(cancelDelayMs(o, 7)).toBe(cancelDelayMs(o, 7));
    expect(cancelUniform(1, 7)).not.toBe(cancelUniform(2, 7));
    expect(cancelDelayMs({ ...o, rate: 0 }, 7)).toBeNull();
    expect(cancelDelayMs({ ...o, rate: 1 }, 7)).toBe(50);
    expect(() => validateCancelOptions({ ...o, rate: 1.5 })).toThrow(/--cancel-rate/);
    expect(() => validateCancelOptions({ ...o, afterMs: -1 })).toThrow(/--cancel-after-ms/);
  });
});

describe('metrics denominators', () => {
  it('cancelled requests are outside ok_rate and the latency samples, counted as n_cancelled', () => {
    const window = { startMs: 0, endMs: 10_000 };
    const records = [
      rec({ id: 0, tSend: 10, events: [30, 40], osl: 2 }),
      rec({ id: 1, tSend: 20, events: [40, 50], osl: 2 }),
      rec({ id: 2, tSend: 30, errorCode: 'http_500' }),
      rec({ id: 3, tSend: 40, events: [60], osl: 1, errorCode: 'cancelled' }),
    ];
    const m = buildMetrics(records, window, { bootstrapResamples: 0 });
    expect(m.counts).toMatchObject({ measured: 3, ok: 2, failed: 1, cancelled: 1 });
    expect(m.okRate).toBeCloseTo(2 / 3, 12);
    expect(m.counts.errorsByCode).toEqual({ http_500: 1 });
    expect(m.distributions.ttft.n).toBe(2);
  });
});
