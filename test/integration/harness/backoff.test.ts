// A 429 storm: four closed-loop slots against a server that answers every request with 429.
// Each slot waits (Retry-After, capped; else exponential from 50 ms), so the request rate stays
// bounded — the old driver sent thousands of requests a second. Real HTTP on loopback.
import { afterEach, describe, expect, it } from 'vitest';
import { createStreamClient } from '../../../src/harness/client/stream-client.js';
import { backoffMs, createClosedLoopDriver } from '../../../src/harness/drivers/closed.js';
import type { DriverContext } from '../../../src/harness/drivers/types.js';
import type { RequestRecord } from '../../../src/harness/types.js';
import { startHostileServer, type HostileServer } from '../../helpers/hostile-server.js';

let server: HostileServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

async function storm(
  retryAfter: string | null,
  runMs: number,
): Promise<{ requests: number; waits: number[] }> {
  server = await startHostileServer((_req, res) => {
    res.writeHead(429, {
      'content-type': 'application/json',
      ...(retryAfter ? { 'retry-after': retryAfter } : {}),
    });
    res.end('{"error":"slow down"}');
  });
  const client = createStreamClient({
    baseUrl: server.baseUrl,
    endpointType: 'chat',
    model: 'm',
    connections: 4,
  });
  const stop = new AbortController();
  const waits: number[] = [];
  const context: DriverContext = {
    now: () => performance.now(),
    send: (spec, t) => client.send(spec, t),
    stopSignal: stop.signal,
    seed: 1,
    sleepUntil: (atMs) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, atMs - performance.now()));
        stop.signal.addEventListener('abort', () => {
          clearTimeout(timer);
          resolve();
        });
      }),
    onBackoff: (ms) => waits.push(ms),
  };
  const driver = createClosedLoopDriver({
    concurrency: 4,
    workload: { request: () => ({ messages: [{ role: 'user', content: 'x' }], maxTokens: 4 }) },
  });
  const done = driver(context);
  await new Promise((resolve) => setTimeout(resolve, runMs));
  stop.abort();
  await done;
  await client.close();
  return { requests: server.requests.length, waits };
}

describe('closed loop under a 429 storm', () => {
  it('Retry-After: 5 → each of 4 slots sends once, then waits 5 s', async () => {
    const { requests, waits } = await storm('5', 1500);
    expect(requests).toBe(4);
    expect(waits).toEqual([5000, 5000, 5000, 5000]);
  });

  it('no Retry-After → exponential backoff from 50 ms: a handful of requests per slot, not thousands', async () => {
    const { requests, waits } = await storm(null, 1500);
    expect(requests).toBeGreaterThanOrEqual(8);
    expect(requests).toBeLessThanOrEqual(4 * 8);
    expect(waits.slice(0, 4)).toEqual([50, 50, 50, 50]);
  });

  it('Retry-After is capped at 10 s; an HTTP date counts from now', () => {
    const rec = (retryAfterMs?: number): RequestRecord =>
      ({
        errorCode: 'http_429',
        httpStatus: 429,
        ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      }) as unknown as RequestRecord;
    expect(backoffMs(rec(3_600_000), 1)).toBe(10_000);
    expect(backoffMs(rec(), 1)).toBe(50);
    expect(backoffMs(rec(), 4)).toBe(400);
    expect(backoffMs(rec(), 30)).toBe(5_000);
  });
});
