import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStreamClient, type StreamClient } from '../../../src/harness/client/stream-client.js';
import type { ErrorCode, RequestRecord, RequestSpec } from '../../../src/harness/types.js';
import { scenario, startTestServer, type TestServer } from './sse-server.js';

const spec: RequestSpec = { messages: [{ role: 'user', content: 'hello' }], maxTokens: 16 };

let server: TestServer;
let chat: StreamClient;
let completions: StreamClient;

beforeAll(async () => {
  server = await startTestServer();
  chat = createStreamClient({
    baseUrl: server.baseUrl,
    endpointType: 'chat',
    model: 'test-model',
    apiKey: 'sk-secret-123',
    connections: 8,
    idleTimeoutMs: 300,
    requestTimeoutMs: 5_000,
  });
  completions = createStreamClient({
    baseUrl: server.baseUrl,
    endpointType: 'completions',
    model: 'test-model',
    connections: 2,
  });
});

afterAll(async () => {
  await chat.close();
  await completions.close();
  await server.close();
});

const run = (
  name: string,
  params: { tokens?: number; delayMs?: number } = {},
  client = chat,
): Promise<RequestRecord> =>
  client.send(spec, performance.now(), undefined, { headers: scenario(name, params) });

function expectOk(record: RequestRecord): void {
  expect(record.errorCode, record.errorDetail).toBeNull();
  expect(record.httpStatus).toBe(200);
}

