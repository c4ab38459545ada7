import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { TraceDriver } from '../../../src/harness/drivers/trace.js';
import { llmInferencePlugin, resolveSuite, workloadToDriver } from '../../../src/harness/plugins/index.js';
import { makeContext, startWorkerServer, timerLagP99 } from './loopback.js';

const TRACE = fileURLToPath(
  new URL('../../../fixtures/datasets/mooncake-trace-sample.jsonl', import.meta.url),
);
const BUDGET_MS = 2;

let server: Awaited<ReturnType<typeof startWorkerServer>> | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

describe('trace replay of the fixture Mooncake trace (real loopback HTTP)', () => {
  it('keeps schedule lag (actual − scheduled send) within 2 ms p99 at the trace rate', async () => {
    const { spec } = resolveSuite([llmInferencePlugin], 'llm.inference.trace');
    const workload = await llmInferencePlugin.loadWorkload(spec, {
      seed: 1,
      model: 'sim',
      engine: 'sim',
      endpointType: 'completions',
      datasetPath: TRACE,
      extra: {},
    });
    if (workload.kind !== 'trace') throw new Error('trace expected');
    const offsets = workload.entries.map((e) => e.atMs - workload.entries[0]!.atMs);
    // Each response takes ≥ 40 ms (longer than the trace's mean gap of ~19 ms): a driver that waited
    // for responses, or let them delay the schedule, would lag by tens of ms.
    server = await startWorkerServer(2, 40);
    // The test box is shared by many processes; the OS can starve any timer. Each attempt measures
    // this process's bare timer precision on the same schedule (no driver, no HTTP) as a baseline,
    // then replays the trace. Pass: driver p99 ≤ 2 ms, or ≤ 2 ms above the same-run baseline when
    // the box itself cannot keep 2 ms. Up to three attempts.
    const results: { driverP99: number; timerP99: number }[] = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      const timerP99 = await timerLagP99(offsets);
      const driver = workloadToDriver(workload, { timeScale: 1 }) as TraceDriver;
      const context = makeContext(server.baseUrl);
      const start = context.now();
      await driver(context);
      await context.settle();
      const lag = driver.scheduleLag();
      expect(lag.n).toBe(100);
      expect(lag.skipped).toBe(0);
      expect(lag.p50Ms!).toBeGreaterThanOrEqual(0);
      // The replay followed the trace's clock.
      const scheds = context.records.map((r) => r.tSchedMs).sort((a, b) => a - b);
      expect(scheds[0]! - start).toBeLessThan(20);
      expect(scheds.at(-1)! - scheds[0]!).toBeCloseTo(offsets.at(-1)!, 6);
      expect(context.records.every((r) => r.errorCode === null && r.tDoneMs - r.tSendMs >= 40)).toBe(true);
      results.push({ driverP99: lag.p99Ms!, timerP99 });
      if (lag.p99Ms! <= Math.max(BUDGET_MS, timerP99 + BUDGET_MS)) break;
    }
    expect(await server.received()).toBe(100 * results.length);
    const summary = results
      .map((r) => `driver ${r.driverP99.toFixed(2)} / timer ${r.timerP99.toFixed(2)}`)
      .join('; ');
    const passed = results.some((r) => r.driverP99 <= Math.max(BUDGET_MS, r.timerP99 + BUDGET_MS));
    expect(passed, `schedule lag p99 per attempt (ms): ${summary}`).toBe(true);
  });
});
