import { afterEach, describe, expect, it } from 'vitest';
import { CoordinatorClient, sleepUntilClock } from '../../../src/harness/shard/coordinator-client.js';
import {
  CoordinatorState,
  startCoordinator,
  type CoordinatorServer,
  type Timers,
} from '../../../src/harness/shard/coordinator.js';

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

describe('coordinator over HTTP (loopback)', () => {
  const RUN = '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';
  let server: CoordinatorServer | null = null;
  afterEach(async () => {
    await server?.close();
    server = null;
  });

  it('N clients join, agree on the start instant, estimate their offset and upload results', async () => {
    const uploads = new Map<number, string>();
    // The coordinator's clock runs 5 s ahead of the shards': the exchange must see it.
    server = await startCoordinator({
      runId: RUN,
      count: 4,
      now: () => Date.now() + 5000,
      leadMs: 50,
      onResult: (index, body) => void uploads.set(index, body.toString('utf8')),
    });
    const url = server.url;
    const clients = [0, 1, 2, 3].map(
      (index) =>
        new CoordinatorClient({ url, runId: RUN, shard: { index, count: 4 }, now: () => Date.now() }),
    );
    await Promise.all(clients.map((c) => c.join(5000)));
    const offsets = await Promise.all(clients.map((c) => c.syncClock(4)));
    for (const o of offsets) {
      expect(Math.abs(o.offsetMs - 5000)).toBeLessThanOrEqual(o.roundTripMs / 2 + 1);
      expect(o.exchanges).toBe(4);
    }
    const starts = await Promise.all(clients.map((c) => c.barrier('start')));
    expect(new Set(starts).size).toBe(1);
    // Each shard sleeps to the instant on its own clock (coordinator − offset).
    await Promise.all(
      offsets.map((o) => sleepUntilClock((starts[0] as number) - o.offsetMs, () => Date.now())),
    );
    await Promise.all(clients.map((c, i) => c.upload(`{"shard":${i}}`)));
    expect([...uploads.keys()].sort()).toEqual([0, 1, 2, 3]);
    const status = (await (await fetch(`${url}/v1/status`)).json()) as {
      results: unknown[];
      joined: number[];
    };
    expect(status.joined).toEqual([0, 1, 2, 3]);
    expect(status.results).toHaveLength(4);
    expect(server.state.complete).toBe(true);
  });

  it('answers errors as JSON with a stable code, and a failing shard releases the others with an error', async () => {
    server = await startCoordinator({ runId: RUN, count: 2 });
    const url = server.url;
    const wrong = new CoordinatorClient({ url, runId: 'other', shard: { index: 0, count: 2 } });
    await expect(wrong.join(1000)).rejects.toMatchObject({ code: 'E_COORD_RUN' });
    const a = new CoordinatorClient({ url, runId: RUN, shard: { index: 0, count: 2 } });
    const b = new CoordinatorClient({ url, runId: RUN, shard: { index: 1, count: 2 } });
    await a.join();
    await b.join();
    const waiting = a.barrier('start');
    await b.fail('engine unreachable');
    await expect(waiting).rejects.toMatchObject({ code: 'E_COORD_SHARD_FAILED' });
    const bad = await fetch(`${url}/v1/join`, { method: 'POST', body: 'not json' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('E_COORD_BAD_REQUEST');
    const big = await fetch(`${url}/v1/join`, { method: 'POST', body: 'x'.repeat(100_000) });
    expect(big.status).toBe(413);
    expect((await fetch(`${url}/nope`)).status).toBe(404);
  });

  it('a client retries while the coordinator is not up yet, then gives up with a clear error', async () => {
    const probe = await startCoordinator({ runId: RUN, count: 1 });
    const url = probe.url;
    await probe.close(); // the port is now closed
    const client = new CoordinatorClient({ url, runId: RUN, shard: { index: 0, count: 1 } });
    await expect(client.join(300)).rejects.toMatchObject({
      code: 'E_COORD_UNREACHABLE',
      message: /unreachable/,
    });
    expect(
      () => new CoordinatorClient({ url: 'ftp://x', runId: RUN, shard: { index: 0, count: 1 } }),
    ).toThrow(/must be http/);
  });
});
