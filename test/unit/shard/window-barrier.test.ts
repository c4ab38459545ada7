// The point runner's window barrier (bench run --shard) on a virtual clock: the window opens at the
// instant the barrier agreed, not when this shard became ready, and a failed barrier ends the point.
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/harness/clock.js';
import { resolvePointConfig, runPointDetailed, type RequestSpec } from '../../../src/harness/index.js';
import { fakeClient } from '../harness/fake-client.js';

/** Every request takes 10 ms of virtual time and carries 5 tokens. */
const workload = { request: (i: number): RequestSpec => ({ prompt: `p${i}`, maxTokens: 5 }) };

async function run(windowBarrier: (clock: VirtualClock) => () => Promise<number>) {
  const clock = new VirtualClock();
  const done = runPointDetailed(
    resolvePointConfig({
      mode: 'closed',
      concurrency: 1,
      durationS: 1,
      warmupRequests: 3,
      gate: { enabled: false, targetCov: 0.05, window: 5, timeoutS: 60 },
      budgets: { eventLoopDelayP99Ms: 1e9, pacerLagP99Ms: 1e9 },
      bootstrapResamples: 0,
    }),
    {
      client: fakeClient(clock, () => 10),
      workload,
      clock,
      keepRecords: true,
      windowBarrier: windowBarrier(clock),
    },
  );
  return { clock, run: await clock.runUntil(done, { stepMs: 5 }) };
}

describe('window barrier', () => {
  it('opens the window at the agreed instant (later than this shard was ready) and keeps the duration', async () => {
    let askedAtMs = -1;
    const { run: r } = await run((clock) => () => {
      askedAtMs = clock.now();
      // The slowest shard is ready 237 ms later; the coordinator adds no lead here.
      return new Promise((resolve) => clock.setTimeout(() => resolve(askedAtMs + 237), 120));
    });
    // Ready after 3 warm-up requests of 10 ms.
    expect(askedAtMs).toBe(30);
    expect(r.result.window.startMs).toBe(askedAtMs + 237);
    expect(r.result.window.durationS).toBe(1);
    expect(r.result.incomplete).toBe(false);
    // Requests kept flowing while waiting; only those scheduled inside the window count.
    expect(r.result.counts.outsideWindow).toBeGreaterThan(10);
    expect(r.result.detail.counts.measured).toBe(100);
  });

  it('a failed barrier (a peer died) ends the point as incomplete, with the reason', async () => {
    const { run: r } = await run(
      (clock) => () =>
        new Promise((_, reject) => clock.setTimeout(() => reject(new Error('shard 2 failed: killed')), 50)),
    );
    expect(r.result.incomplete).toBe(true);
    expect(r.result.warnings).toContain('shard window barrier failed: shard 2 failed: killed');
    expect(r.result.detail.counts.measured).toBe(0);
  });
});
