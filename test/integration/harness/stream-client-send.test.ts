// t_send is "request written" (DESIGN §4): stamped when undici writes the request to its socket,
// not when send() hands it to the pool. With one connection, a second request waits in undici's
// queue until the first response is over; its t_send must be after that wait, not before it.
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkerPoolClient } from '../../../src/harness/client/worker-pool.js';
import { createStreamClient, type StreamClient } from '../../../src/harness/client/stream-client.js';
import type { RequestRecord, RequestSpec } from '../../../src/harness/types.js';
import { scenario, startTestServer, type TestServer } from './sse-server.js';

const spec: RequestSpec = { messages: [{ role: 'user', content: 'hello' }], maxTokens: 16 };

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});

afterAll(async () => {
  await server.close();
});

const options = (): Parameters<typeof createStreamClient>[0] => ({
  baseUrl: server.baseUrl,
  endpointType: 'chat',
  model: 'test-model',
  connections: 1,
});

async function queuedPair(client: StreamClient): Promise<[RequestRecord, RequestRecord]> {
  // Both handed over at once; the second can only be written once the first response ended.
  const t0 = performance.now();
  const first = client.send(spec, t0, undefined, { headers: scenario('ok', { tokens: 4, delayMs: 5 }) });
  const second = client.send(spec, t0, undefined, { headers: scenario('ok', { tokens: 2 }) });
  return [await first, await second];
}

function expectWrittenAfterQueue(first: RequestRecord, second: RequestRecord): void {
  expect(first.errorCode, first.errorDetail).toBeNull();
  expect(second.errorCode, second.errorDetail).toBeNull();
  // The first response's last token arrived before the second request could go out.
  expect(second.tSendMs).toBeGreaterThan(first.tLastMs as number);
  expect(second.tSendMs).toBeGreaterThanOrEqual(second.tSchedMs);
  expect(second.tFirstMs as number).toBeGreaterThan(second.tSendMs);
}

describe('t_send = request written', () => {
  it('a request queued for a busy connection is stamped when it is written, not when it was handed over', async () => {
    const client = createStreamClient(options());
    try {
      const [first, second] = await queuedPair(client);
      expectWrittenAfterQueue(first, second);
      // The first one went out at once: its t_send is after its hand-over and before its first token.
      expect(first.tSendMs).toBeGreaterThanOrEqual(first.tSchedMs);
      expect(first.tFirstMs as number).toBeGreaterThan(first.tSendMs);
    } finally {
      await client.close();
    }
  });

  it('the worker pool stamps the same way (records on the main thread clock)', async () => {
    const client = createWorkerPoolClient({ ...options(), workers: 1 });
    try {
      await client.ready;
      const [first, second] = await queuedPair(client);
      expectWrittenAfterQueue(first, second);
    } finally {
      await client.close();
    }
  });

  it('a request that is never written keeps its hand-over time', async () => {
    const client = createStreamClient({ ...options(), baseUrl: 'http://127.0.0.1:9/v1' });
    try {
      const t0 = performance.now();
      const record = await client.send(spec, t0);
      expect(record.errorCode).toBe('connect_error');
      expect(record.tSendMs).toBeGreaterThanOrEqual(t0);
      expect(record.tSendMs).toBeLessThanOrEqual(record.tDoneMs);
    } finally {
      await client.close();
    }
  });
});
