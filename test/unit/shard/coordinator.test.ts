import { describe, expect, it } from 'vitest';
import { CoordinatorState, type Timers } from '../../../src/harness/shard/coordinator.js';

/** Manual timers: fire() runs what is due at the fake clock. */
function fakeTimers() {
  let t = 1_000_000;
  const pending = new Map<number, { at: number; fn: () => void }>();
  let next = 1;
  const timers: Timers = {
    setTimeout: (fn, ms) => {
      const id = next++;
      pending.set(id, { at: t + ms, fn });
      return id;
    },
    clearTimeout: (id) => void pending.delete(id as number),
  };
  return {
    timers,
    now: () => t,
    advance(ms: number) {
      t += ms;
      for (const [id, p] of [...pending]) {
        if (p.at <= t) {
          pending.delete(id);
          p.fn();
        }
      }
    },
  };
}

describe('CoordinatorState', () => {
  const RUN = '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';

  it('releases a barrier only when every shard has arrived, at one instant lead ms after the last', async () => {
    const clock = fakeTimers();
    const state = new CoordinatorState({
      runId: RUN,
      count: 3,
      now: clock.now,
      timers: clock.timers,
      leadMs: 200,
    });
    for (const index of [2, 0, 1]) state.join({ runId: RUN, index, count: 3 });
    let released = 0;
    const a = state.arrive('start', 0).then((r) => (released++, r));
    const b = state.arrive('start', 2).then((r) => (released++, r));
    await Promise.resolve();
    expect(released).toBe(0);
    clock.advance(50);
    const c = state.arrive('start', 1);
    const all = await Promise.all([a, b, c]);
    expect(new Set(all.map((r) => r.atMs))).toEqual(new Set([1_000_050 + 200]));
    // A retried arrival gets the same instant; a new barrier starts empty.
    await expect(state.arrive('start', 1)).resolves.toEqual(all[0]);
    expect(state.status().barriers.start).toEqual({ arrived: 3, releasedAtMs: 1_000_250, failed: null });
  });

  it('fails a barrier that a shard never reaches, naming the missing shards', async () => {
    const clock = fakeTimers();
    const state = new CoordinatorState({
      runId: RUN,
      count: 3,
      now: clock.now,
      timers: clock.timers,
      barrierTimeoutMs: 1000,
    });
    for (const index of [0, 1, 2]) state.join({ runId: RUN, index, count: 3 });
    const waiting = state.arrive('start', 1);
    clock.advance(1000);
    await expect(waiting).rejects.toThrow(/shards 0, 2 did not arrive within 1000 ms/);
    await expect(state.arrive('start', 0)).rejects.toThrow(/did not arrive/);
  });

  it('a failed shard fails every pending and later barrier at once', async () => {
    const clock = fakeTimers();
    const state = new CoordinatorState({ runId: RUN, count: 2, now: clock.now, timers: clock.timers });
    state.join({ runId: RUN, index: 0, count: 2 });
    state.join({ runId: RUN, index: 1, count: 2 });
    const waiting = state.arrive('end', 0);
    state.fail(1, 'killed');
    await expect(waiting).rejects.toMatchObject({
      code: 'E_COORD_SHARD_FAILED',
      message: /shard 1 failed: killed/,
    });
    await expect(state.arrive('other', 0)).rejects.toThrow(/shard 1 failed/);
    expect(() => state.join({ runId: RUN, index: 1, count: 2 })).toThrow(/marked failed/);
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['another run', { runId: 'x', index: 0, count: 2 }, /serves run/],
    ['another count', { runId: RUN, index: 0, count: 3 }, /has 2 shards/],
    ['an index out of range', { runId: RUN, index: 2, count: 2 }, /0\.\.1/],
    ['a fractional index', { runId: RUN, index: 0.5, count: 2 }, /0\.\.1/],
  ])('refuses a join from %s', (_name, input, message) => {
    const state = new CoordinatorState({ runId: RUN, count: 2, timers: fakeTimers().timers });
    expect(() => state.join(input as { runId: unknown; index: unknown; count: unknown })).toThrow(message);
  });

  it('refuses a re-join after the run started, arrivals before joining and bad barrier names', async () => {
    const clock = fakeTimers();
    const state = new CoordinatorState({ runId: RUN, count: 1, now: clock.now, timers: clock.timers });
    expect(() => state.arrive('start', 0)).toThrow(/has not joined/);
    state.join({ runId: RUN, index: 0, count: 1 });
    state.join({ runId: RUN, index: 0, count: 1 }); // a retried pod before the start: fine
    expect(() => state.arrive('../x', 0)).toThrow(/bad barrier name/);
    await state.arrive('start', 0);
    expect(() => state.join({ runId: RUN, index: 0, count: 1 })).toThrow(
      /joined again after the run started/,
    );
  });

  it('records results by hash and refuses a different second upload', () => {
    const state = new CoordinatorState({ runId: RUN, count: 2, timers: fakeTimers().timers });
    state.join({ runId: RUN, index: 0, count: 2 });
    const r = state.addResult(0, Buffer.from('a'));
    expect(r.sha256).toMatch(/^ca978112/);
    expect(state.addResult(0, Buffer.from('a'))).toEqual(r);
    expect(() => state.addResult(0, Buffer.from('b'))).toThrow(/already uploaded a different result/);
    expect(state.complete).toBe(false);
  });
});
