// Issue 17 case 5 on a virtual clock: at c=1 with 4 s requests the gate used to wait for 30
// completed requests (two minutes; on a real GPU it always timed out). Now it converges on the
// streamed token rate within seconds, and it never waits longer than the point measures.
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/harness/clock.js';
import type { PointClient } from '../../../src/harness/run/point.js';
import {
  resolvePointConfig,
  runPointDetailed,
  type HarnessSnapshot,
  type RequestRecord,
  type RequestSpec,
} from '../../../src/harness/index.js';

const REQUEST_MS = 4000;
const TOKENS = 600; // 150 tok/s

/** One stream at a time: tokens arrive every 20 ms (3 each) or, `bursty`, all at the end. */
function streamingClient(clock: VirtualClock, bursty: boolean): PointClient {
  const stats = { sent: 0, done: 0, inFlight: 0, eventsReceived: 0, tokensReceived: 0 };
  return {
    stats,
    send: (
      _spec: RequestSpec,
      tSchedMs: number,
      signal?: AbortSignal,
      meta?: { id?: number; warmup?: boolean },
    ) =>
      new Promise<RequestRecord>((resolve) => {
        const tSendMs = clock.now();
        stats.sent++;
        stats.inFlight++;
        const times: number[] = [];
        let streamed = 0;
        const tick = bursty
          ? null
          : clock.setInterval(() => {
              if (streamed >= TOKENS) return;
              streamed += 3;
              times.push(clock.now());
              stats.tokensReceived += 3;
            }, 20);
        const done = (aborted: boolean): void => {
          if (tick !== null) clock.clearInterval(tick);
          if (bursty && !aborted) {
            stats.tokensReceived += TOKENS;
            for (let i = 0; i < TOKENS / 3; i++) times.push(tSendMs + 20 * (i + 1));
          }
          stats.inFlight--;
          stats.done++;
          resolve({
            id: meta?.id ?? 0,
            worker: 0,
            tSchedMs,
            tSendMs,
            tFirstMs: times[0] ?? null,
            tFirstOutMs: times[0] ?? null,
            tLastMs: times[times.length - 1] ?? null,
            tDoneMs: clock.now(),
            eventTimesMs: times,
            eventTokens: times.map(() => 3),
            usage: null,
            oslTokens: times.length * 3,
            oslSource: 'counted',
            inputTokens: null,
            finishReason: 'length',
            httpStatus: 200,
            errorCode: aborted ? 'aborted' : null,
            warmup: meta?.warmup ?? false,
          });
        };
        const timer = clock.setTimeout(() => done(false), REQUEST_MS);
        signal?.addEventListener(
          'abort',
          () => {
            clock.clearTimeout(timer);
            done(true);
          },
          { once: true },
        );
      }),
  };
}

async function point(bursty: boolean) {
  const clock = new VirtualClock();
  const snapshots: HarnessSnapshot[] = [];
  const done = runPointDetailed(
    resolvePointConfig({
      mode: 'closed',
      concurrency: 1,
      durationS: 5,
      warmupRequests: 1,
      gate: { window: 30, targetCov: 0.05, timeoutS: 60 },
      budgets: { eventLoopDelayP99Ms: 1e9, pacerLagP99Ms: 1e9 },
      bootstrapResamples: 0,
      drainGraceS: 10,
    }),
    {
      client: streamingClient(clock, bursty),
      workload: { request: (i: number): RequestSpec => ({ prompt: `p${i}`, maxTokens: TOKENS }) },
      clock,
      keepRecords: true,
      snapshotIntervalMs: 250,
      onSnapshot: (s) => snapshots.push(s),
    },
  );
  const r = await clock.runUntil(done, { stepMs: 10 });
  return { r, snapshots };
}

describe('the gate at c=1 with 4 s requests (virtual clock)', () => {
  it('converges on the streamed token rate: 3 s after the warm-up, not 30 requests later', async () => {
    const { r } = await point(false);
    // warm-up ends at 4000 ms; the first tick after it (4000) sets the baseline, six 500 ms
    // intervals of 150 tok/s later (7000) the window opens and runs exactly 5 s.
    expect(r.result.gate.status).toBe('converged');
    expect(r.result.gate.basis).toBe('intervals');
    expect(r.result.gate.waitedS).toBeCloseTo(3, 9);
    expect(r.result.window.startMs).toBe(7000);
    expect(r.result.window.durationS).toBe(5);
    expect(r.result.warnings.some((w) => w.startsWith('convergence gate gave up'))).toBe(false);
  });

  it('no steady signal: it gives up at the point’s duration (5 s), not at --gate-timeout (60 s)', async () => {
    const { r, snapshots } = await point(true);
    expect(r.result.gate.status).toBe('gave_up');
    expect(r.result.gate.waitedS).toBeCloseTo(5, 9);
    expect(r.result.window.startMs).toBe(9000);
    expect(r.result.warnings.find((w) => w.startsWith('convergence gate gave up'))).toMatch(
      /^convergence gate gave up after 5 s \(only \d+ of the 30 successful requests it needs had completed; token rate CoV [\d.]+, drift [\d.]+ over 6 intervals, target CoV < 0\.05\): measured anyway$/,
    );
    // the snapshot's gate carries the bound the console shows
    const gate = snapshots.find((s) => s.phase === 'gate')!.gate;
    expect(gate.maxWaitS).toBe(5);
  });
});
