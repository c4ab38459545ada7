import { afterEach, describe, expect, it } from 'vitest';
import { createTraceDriver, sortedPercentile, summariseLags } from '../../../src/harness/drivers/trace.js';
import type { TraceWorkload } from '../../../src/harness/plugins/types.js';
import { makeContext, startLoopbackServer, type LoopbackServer } from './loopback.js';

let server: LoopbackServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

function uniformTrace(n: number, gapMs: number): TraceWorkload {
  return {
    kind: 'trace',
    datasetId: 't',
    datasetHash: '0'.repeat(64),
    entries: Array.from({ length: n }, (_, i) => ({
      atMs: 1000 + i * gapMs,
      request: { prompt: `p${i}`, maxTokens: 2 },
    })),
  };
}

describe('summariseLags', () => {
  it('computes linear percentiles', () => {
    expect(sortedPercentile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(sortedPercentile([], 0.5)).toBeNull();
    const s = summariseLags([0.5, 0.1, 0.3], 2);
    expect(s).toMatchObject({ n: 3, p50Ms: 0.3, maxMs: 0.5, skipped: 2 });
    expect(s.p99Ms).toBeCloseTo(0.496, 6);
  });
});

describe('createTraceDriver', () => {
  it('rejects a non-positive time scale', () => {
    expect(() => createTraceDriver(uniformTrace(1, 1), { timeScale: 0 })).toThrow(/timeScale/);
  });

  it('sends at start + (atMs − first) × timeScale, in order, with small schedule lag', async () => {
    server = await startLoopbackServer({ words: 1 });
    const context = makeContext(server.baseUrl);
    const trace = uniformTrace(40, 20);
    const driver = createTraceDriver(trace, { timeScale: 0.5 });
    const start = context.now();
    await driver(context);
    await context.settle();
    expect(context.records).toHaveLength(40);
    // (the server may accept the connections in a slightly different order)
    const byPrompt = server.received.map((r) => r.body.prompt).sort();
    expect(byPrompt).toEqual(trace.entries.map((e) => e.request.prompt).sort());
    const scheds = [...context.records]
      .sort((a, b) => a.tSchedMs - b.tSchedMs)
      .map((r) => r.tSchedMs - start);
    // 20 ms gaps × 0.5 = 10 ms apart, first at ~0.
    expect(scheds[0]!).toBeLessThan(1);
    expect(scheds[39]! - scheds[0]!).toBeCloseTo(390, 6);
    const lag = driver.scheduleLag();
    expect(lag.n).toBe(40);
    expect(lag.skipped).toBe(0);
    expect(lag.p50Ms!).toBeGreaterThanOrEqual(0);
  });

  it('stops issuing when stopSignal aborts and counts what it skipped', async () => {
    server = await startLoopbackServer({ words: 1 });
    const context = makeContext(server.baseUrl);
    const driver = createTraceDriver(uniformTrace(50, 10), { timeScale: 1 });
    setTimeout(() => context.controller.abort(), 100);
    await driver(context);
    await context.settle();
    const lag = driver.scheduleLag();
    expect(lag.n).toBeGreaterThan(3);
    expect(lag.n).toBeLessThan(50);
    expect(lag.n + lag.skipped).toBe(50);
  });
});
