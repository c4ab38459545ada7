// The embedded engine over real loopback HTTP.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, type EngineHandle, type TruthEntry } from '../../../src/engine/index.js';
import { chatBody, get, post } from './http-helpers.js';

type Chunk = {
  id: string;
  object: string;
  model: string;
  choices: Array<{
    index: number;
    delta?: { role?: string; content?: string; reasoning_content?: string };
    text?: string;
    finish_reason: string | null;
  }>;
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
};

function parseStream(data: string[]): { chunks: Chunk[]; done: boolean } {
  const done = data[data.length - 1] === '[DONE]';
  return { chunks: (done ? data.slice(0, -1) : data).map((d) => JSON.parse(d) as Chunk), done };
}

describe('engine HTTP (fixed timing)', () => {
  let engine: EngineHandle;
  let root: string;
  const truthPath = join(mkdtempSync(join(tmpdir(), 'engine-')), 'truth.jsonl');

  beforeAll(async () => {
    engine = await startEngine({
      timing: 'fixed',
      fixed: { ttftMs: 5, ttftJitterMs: 1, itlMs: 1, itlJitterMs: 0.2 },
      truthLogPath: truthPath,
    });
    root = engine.baseUrl.replace(/\/v1$/, '');
  });
  afterAll(async () => {
    await engine.close();
  });

  it('chat streaming is shaped like vLLM: role chunk, content chunks, finish chunk, usage chunk, [DONE]', async () => {
    const r = await post(engine.baseUrl, '/chat/completions', chatBody({ max_tokens: 6, ignore_eos: true }));
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/event-stream/);
    const { chunks, done } = parseStream(r.data);
    expect(done).toBe(true);
    expect(chunks[0]!.choices[0]!.delta).toEqual({ role: 'assistant', content: '' });
    const content = chunks.slice(1, -2);
    expect(content).toHaveLength(6);
    for (const c of content) {
      expect(c.object).toBe('chat.completion.chunk');
      expect(c.choices[0]!.delta!.content!.length).toBeGreaterThan(0);
      expect(c.choices[0]!.finish_reason).toBeNull();
    }
    const finish = chunks[chunks.length - 2]!;
    expect(finish.choices[0]!.finish_reason).toBe('length');
    const usage = chunks[chunks.length - 1]!;
    expect(usage.choices).toEqual([]);
    expect(usage.usage!.completion_tokens).toBe(6);
    expect(usage.usage!.total_tokens).toBe(usage.usage!.prompt_tokens + 6);
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
    expect(chunks[0]!.id).toMatch(/^chatcmpl-/);
  });

  it('completions streaming: text chunks, finish chunk, usage chunk, [DONE]; no usage unless asked', async () => {
    const r = await post(engine.baseUrl, '/completions', {
      prompt: 'Once upon a time',
      stream: true,
      max_tokens: 4,
      ignore_eos: true,
      stream_options: { include_usage: true },
    });
    const { chunks, done } = parseStream(r.data);
    expect(done).toBe(true);
    expect(chunks.map((c) => c.object)).toEqual(Array(6).fill('text_completion'));
    expect(chunks.slice(0, 4).every((c) => (c.choices[0]!.text ?? '').length > 0)).toBe(true);
    expect(chunks[4]!.choices[0]!.finish_reason).toBe('length');
    expect(chunks[5]!.usage).toEqual({
      prompt_tokens: 1 + Math.ceil(16 / 4),
      completion_tokens: 4,
      total_tokens: 9,
    });
    const noUsage = await post(engine.baseUrl, '/completions', { prompt: 'x', stream: true, max_tokens: 3 });
    expect(parseStream(noUsage.data).chunks.some((c) => c.usage)).toBe(false);
  });

  it('non-streaming chat and completions return one JSON body with usage', async () => {
    const chat = await post(
      engine.baseUrl,
      '/chat/completions',
      chatBody({ stream: false, max_tokens: 5, ignore_eos: true }),
    );
    expect(chat.status).toBe(200);
    const body = JSON.parse(chat.body);
    expect(body.object).toBe('chat.completion');
    expect(body.choices[0].message.role).toBe('assistant');
    expect(body.choices[0].message.content.trim().split(/\s+/)).toHaveLength(5);
    expect(body.usage.completion_tokens).toBe(5);
    const comp = await post(engine.baseUrl, '/completions', {
      prompt: 'abc',
      max_tokens: 2,
      ignore_eos: true,
    });
    expect(JSON.parse(comp.body).choices[0].text.trim().split(/\s+/)).toHaveLength(2);
  });

  it('max_tokens caps the draw; without ignore_eos lengths vary around the default', async () => {
    const replies = await Promise.all(
      Array.from({ length: 12 }, () =>
        post(engine.baseUrl, '/completions', { prompt: 'p', stream: false, max_tokens: 150 }),
      ),
    );
    const lengths = replies.map((r) => JSON.parse(r.body).usage.completion_tokens as number);
    expect(Math.max(...lengths)).toBeLessThanOrEqual(150);
    expect(new Set(lengths).size).toBeGreaterThan(3);
    const capped = await post(engine.baseUrl, '/completions', { prompt: 'p', max_tokens: 3 });
    expect(JSON.parse(capped.body).usage.completion_tokens).toBe(3);
    const exact = await post(engine.baseUrl, '/completions', { prompt: 'p', max_tokens: 40, min_tokens: 40 });
    expect(JSON.parse(exact.body).usage.completion_tokens).toBe(40);
  });

  it('serves /v1/models, /health, /version and /metrics with vLLM and DCGM names', async () => {
    const models = JSON.parse((await get(engine.baseUrl, '/models')).body);
    expect(models.data[0].id).toBe('meta-llama/Llama-3.1-8B-Instruct');
    expect((await get(root, '/health')).status).toBe(200);
    expect(JSON.parse((await get(root, '/version')).body).version).toMatch(/sim/);
    const metrics = (await get(root, '/metrics')).body;
    for (const name of [
      'vllm:num_requests_running{',
      'vllm:num_requests_waiting{',
      'vllm:kv_cache_usage_perc{',
      'vllm:prefix_cache_queries_total{',
      'vllm:prefix_cache_hits_total{',
      'vllm:time_to_first_token_seconds_bucket{',
      'vllm:request_queue_time_seconds_count{',
      'vllm:generation_tokens_total{',
      'vllm:prompt_tokens_total{',
      'DCGM_FI_DEV_POWER_USAGE{',
      'DCGM_FI_DEV_GPU_UTIL{',
      'DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION{',
    ]) {
      expect(metrics).toContain(name);
    }
    expect(metrics).toMatch(/DCGM_FI_DEV_POWER_USAGE\{[^}]*gpu="0"[^}]*modelName="NVIDIA H100 80GB HBM3"/);
    const gen = /vllm:generation_tokens_total\{[^}]*\} (\d+)/.exec(metrics);
    expect(Number(gen?.[1])).toBeGreaterThan(0);
  });

  it('errors like vLLM: unknown model 404, bad JSON 400, missing messages 400, unknown route 404', async () => {
    const unknown = await post(engine.baseUrl, '/chat/completions', chatBody({ model: 'nope/Model' }));
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.body)).toMatchObject({ object: 'error', type: 'NotFoundError', code: 404 });
    expect(JSON.parse(unknown.body).message).toContain('nope/Model');
    const bad = await post(engine.baseUrl, '/chat/completions', null, {}, { raw: '{"messages": [' });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body).type).toBe('BadRequestError');
    expect((await post(engine.baseUrl, '/chat/completions', { messages: [] })).status).toBe(400);
    expect((await post(engine.baseUrl, '/chat/completions', chatBody({ max_tokens: 0 }))).status).toBe(400);
    expect(
      (await post(engine.baseUrl, '/chat/completions', chatBody(), { 'x-sim-fault': 'bogus' })).status,
    ).toBe(400);
    expect((await get(root, '/nope')).status).toBe(404);
    expect((await get(engine.baseUrl, '/chat/completions')).status).toBe(405);
    // Aliases of the served model are accepted.
    expect(
      (await post(engine.baseUrl, '/chat/completions', chatBody({ model: 'llama-3.1-8b' }))).status,
    ).toBe(200);
  });

  it('x-sim-fault http500 / http429 answer with the status and a JSON error', async () => {
    const e500 = await post(engine.baseUrl, '/chat/completions', chatBody(), { 'x-sim-fault': 'http500' });
    expect(e500.status).toBe(500);
    const e429 = await post(engine.baseUrl, '/chat/completions', chatBody(), { 'x-sim-fault': 'http429' });
    expect(e429.status).toBe(429);
    expect(e429.headers['retry-after']).toBe('1');
    expect(JSON.parse(e429.body).object).toBe('error');
  });

  it('x-sim-fault reset: a few tokens, then the connection is destroyed without [DONE]', async () => {
    const r = await post(
      engine.baseUrl,
      '/chat/completions',
      chatBody({ max_tokens: 20, ignore_eos: true }),
      {
        'x-sim-fault': 'reset',
      },
    );
    expect(r.status).toBe(200);
    expect(r.error).toBeDefined();
    expect(r.data).not.toContain('[DONE]');
    expect(r.data.length).toBeGreaterThanOrEqual(1);
    expect(r.data.length).toBeLessThan(10);
  });

  it('x-sim-fault malformed: exactly one data line is not JSON; the stream still completes', async () => {
    const r = await post(
      engine.baseUrl,
      '/chat/completions',
      chatBody({ max_tokens: 10, ignore_eos: true }),
      {
        'x-sim-fault': 'malformed',
      },
    );
    const bad = r.data.filter((d) => {
      if (d === '[DONE]') return false;
      try {
        JSON.parse(d);
        return false;
      } catch {
        return true;
      }
    });
    expect(bad).toEqual(['{not json']);
    expect(r.data[r.data.length - 1]).toBe('[DONE]');
  });

  it('x-sim-fault stall: tokens stop but the socket stays open until the client gives up', async () => {
    const r = await post(
      engine.baseUrl,
      '/chat/completions',
      chatBody({ max_tokens: 50, ignore_eos: true }),
      {
        'x-sim-fault': 'stall',
      },
      { abortAfterMs: 400 },
    );
    expect(r.error).toBe('client-timeout');
    expect(r.data.length).toBeGreaterThan(1);
    expect(r.data.length).toBeLessThan(10);
  });

  it('x-request-id becomes the response id; the truth log matches what the client measured', async () => {
    const r = await post(
      engine.baseUrl,
      '/chat/completions',
      chatBody({ max_tokens: 12, ignore_eos: true }),
      {
        'x-request-id': 'truth-check-1',
      },
    );
    const { chunks } = parseStream(r.data);
    expect(chunks[0]!.id).toBe('chatcmpl-truth-check-1');
    // Client token-bearing events: content chunks (not role, finish or usage).
    const tokenIdx = chunks
      .map((c, i) => ({ c, i }))
      .filter(({ c }) => (c.choices[0]?.delta?.content ?? '').length > 0)
      .map(({ i }) => i);
    // The line is appended asynchronously after the response ended: poll for it.
    let entry: TruthEntry | undefined;
    for (let i = 0; i < 100 && !entry; i += 1) {
      await new Promise((res) => setTimeout(res, 20));
      entry = readFileSync(truthPath, 'utf8')
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as TruthEntry)
        .find((l) => l.requestId === 'truth-check-1');
    }
    if (!entry) throw new Error('truth-log entry not written');
    expect(entry).toBeDefined();
    expect(entry.id).toBe('chatcmpl-truth-check-1');
    expect(entry.outcome).toBe('ok');
    expect(entry.tokens).toEqual(Array(12).fill(1));
    expect(entry.tokenWriteMs).toHaveLength(tokenIdx.length);
    for (let k = 0; k < tokenIdx.length; k += 1) {
      const arrived = r.arrivalMs[tokenIdx[k]!]!;
      // Same clock on both sides: the client cannot see a token before the server wrote it.
      expect(arrived).toBeGreaterThanOrEqual(entry.tokenWriteMs[k]!);
      if (k > 0) expect(entry.tokenWriteMs[k]).toBeGreaterThanOrEqual(entry.tokenWriteMs[k - 1]!);
    }
    expect(entry.tokenWriteMs[0]).toBeGreaterThan(entry.receivedMs);
  });

  it('counters add up', () => {
    const c = engine.counters();
    expect(c.requestsReceived).toBeGreaterThan(c.requestsCompleted);
    expect(c.eventsWritten).toBeGreaterThan(0);
  });
});

