import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { TraceDriver } from '../../../src/harness/drivers/trace.js';
import { llmInferencePlugin, resolveSuite, workloadToDriver } from '../../../src/harness/plugins/index.js';
import { makeContext, percentile, startWorkerServer, timerLag } from './loopback.js';

const TRACE = fileURLToPath(
  new URL('../../../fixtures/datasets/mooncake-trace-sample.jsonl', import.meta.url),
);
const BUDGET_MS = 2;

let server: Awaited<ReturnType<typeof startWorkerServer>> | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

interface Attempt {
  readonly lagP50: number;
  readonly lagP99: number;
  readonly overheadP99: number;
  readonly timerP50: number;
  readonly timerP99: number;
}

/**
 * Pass rule. The driver's own dispatch overhead (send − timer wake-up) must stay within 2 ms p99.
 * The total schedule lag (send − scheduled) must be within 2 ms p99 when this box keeps its timers
 * (same-run bare-timer p99 ≤ 1 ms); on a box so loaded that bare timers miss by more, the total
 * lag's median must stay within 2 ms of the bare timer's (OS noise is not the driver's).
 */
function passes(a: Attempt): boolean {
  if (a.overheadP99 > BUDGET_MS) return false;
  return a.timerP99 <= 1 ? a.lagP99 <= BUDGET_MS : a.lagP50 <= a.timerP50 + BUDGET_MS;
}

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
    // for responses, or let them delay the schedule, would lag by tens to hundreds of ms.
    server = await startWorkerServer(2, 40);
    const attempts: Attempt[] = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      const timer = await timerLag(offsets);
      const driver = workloadToDriver(workload, { timeScale: 1 }) as TraceDriver;
      const context = makeContext(server.baseUrl);
      const start = context.now();
      await driver(context);
      // The driver resolves once the trace's last response is in (the trace's end).
      expect(context.records).toHaveLength(100);
      await context.settle();
      const lag = driver.scheduleLag();
      expect(lag.n).toBe(100);
      expect(lag.skipped).toBe(0);
      expect(lag.p50Ms!).toBeGreaterThanOrEqual(0);
      // The replay followed the trace's clock, and every response really took ≥ 40 ms.
      const scheds = context.records.map((r) => r.tSchedMs).sort((a, b) => a - b);
      expect(scheds[0]! - start).toBeLessThan(20);
      expect(scheds.at(-1)! - scheds[0]!).toBeCloseTo(offsets.at(-1)!, 6);
      // ≥ 39, not 40: the server's 40 ms timer runs on libuv's millisecond loop clock and may fire
      // up to 1 ms before 40 ms of high-resolution time have passed (seen: 39.67 ms).
      expect(context.records.filter((r) => !(r.errorCode === null && r.tDoneMs - r.tSendMs >= 39))).toEqual(
        [],
      );
      expect(context.dispatchOverheadsMs.length).toBeGreaterThan(50);
      const result: Attempt = {
        lagP50: lag.p50Ms!,
        lagP99: lag.p99Ms!,
        overheadP99: percentile(context.dispatchOverheadsMs, 0.99),
        timerP50: timer.p50Ms,
        timerP99: timer.p99Ms,
      };
      attempts.push(result);
      if (passes(result)) break;
    }
    expect(await server.received()).toBe(100 * attempts.length);
    const summary = attempts
      .map(
        (a) =>
          `lag p50 ${a.lagP50.toFixed(2)} p99 ${a.lagP99.toFixed(2)}, overhead p99 ${a.overheadP99.toFixed(3)}, ` +
          `bare timer p50 ${a.timerP50.toFixed(2)} p99 ${a.timerP99.toFixed(2)}`,
      )
      .join(' | ');
    if (process.env.BENCH_TEST_VERBOSE) process.stderr.write(`trace replay (ms): ${summary}\n`);
    expect(attempts.some(passes), `per attempt (ms): ${summary}`).toBe(true);
  });
});