describe('stream client: stream shapes', () => {
  it('ok chat stream: role chunk is not a token, usage gives osl, [DONE] ends it', async () => {
    const record = await run('ok', { tokens: 6, delayMs: 2 });
    expectOk(record);
    expect(record.eventTimesMs).toHaveLength(6);
    expect(record.eventTokens).toEqual([1, 1, 1, 1, 1, 1]);
    expect(record.oslTokens).toBe(6);
    expect(record.oslSource).toBe('usage');
    expect(record.usage).toEqual({ promptTokens: 7, completionTokens: 6, reasoningTokens: null });
    expect(record.inputTokens).toBe(7);
    expect(record.finishReason).toBe('length');
    expect(record.tFirstMs).toBe(record.eventTimesMs[0]);
    expect(record.tLastMs).toBe(record.eventTimesMs[5]);
    expect(record.tFirstOutMs).toBe(record.tFirstMs);
    expect(record.tSendMs).toBeGreaterThanOrEqual(record.tSchedMs);
    expect(record.tFirstMs!).toBeGreaterThan(record.tSendMs);
    expect(record.tDoneMs).toBeGreaterThanOrEqual(record.tLastMs!);
    // Events are 2 ms apart on the server: stamps are non-decreasing.
    for (let i = 1; i < record.eventTimesMs.length; i++) {
      expect(record.eventTimesMs[i]!).toBeGreaterThanOrEqual(record.eventTimesMs[i - 1]!);
    }
  });

  it('sends the request body the OpenAI way (stream + include_usage) and the bearer key', async () => {
    const before = server.requests.length;
    await chat.send({ ...spec, extraBody: { ignore_eos: true } }, performance.now(), undefined, {
      headers: scenario('ok', { tokens: 1 }),
    });
    const request = server.requests[before]!;
    expect(request.body).toMatchObject({
      model: 'test-model',
      max_tokens: 16,
      stream: true,
      stream_options: { include_usage: true },
      ignore_eos: true,
      messages: [{ role: 'user', content: 'hello' }],
    });
    expect(request.authorization).toBe('Bearer sk-secret-123');
  });

  it('completions endpoint reads choices[].text', async () => {
    const record = await completions.send({ prompt: 'hi', maxTokens: 4 }, performance.now(), undefined, {
      headers: scenario('ok', { tokens: 4 }),
    });
    expectOk(record);
    expect(record.eventTimesMs).toHaveLength(4);
    expect(record.oslTokens).toBe(4);
    expect(server.requests.at(-1)!.body.prompt).toBe('hi');
  });

  it('without a usage chunk, osl is counted from events', async () => {
    const record = await run('no_usage', { tokens: 5 });
    expectOk(record);
    expect(record.oslSource).toBe('counted');
    expect(record.oslTokens).toBe(5);
    expect(record.usage).toBeNull();
  });

  it('many events in one read share one stamp', async () => {
    const record = await run('coalesced', { tokens: 8 });
    expectOk(record);
    expect(record.eventTimesMs).toHaveLength(8);
    expect(new Set(record.eventTimesMs).size).toBeLessThan(8);
  });

  it('events split across reads are reassembled', async () => {
    const record = await run('split', { tokens: 4 });
    expectOk(record);
    expect(record.eventTimesMs).toHaveLength(4);
    expect(record.oslTokens).toBe(4);
  });

  it('comment / keep-alive lines are ignored', async () => {
    const record = await run('comments', { tokens: 4 });
    expectOk(record);
    expect(record.eventTimesMs).toHaveLength(4);
  });

  it('CRLF line endings work', async () => {
    const record = await run('crlf', { tokens: 3 });
    expectOk(record);
    expect(record.eventTimesMs).toHaveLength(3);
  });

  it.each(['reasoning', 'reasoning_field'])('%s deltas are tokens; ttfo waits for content', async (name) => {
    const record = await run(name, { tokens: 4, delayMs: 2 });
    expectOk(record);
    expect(record.eventTimesMs).toHaveLength(7);
    expect(record.oslTokens).toBe(7);
    expect(record.usage?.reasoningTokens).toBe(3);
    expect(record.tFirstOutMs).toBe(record.eventTimesMs[3]);
    expect(record.tFirstOutMs!).toBeGreaterThan(record.tFirstMs!);
  });

  it('multi-token events: usage surplus is spread over events', async () => {
    const record = await run('multi', { tokens: 5 });
    expectOk(record);
    expect(record.eventTimesMs).toHaveLength(5);
    expect(record.oslTokens).toBe(15);
    expect(record.eventTokens.reduce((a, b) => a + b, 0)).toBe(15);
    expect(record.eventTokens.every((k) => k === 3)).toBe(true);
  });

  it('per-chunk usage (continuous_usage_stats) gives exact per-event token counts', async () => {
    const record = await run('continuous_usage', { tokens: 6 });
    expectOk(record);
    expect(record.eventTokens).toEqual([1, 2, 3, 1, 2, 3]);
    expect(record.oslTokens).toBe(12);
  });

  it('collectText keeps the generated content (not reasoning)', async () => {
    const record = await chat.send({ ...spec, collectText: true }, performance.now(), undefined, {
      headers: scenario('reasoning', { tokens: 2 }),
    });
    expect(record.outputText).toBe('tok0 tok1 ');
  });
});

