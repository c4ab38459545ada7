// The stream client against hostile loopback servers: over-long and endless SSE lines, streams
// compressed although we asked for identity, and broken compression.
import { once } from 'node:events';
import { brotliCompressSync, createGzip, deflateSync, gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { createStreamClient } from '../../../src/harness/client/stream-client.js';
import type { RequestSpec } from '../../../src/harness/types.js';
import { chatStream, startHostileServer, type HostileServer } from '../../helpers/hostile-server.js';

const spec: RequestSpec = { messages: [{ role: 'user', content: 'hi' }], maxTokens: 8 };
let server: HostileServer | null = null;

afterEach(async () => {
  await server?.close();
  server = null;
});

function client(maxEventBytes?: number): ReturnType<typeof createStreamClient> {
  return createStreamClient({
    baseUrl: server!.baseUrl,
    endpointType: 'chat',
    model: 'm',
    connections: 2,
    requestTimeoutMs: 20_000,
    ...(maxEventBytes !== undefined ? { maxEventBytes } : {}),
  });
}

const sse = { 'content-type': 'text/event-stream' };

describe('stream client vs hostile servers', () => {
  it('a 2 MiB event fails the request with event_too_large (default 1 MiB cap)', async () => {
    server = await startHostileServer(async (_req, res) => {
      res.writeHead(200, sse);
      res.write(`data: {"choices":[{"delta":{"content":"`);
      const piece = 'x'.repeat(64 * 1024);
      for (let i = 0; i < 32 && !res.destroyed; i++) res.write(piece);
      res.end('"}}]}\n\ndata: [DONE]\n\n');
    });
    const c = client();
    const record = await c.send(spec, 0);
    await c.close();
    expect(record.errorCode).toBe('event_too_large');
    expect(record.errorDetail).toMatch(/exceeded 1048576 characters/);
  });

  it('a line that never ends: the request fails once the cap is passed and the server is cut off', async () => {
    let written = 0;
    let closed = false;
    server = await startHostileServer(async (_req, res) => {
      res.writeHead(200, sse);
      const gone = new Promise((resolve) => res.once('close', resolve)).then(() => (closed = true));
      const piece = 'y'.repeat(16 * 1024);
      // Endless: keep writing while the client reads, for as long as the socket is open.
      while (!res.destroyed && written < 512 * 1024 * 1024) {
        written += piece.length;
        if (!res.write(piece)) await Promise.race([once(res, 'drain'), gone]);
      }
    });
    const c = client(64 * 1024);
    const record = await c.send(spec, 0);
    await c.close();
    expect(record.errorCode).toBe('event_too_large');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(closed).toBe(true);
    // Bounded: the client stopped reading near the cap (plus socket buffers), not at 512 MiB.
    expect(written).toBeLessThan(32 * 1024 * 1024);
  });

  it('asks for identity encoding and decodes gzip, deflate and br when a server compresses anyway', async () => {
    const plain = chatStream(6);
    const encoders: Record<string, (b: Buffer) => Buffer> = {
      gzip: (b) => gzipSync(b),
      deflate: (b) => deflateSync(b),
      br: (b) => brotliCompressSync(b),
    };
    for (const [encoding, encode] of Object.entries(encoders)) {
      server = await startHostileServer((_req, res) => {
        res.writeHead(200, { ...sse, 'content-encoding': encoding });
        res.end(encode(Buffer.from(plain)));
      });
      const c = client();
      const record = await c.send(spec, 0);
      await c.close();
      expect(server.requests[0]?.['accept-encoding']).toBe('identity');
      expect(record.errorCode, `${encoding}: ${record.errorDetail ?? ''}`).toBeNull();
      expect(record.oslTokens).toBe(6);
      expect(record.eventTimesMs).toHaveLength(6);
      await server.close();
      server = null;
    }
  });

  it('a gzip stream written in pieces over time keeps every event', async () => {
    server = await startHostileServer(async (_req, res) => {
      res.writeHead(200, { ...sse, 'content-encoding': 'gzip' });
      const gzip = createGzip();
      gzip.pipe(res);
      for (const line of chatStream(20).split('\n\n')) {
        if (line === '') continue;
        gzip.write(`${line}\n\n`);
        await new Promise((resolve) => gzip.flush(() => resolve(undefined)));
      }
      gzip.end();
    });
    const c = client();
    const record = await c.send(spec, 0);
    await c.close();
    expect(record.errorCode, record.errorDetail).toBeNull();
    expect(record.oslTokens).toBe(20);
  });

  it('a body that claims gzip but is not fails cleanly as malformed_event', async () => {
    server = await startHostileServer((_req, res) => {
      res.writeHead(200, { ...sse, 'content-encoding': 'gzip' });
      res.end(chatStream(3));
    });
    const c = client();
    const record = await c.send(spec, 0);
    await c.close();
    expect(record.errorCode).toBe('malformed_event');
    expect(record.errorDetail).toMatch(/cannot decode gzip/);
  });

  it('error details (they go to the journal) never hold the endpoint address, credentials or key', async () => {
    const c = createStreamClient({
      baseUrl: 'http://scott:tiger@127.0.0.1:1/v1',
      endpointType: 'chat',
      model: 'm',
      connections: 1,
      apiKey: 'sk-planted-secret',
    });
    const record = await c.send(spec, 0);
    await c.close();
    expect(record.errorCode).toBe('connect_error');
    expect(record.errorDetail ?? '').not.toMatch(/127\.0\.0\.1|scott|tiger|sk-planted/);
    server = await startHostileServer((req, res) => {
      res.writeHead(401, { 'content-type': 'text/plain' });
      res.end(`bad key ${String(req.headers.authorization)} from ${String(req.headers.host)}`);
    });
    const echo = createStreamClient({
      baseUrl: server.baseUrl,
      endpointType: 'chat',
      model: 'm',
      connections: 1,
      apiKey: 'sk-planted-secret',
    });
    const echoed = await echo.send(spec, 0);
    await echo.close();
    expect(echoed.errorCode).toBe('http_401');
    expect(echoed.errorDetail).toMatch(/^bad key Bearer \[redacted\] from \[redacted\]$/);
  });
});
