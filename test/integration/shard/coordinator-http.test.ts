// The coordinator behind its HTTP API on loopback, with the shard-side client.
import { afterEach, describe, expect, it } from 'vitest';
import { CoordinatorClient, sleepUntilClock } from '../../../src/harness/shard/coordinator-client.js';
import { startCoordinator, type CoordinatorServer } from '../../../src/harness/shard/coordinator.js';
import { ShardSession } from '../../../src/harness/shard/session.js';

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

  it('ShardSession: shards resume from a barrier at one wall-clock instant, on their own monotonic clocks', async () => {
    // The coordinator's clock is 2 s behind the shards': instants must still line up.
    server = await startCoordinator({
      runId: RUN,
      count: 3,
      now: () => performance.timeOrigin + performance.now() - 2000,
      leadMs: 100,
    });
    const url = server.url;
    const sessions = await Promise.all(
      [0, 1, 2].map((index) =>
        ShardSession.open({ url, runId: RUN, shard: { index, count: 3 }, exchanges: 3 }),
      ),
    );
    for (const s of sessions)
      expect(Math.abs(s.start.offsetMs + 2000)).toBeLessThanOrEqual(s.start.roundTripMs / 2 + 1);
    const instants = await Promise.all(sessions.map((s) => s.gate('start')));
    // Same process here, so the monotonic instants are directly comparable.
    expect(Math.max(...instants) - Math.min(...instants)).toBeLessThan(5);
    const woke = performance.now();
    expect(woke).toBeGreaterThanOrEqual(Math.max(...instants) - 1);
    const ends = await Promise.all(sessions.map((s) => s.barrier('end')));
    for (const s of sessions) {
      const clock = await s.finish();
      expect(clock.end).not.toBeNull();
      expect(Number.isFinite(clock.skewPpm)).toBe(true);
      // A monotonic reading maps to the coordinator's clock (2 s behind) within the exchange error.
      expect(
        Math.abs(s.toCommonMs(performance.now()) - (performance.timeOrigin + performance.now() - 2000)),
      ).toBeLessThan(5);
    }
    expect(Math.max(...ends) - Math.min(...ends)).toBeLessThan(5);
  });
});