describe('engine HTTP options', () => {
  it('multi-token chunks and reasoning_content: usage stays exact, reasoning comes first', async () => {
    const engine = await startEngine({ timing: 'nodelay', tokensPerChunk: 3, reasoningTokens: 4 });
    try {
      const r = await post(
        engine.baseUrl,
        '/chat/completions',
        chatBody({ max_tokens: 11, ignore_eos: true }),
      );
      const { chunks } = parseStream(r.data);
      const deltas = chunks.slice(1, -2).map((c) => c.choices[0]!.delta!);
      const words = (s: string | undefined) => (s ?? '').trim().split(/\s+/).filter(Boolean).length;
      const reasoning = deltas
        .filter((d) => d.reasoning_content !== undefined)
        .map((d) => words(d.reasoning_content));
      const content = deltas.filter((d) => d.content !== undefined).map((d) => words(d.content));
      // 11 tokens in events of 3: [3 reasoning] [1 reasoning + 2 answer] [3] [2] — a batch crossing the
      // reasoning/answer boundary is written as two events at once.
      expect(reasoning).toEqual([3, 1]);
      expect(content).toEqual([2, 3, 2]);
      const firstContent = deltas.findIndex((d) => d.content !== undefined);
      expect(deltas.slice(firstContent).every((d) => d.reasoning_content === undefined)).toBe(true);
      expect(chunks[chunks.length - 1]!.usage!.completion_tokens).toBe(11);
    } finally {
      await engine.close();
    }
  });

  it('rejects bad options with coded errors', async () => {
    await expect(startEngine({ timing: 'warp' as 'sim' })).rejects.toMatchObject({ code: 'E_ENGINE_OPTION' });
    await expect(startEngine({ faults: { http500: 0.8, reset: 0.5 } })).rejects.toMatchObject({
      code: 'E_ENGINE_OPTION',
    });
    await expect(startEngine({ model: 'no/such-model' })).rejects.toMatchObject({ code: 'E_UNKNOWN_MODEL' });
    await expect(startEngine({ hardware: 'tpu' })).rejects.toMatchObject({ code: 'E_UNKNOWN_HARDWARE' });
  });

  it('a port already in use is a coded error', async () => {
    const a = await startEngine({ timing: 'nodelay' });
    try {
      await expect(startEngine({ timing: 'nodelay', port: a.port })).rejects.toMatchObject({
        code: 'E_ENGINE_PORT_IN_USE',
      });
    } finally {
      await a.close();
    }
  });

  it('close() ends stalled streams and resolves', async () => {
    const engine = await startEngine({ timing: 'nodelay' });
    const pending = post(engine.baseUrl, '/chat/completions', chatBody({ max_tokens: 40 }), {
      'x-sim-fault': 'stall',
    });
    await new Promise((r) => setTimeout(r, 100));
    await engine.close();
    const r = await pending;
    expect(r.error).toBeDefined();
  });
});