describe('stream client: faults map to exactly one error code', () => {
  const cases: [string, ErrorCode, { tokens?: number; delayMs?: number }?][] = [
    ['http500', 'http_500'],
    ['http429', 'http_429'],
    ['reset', 'reset'],
    ['reset_before_headers', 'reset'],
    ['malformed', 'malformed_event'],
    ['stall', 'stall'],
    ['stall_mid', 'stall'],
    ['no_done', 'no_done'],
    ['server_error', 'server_error'],
    ['empty', 'empty_response'],
  ];
  it.each(cases)('%s → %s', async (name, code, params) => {
    const record = await run(name, params ?? {});
    expect(record.errorCode).toBe(code);
    expect(typeof record.errorDetail).toBe('string');
  });

  it('a server that ignores stream: true (plain JSON body) → no_done, saying why', async () => {
    const record = await run('json_body');
    expect(record.errorCode).toBe('no_done');
    expect(record.errorDetail).toContain('application/json');
  });

  it('non-200 keeps the status and a body excerpt', async () => {
    const record = await run('http500');
    expect(record.httpStatus).toBe(500);
    expect(record.errorDetail).toContain('simulated http500');
  });

  it('the API key never appears in records, even when the server echoes it', async () => {
    const record = await run('echo_auth_401');
    expect(record.errorCode).toBe('http_401');
    expect(record.errorDetail).toContain('[redacted]');
    expect(JSON.stringify(record)).not.toContain('sk-secret-123');
  });

  it('the API key is redacted from streamed text and malformed-event excerpts too', async () => {
    const record = await chat.send({ ...spec, collectText: true }, performance.now(), undefined, {
      headers: scenario('echo_auth_stream'),
    });
    expect(record.errorCode).toBe('malformed_event');
    expect(record.outputText).toContain('[redacted]');
    expect(JSON.stringify(record)).not.toContain('sk-secret-123');
  });

  it('closing the client aborts what is in flight', async () => {
    const client = createStreamClient({
      baseUrl: server.baseUrl,
      endpointType: 'chat',
      model: 'test-model',
      connections: 1,
    });
    const pending = client.send(spec, performance.now(), undefined, {
      headers: scenario('slow', { tokens: 100, delayMs: 20 }),
    });
    setTimeout(() => void client.close(), 80);
    const record = await pending;
    expect(record.errorCode).toBe('aborted');
  });

  it('overall deadline → timeout', async () => {
    const client = createStreamClient({
      baseUrl: server.baseUrl,
      endpointType: 'chat',
      model: 'test-model',
      connections: 1,
      requestTimeoutMs: 150,
    });
    const record = await client.send(spec, performance.now(), undefined, {
      headers: scenario('slow', { tokens: 50, delayMs: 20 }),
    });
    await client.close();
    expect(record.errorCode).toBe('timeout');
    expect(record.eventTimesMs.length).toBeGreaterThan(0);
  });

  it('caller abort → aborted', async () => {
    const controller = new AbortController();
    const pending = chat.send(spec, performance.now(), controller.signal, {
      headers: scenario('slow', { tokens: 50, delayMs: 20 }),
    });
    setTimeout(() => controller.abort(), 60);
    const record = await pending;
    expect(record.errorCode).toBe('aborted');
  });

  it('already-aborted signal → aborted without sending', async () => {
    const before = server.requests.length;
    const record = await chat.send(spec, performance.now(), AbortSignal.abort());
    expect(record.errorCode).toBe('aborted');
    expect(server.requests.length).toBe(before);
  });

  it('nothing listening → connect_error', async () => {
    const client = createStreamClient({
      baseUrl: 'http://127.0.0.1:9/v1',
      endpointType: 'chat',
      model: 'm',
      connections: 1,
    });
    const record = await client.send(spec, performance.now());
    await client.close();
    expect(record.errorCode).toBe('connect_error');
    expect(record.httpStatus).toBeNull();
  });

  it('a mixed concurrent batch: ok + failed by code = sent', async () => {
    const names = [
      'ok',
      'http500',
      'reset',
      'malformed',
      'ok',
      'no_done',
      'multi',
      'http429',
      'coalesced',
      'empty',
    ];
    const sentBefore = chat.stats.sent;
    const records = await Promise.all(names.map((name) => run(name, { tokens: 4 })));
    const byCode: Record<string, number> = {};
    let ok = 0;
    for (const record of records) {
      if (record.errorCode === null) ok++;
      else byCode[record.errorCode] = (byCode[record.errorCode] ?? 0) + 1;
    }
    expect(ok).toBe(4);
    expect(byCode).toEqual({
      http_500: 1,
      reset: 1,
      malformed_event: 1,
      no_done: 1,
      http_429: 1,
      empty_response: 1,
    });
    expect(ok + Object.values(byCode).reduce((a, b) => a + b, 0)).toBe(chat.stats.sent - sentBefore);
    expect(chat.stats.inFlight).toBe(0);
  });
});
