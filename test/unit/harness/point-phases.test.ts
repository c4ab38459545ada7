// The point runner's phases on a virtual clock: no sockets, no wall time. A fake client answers
// every request through the clock (its latency is virtual), so each phase boundary and deadline is
// an exact number of milliseconds.
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/harness/clock.js';
import { fakeClient, TOKENS, type LatencyOf } from './fake-client.js';
import {
  resolvePointConfig,
  runPointDetailed,
  type HarnessSnapshot,
  type Phase,
  type PointConfigInput,
  type RequestSpec,
} from '../../../src/harness/index.js';

const workload = { request: (i: number): RequestSpec => ({ prompt: `p${i}`, maxTokens: TOKENS }) };

async function run(
  input: PointConfigInput,
  latencyOf: LatencyOf,
  setup: (clock: VirtualClock) => void = () => undefined,
): Promise<{
  clock: VirtualClock;
  phases: Phase[];
  snapshots: HarnessSnapshot[];
  run: Awaited<ReturnType<typeof runPointDetailed>>;
}> {
  const clock = new VirtualClock();
  setup(clock);
  const snapshots: HarnessSnapshot[] = [];
  const done = runPointDetailed(
    // Generous audit budgets: the real event loop of a busy test machine is not under test here.
    resolvePointConfig({
      budgets: { eventLoopDelayP99Ms: 1e9, pacerLagP99Ms: 1e9 },
      bootstrapResamples: 20,
      ...input,
    }),
    {
      client: fakeClient(clock, latencyOf),
      workload,
      clock,
      keepRecords: true,
      snapshotIntervalMs: 10,
      onSnapshot: (s) => snapshots.push(s),
    },
  );
  const result = await clock.runUntil(done, { stepMs: 5 });
  const phases: Phase[] = [];
  for (const s of snapshots) if (phases[phases.length - 1] !== s.phase) phases.push(s.phase);
  return { clock, phases, snapshots, run: result };
}

