// Drivers against a virtual clock: exact, deterministic schedules (no real sleeping).
import { describe, expect, it } from 'vitest';
import {
  createClosedLoopDriver,
  createOpenLoopDriver,
  type DriverContext,
  type RequestRecord,
  type RequestSpec,
} from '../../../src/harness/index.js';
import { rec } from './records.js';

interface Sent {
  index: number;
  tSchedMs: number;
  tSendMs: number;
  tDoneMs: number;
}

/**
 * A DriverContext on virtual time. Each request takes `serviceMs`; timers are a priority queue.
 * The run stops issuing at `stopAtMs`.
 */
function virtualContext(serviceMs: number, stopAtMs: number, seed = 1) {
  let nowMs = 0;
  const stop = new AbortController();
  const timers: { at: number; seq: number; fire: () => void }[] = [];
  let seq = 0;
  const sent: Sent[] = [];
  const lateSleeps: number[] = [];
  const at = (t: number, fire: () => void): void => {
    timers.push({ at: t, seq: seq++, fire });
    timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
  };
  at(stopAtMs, () => stop.abort());
  const context: DriverContext = {
    now: () => nowMs,
    seed,
    stopSignal: stop.signal,
    sleepUntil: (t) =>
      new Promise<void>((resolve) => {
        if (t < nowMs) lateSleeps.push(nowMs - t);
        at(Math.max(t, nowMs), resolve);
      }),
    send: (spec: RequestSpec, tSchedMs: number) =>
      new Promise<RequestRecord>((resolve) => {
        const entry: Sent = { index: sent.length, tSchedMs, tSendMs: nowMs, tDoneMs: nowMs + serviceMs };
        sent.push(entry);
        void spec;
        at(entry.tDoneMs, () =>
          resolve(rec({ tSched: tSchedMs, tSend: entry.tSendMs, events: [entry.tDoneMs] })),
        );
      }),
  };
  /** Runs the driver to completion on virtual time. */
  const run = async (driver: (c: DriverContext) => Promise<void>): Promise<Sent[]> => {
    let finished = false;
    const done = driver(context).then(() => {
      finished = true;
    });
    // Let microtasks settle between timer firings.
    const settle = async (): Promise<void> => {
      for (let i = 0; i < 20; i++) await Promise.resolve();
    };
    await settle();
    while (!finished && timers.length > 0) {
      const next = timers.shift()!;
      nowMs = next.at;
      next.fire();
      await settle();
    }
    await done;
    return sent;
  };
  return { run, lateSleeps };
}

const workload = { request: (i: number): RequestSpec => ({ prompt: `p${i}`, maxTokens: 4 }) };

describe('closed-loop driver (virtual time)', () => {
  it('keeps exactly C requests in flight, each worker sending as soon as the last one finished', async () => {
    const { run } = virtualContext(10, 100);
    const sent = await run(createClosedLoopDriver({ concurrency: 3, workload }));
    // 3 workers × (t = 0, 10, …, 90) = 30 requests; none after the stop at t = 100.
    expect(sent).toHaveLength(30);
    expect(sent.every((s) => s.tSchedMs === s.tSendMs)).toBe(true);
    for (let t = 0; t < 100; t += 10) expect(sent.filter((s) => s.tSendMs === t)).toHaveLength(3);
  });

  it('ramp: worker w starts at ramp·w/C', async () => {
    const { run } = virtualContext(10, 200);
    const sent = await run(createClosedLoopDriver({ concurrency: 4, rampS: 0.1, workload }));
    const firstSends = [...new Set(sent.map((s) => s.tSendMs))].slice(0, 6);
    expect(firstSends.slice(0, 4)).toEqual([0, 10, 20, 25]);
    // In-flight count at t = 5: only worker 0; at t = 80: all four.
    const inFlight = (t: number): number => sent.filter((s) => s.tSendMs <= t && s.tDoneMs > t).length;
    expect(inFlight(5)).toBe(1);
    expect(inFlight(30)).toBe(2);
    expect(inFlight(55)).toBe(3);
    expect(inFlight(80)).toBe(4);
  });
});

describe('open-loop driver (virtual time)', () => {
  it('constant arrivals are sent exactly on their absolute deadlines', async () => {
    const { run } = virtualContext(50, 1000);
    const sent = await run(createOpenLoopDriver({ rps: 100, arrival: 'constant', workload }));
    expect(sent).toHaveLength(100); // arrivals at 10, 20, …, 1000 ms (the stop time is inclusive)
    sent.forEach((s, i) => {
      expect(s.tSchedMs).toBeCloseTo(10 * (i + 1), 9);
      expect(s.tSendMs).toBeCloseTo(s.tSchedMs, 9);
    });
  });

  it('does not wait for responses: in flight grows with service time', async () => {
    const { run } = virtualContext(100, 500);
    const sent = await run(createOpenLoopDriver({ rps: 100, arrival: 'constant', workload }));
    const inFlight = (t: number): number => sent.filter((s) => s.tSendMs <= t && s.tDoneMs > t).length;
    expect(inFlight(300)).toBe(10);
  });

  it('max concurrency: arrivals wait for a slot and keep their arrival time as t_sched', async () => {
    const { run, lateSleeps } = virtualContext(100, 1000);
    const sent = await run(
      createOpenLoopDriver({ rps: 100, arrival: 'constant', maxConcurrency: 2, workload }),
    );
    // Arrivals that fell due during a slot wait do not go through the pacer (not pacer lag).
    expect(lateSleeps).toEqual([]);
    const inFlight = (t: number): number => sent.filter((s) => s.tSendMs <= t && s.tDoneMs > t).length;
    for (let t = 0; t < 1000; t += 7) expect(inFlight(t)).toBeLessThanOrEqual(2);
    // 2 slots × 100 ms service: 20 req/s served of 100 offered; the backlog grows.
    const delays = sent.map((s) => s.tSendMs - s.tSchedMs);
    expect(delays[0]).toBe(0);
    expect(delays.at(-1)!).toBeGreaterThan(400);
    for (let i = 1; i < delays.length; i++) expect(delays[i]!).toBeGreaterThanOrEqual(delays[i - 1]!);
    // The backlog is not dropped when the window ends: every arrival due by the stop is sent.
    expect(sent).toHaveLength(100);
    expect(sent.at(-1)!.tSendMs).toBeGreaterThan(1000);
    // FIFO: t_sched stays in arrival order.
    for (let i = 1; i < sent.length; i++) expect(sent[i]!.tSchedMs).toBeGreaterThan(sent[i - 1]!.tSchedMs);
  });

  it('Poisson schedule is the seeded arrival process (same seed, same times)', async () => {
    const a = await virtualContext(5, 500, 7).run(
      createOpenLoopDriver({ rps: 50, arrival: 'poisson', workload }),
    );
    const b = await virtualContext(5, 500, 7).run(
      createOpenLoopDriver({ rps: 50, arrival: 'poisson', workload }),
    );
    const c = await virtualContext(5, 500, 8).run(
      createOpenLoopDriver({ rps: 50, arrival: 'poisson', workload }),
    );
    expect(a.map((s) => s.tSchedMs)).toEqual(b.map((s) => s.tSchedMs));
    expect(a.map((s) => s.tSchedMs)).not.toEqual(c.map((s) => s.tSchedMs));
  });
});
