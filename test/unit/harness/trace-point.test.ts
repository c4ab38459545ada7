// Issue 17 case 4: a trace replay measures the trace. On a virtual clock, a four-entry trace with
// known send times and latencies: the window opens at the first send and closes with the last
// response, every entry is measured, and the point reports its schedule lag. Before, a trace ran as
// a closed-loop point: warm-up and gate swallowed it and the window measured nothing.
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/harness/clock.js';
import { createTraceDriver } from '../../../src/harness/drivers/trace.js';
import {
  resolvePointConfig,
  runPointDetailed,
  type HarnessSnapshot,
  type Phase,
} from '../../../src/harness/index.js';
import type { TraceWorkload } from '../../../src/harness/plugins/types.js';
import { fakeClient, TOKENS } from './fake-client.js';

const AT_MS = [0, 100, 250, 400];
/** Request i takes this long (virtual ms): the last one outlives the others. */
const LATENCY_MS = [50, 50, 50, 300];

const trace: TraceWorkload = {
  kind: 'trace',
  datasetId: 'unit-trace',
  datasetHash: '0'.repeat(64),
  entries: AT_MS.map((atMs, i) => ({ atMs, request: { prompt: `t${i}`, maxTokens: TOKENS } })),
};

async function replay(options: {
  timeScale?: number;
  durationS?: number;
  warmupRequests?: number;
  originAtMs?: number;
}) {
  const clock = new VirtualClock();
  const timeScale = options.timeScale ?? 1;
  const workload = options.originAtMs === undefined ? trace : { ...trace, originAtMs: options.originAtMs };
  const driver = createTraceDriver(workload, { timeScale });
  const snapshots: HarnessSnapshot[] = [];
  const done = runPointDetailed(
    resolvePointConfig({
      mode: 'trace',
      timeScale,
      entries: AT_MS.length,
      spanS: (AT_MS.at(-1)! * timeScale) / 1000,
      warmupRequests: options.warmupRequests ?? 0,
      gate: { enabled: false },
      ...(options.durationS !== undefined ? { durationS: options.durationS } : {}),
      budgets: { eventLoopDelayP99Ms: 1e9, pacerLagP99Ms: 1e9 },
      bootstrapResamples: 20,
    }),
    {
      client: fakeClient(clock, (id) => LATENCY_MS[id] ?? 50),
      driver,
      clock,
      keepRecords: true,
      snapshotIntervalMs: 10,
      onSnapshot: (s) => snapshots.push(s),
    },
  );
  const run = await clock.runUntil(done, { stepMs: 1 });
  const phases: Phase[] = [];
  for (const s of snapshots) if (phases[phases.length - 1] !== s.phase) phases.push(s.phase);
  return { run, phases, snapshots, clock };
}

describe('trace point on a virtual clock', () => {
  it('the window covers the trace: first send to last response, every entry measured', async () => {
    const { run, phases, snapshots, clock } = await replay({});
    const r = run.result;
    expect(phases).toEqual(['measuring', 'draining', 'done']);
    expect(r.label.label).toBe('trace');
    expect(r.window.startMs).toBe(0);
    // The last entry is sent at 400 ms and answered 300 ms later.
    expect(r.window.endMs).toBe(700);
    expect(r.counts.inWindow).toBe(4);
    expect(r.counts.warmupDiscarded).toBe(0);
    expect(r.detail.counts.ok).toBe(4);
    expect(r.gate.status).toBe('disabled');
    expect(run.records.map((x) => x.tSchedMs)).toEqual(AT_MS);
    // The console's clock runs against the trace's span (0.4 s), not a --duration.
    expect(snapshots[0]?.durationS).toBe(0.4);
    expect(r.trace).toEqual({
      entries: 4,
      spanS: 0.4,
      timeScale: 1,
      offeredRps: 10,
      scheduleLag: { n: 4, p50Ms: 0, p99Ms: 0, maxMs: 0, meanMs: 0, skipped: 0 },
    });
    expect(r.warnings.filter((w) => w.startsWith('trace replay'))).toEqual([]);
    expect(clock.pendingTimers).toBe(0);
  });

  it('--time-scale 2 replays at half speed: sends at 0, 200, 500, 800 ms', async () => {
    const { run } = await replay({ timeScale: 2 });
    expect(run.records.map((x) => x.tSchedMs)).toEqual([0, 200, 500, 800]);
    expect(run.result.window.endMs).toBe(1100);
    expect(run.result.trace?.offeredRps).toBe(5);
  });

  it("a shard's share keeps the whole trace's time zero (originAtMs)", async () => {
    const { run } = await replay({ originAtMs: -100 });
    expect(run.records.map((x) => x.tSchedMs)).toEqual([100, 200, 350, 500]);
  });

  it('--duration caps the replay: later entries are not sent, and the warning says how many', async () => {
    const { run } = await replay({ durationS: 0.2 });
    const r = run.result;
    expect(r.window.endMs).toBe(200);
    expect(r.counts.inWindow).toBe(2);
    expect(r.trace?.scheduleLag.skipped).toBe(2);
    expect(r.warnings).toContain(
      'trace replay ended after 0.2 s with 2 of 4 entries not sent: the results cover only the start of the trace',
    );
  });

  it('an explicit warm-up discards the first entries; the window opens when they are answered', async () => {
    const { run } = await replay({ warmupRequests: 1 });
    const r = run.result;
    expect(r.counts.warmupDiscarded).toBe(1);
    expect(r.window.startMs).toBe(50);
    expect(r.counts.inWindow).toBe(3);
    expect(r.trace?.scheduleLag.n).toBe(4);
  });

  it('a trace point refuses to run without the trace driver, and checks its facts', () => {
    expect(() =>
      resolvePointConfig({ mode: 'trace', timeScale: 0, entries: 4, spanS: 0.4, gate: { enabled: false } }),
    ).toThrow(/time scale > 0/);
    expect(() =>
      resolvePointConfig({ mode: 'trace', timeScale: 1, entries: 0, spanS: 0.4, gate: { enabled: false } }),
    ).toThrow(/at least one entry/);
  });
});