describe('point phases on a virtual clock', () => {
  it('warm-up → gate → measuring → draining → done, with exact boundaries', async () => {
    // c = 1, every request 10 ms: warm-ups end at 30 ms; the gate (window 5, steady rate) opens
    // on the 5th sample at 80 ms; the window lasts exactly 1 s from there.
    const {
      clock,
      phases,
      run: r,
    } = await run(
      {
        mode: 'closed',
        concurrency: 1,
        durationS: 1,
        warmupRequests: 3,
        gate: { window: 5, targetCov: 0.05 },
      },
      () => 10,
    );
    expect(phases).toEqual(['warmup', 'gate', 'measuring', 'draining', 'done']);
    expect(r.result.gate.status).toBe('converged');
    expect(r.result.gate.waitedS).toBeCloseTo(0.05, 9);
    expect(r.result.window.startMs).toBe(80);
    expect(r.result.window.endMs).toBe(1080);
    expect(r.result.window.durationS).toBe(1);
    expect(r.result.counts.warmupDiscarded).toBe(3);
    // Sent at 80, 90, …, 1070: the deadline timer (armed first) fires before the request that
    // finishes at 1080, so nothing more is issued.
    expect(r.result.counts.inWindow).toBe(100);
    expect(r.result.counts.inWindow + r.result.counts.outsideWindow + r.result.counts.warmupDiscarded).toBe(
      r.result.counts.sent,
    );
    expect(r.result.warnings.some((w) => w.startsWith('convergence gate gave up'))).toBe(false);
    expect(clock.pendingTimers).toBe(0);
  });

  it('issue 15: a server that never answers the warm-up stops the point at the warm-up deadline', async () => {
    // Every request takes an hour (virtual): the warm-up deadline (60 s) ends the point, not the
    // 600 s request timeout.
    const { clock, run: r } = await run(
      { mode: 'closed', concurrency: 2, durationS: 10, warmupRequests: 3, drainGraceS: 1 },
      () => 3_600_000,
    );
    expect(r.result.incomplete).toBe(true);
    expect(r.result.warnings).toContainEqual(
      expect.stringMatching(
        /^no warm-up request finished within 60 s \(0 of 3\): the server is not responding/,
      ),
    );
    expect(clock.now()).toBeLessThan(62_000);
  });

  it('the gate gives up at its timeout and measures anyway, flagged', async () => {
    // Alternating 10/40 ms: the decode rate never settles, so the gate waits its full 0.2 s.
    const { run: r } = await run(
      {
        mode: 'closed',
        concurrency: 1,
        durationS: 0.5,
        warmupRequests: 2,
        gate: { window: 4, timeoutS: 0.2 },
      },
      (id) => (id % 2 === 0 ? 10 : 40),
    );
    // Warm-ups: 0–10, 10–50 → the gate starts at 50 and gives up at 250.
    expect(r.result.gate.status).toBe('gave_up');
    expect(r.result.window.startMs).toBe(250);
    expect(r.result.gate.waitedS).toBeCloseTo(0.2, 9);
    expect(r.result.window.endMs).toBe(750);
    expect(r.result.warnings).toContainEqual(
      expect.stringMatching(
        /^convergence gate gave up after 0\.2 s \(CoV [\d.]+ over the last 4 requests, target CoV < 0\.05\): measured anyway$/,
      ),
    );
  });

  it('ramp: workers start spread over the ramp, and the window opens when it ends', async () => {
    const { run: r } = await run(
      {
        mode: 'closed',
        concurrency: 4,
        durationS: 0.3,
        warmupRequests: 0,
        gate: { enabled: false },
        rampS: 0.4,
      },
      () => 50,
    );
    // Worker w starts at 400·w/4 ms: before 100 ms only worker 0 sends (every 50 ms).
    const sendsBefore = (ms: number): number[] =>
      r.records
        .filter((rec) => rec.tSendMs < ms)
        .map((rec) => rec.tSendMs)
        .sort((a, b) => a - b);
    expect(sendsBefore(100)).toEqual([0, 50]);
    expect(sendsBefore(200)).toEqual([0, 50, 100, 100, 150, 150]);
    expect(sendsBefore(300).filter((t) => t >= 200)).toEqual([200, 200, 200, 250, 250, 250]);
    expect(r.result.window.startMs).toBe(400);
    expect(r.result.window.endMs).toBe(700);
  });

  it('drain grace: requests still running when it ends are aborted, counted and reported', async () => {
    // Requests sent at or after 200 ms take 10 s; the window ends at 500, the grace of 0.3 s at 800.
    const { run: r } = await run(
      {
        mode: 'closed',
        concurrency: 3,
        durationS: 0.5,
        warmupRequests: 0,
        gate: { enabled: false },
        drainGraceS: 0.3,
      },
      (id) => (id < 60 ? 10 : 10_000),
    );
    const aborted = r.records.filter((rec) => rec.errorCode === 'aborted');
    expect(aborted.length).toBe(3);
    expect(aborted.every((rec) => rec.tDoneMs === 800)).toBe(true);
    expect(r.result.counts.errorsByCode).toEqual({ aborted: 3 });
    expect(r.result.warnings).toContain('drain grace of 0.3 s ran out: 3 in-flight request(s) aborted');
    expect(r.result.window.endMs).toBe(500);
  });

  it('a drain that finishes inside the grace aborts nothing', async () => {
    const { run: r } = await run(
      {
        mode: 'closed',
        concurrency: 2,
        durationS: 0.2,
        warmupRequests: 0,
        gate: { enabled: false },
        drainGraceS: 1,
      },
      () => 30,
    );
    expect(r.records.some((rec) => rec.errorCode !== null)).toBe(false);
    expect(r.result.warnings.some((w) => w.startsWith('drain grace'))).toBe(false);
  });

  it('the window ends at its planned deadline however late the timer fired', async () => {
    // Every timer fires 75 ms late (a busy event loop): the window still spans exactly 1 s.
    // Requests take 10 + 75 ms, so one is sent at 1020, after the deadline and before the wake-up.
    const { run: r } = await run(
      { mode: 'closed', concurrency: 1, durationS: 1, warmupRequests: 0, gate: { enabled: false } },
      () => 10,
      (clock) => {
        clock.timerLatenessMs = 75;
      },
    );
    expect(r.result.window.startMs).toBe(0);
    expect(r.result.window.endMs).toBe(1000);
    expect(r.result.window.durationS).toBe(1);
    expect(r.records.map((rec) => rec.tSchedMs).filter((t) => t > 1000)).toEqual([1020]);
    expect(r.result.counts.outsideWindow).toBe(1);
  });

  it('a user stop ends the window at once and marks the point incomplete', async () => {
    const clock = new VirtualClock();
    const stop = new AbortController();
    clock.setTimeout(() => stop.abort(), 333);
    const done = runPointDetailed(
      resolvePointConfig({
        mode: 'open',
        rps: 50,
        arrival: 'constant',
        durationS: 10,
        warmupRequests: 0,
        gate: { enabled: false },
      }),
      { client: fakeClient(clock, () => 10), workload, clock, stopSignal: stop.signal },
    );
    const r = await clock.runUntil(done, { stepMs: 5 });
    expect(r.result.incomplete).toBe(true);
    expect(r.result.window.endMs).toBe(333);
    expect(r.result.warnings).toContain('point stopped early by the user: results are incomplete');
  });
});
