// The 'sim' timing over real HTTP: a short run, checked for shape, not for wall-clock numbers.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startEngine } from '../../../src/engine/index.js';
import { chatBody, get, post } from './http-helpers.js';

function metric(text: string, name: string): number {
  const m = new RegExp(`^${name}\\{[^}]*\\} (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : Number.NaN;
}

describe('sim timing over HTTP', () => {
  it('streams every request to completion under concurrency and accounts tokens, prefix hits and energy', async () => {
    const engine = await startEngine({ timing: 'sim', seed: 3 });
    const root = engine.baseUrl.replace(/\/v1$/, '');
    try {
      const before = (await get(root, '/metrics')).body;
      const energy0 = metric(before, 'DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION');
      const system = 'You are a terse assistant that answers in one line. '.repeat(12);
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          post(
            engine.baseUrl,
            '/chat/completions',
            chatBody({
              messages: [
                { role: 'system', content: system },
                { role: 'user', content: `question number ${i}` },
              ],
              max_tokens: 24,
              ignore_eos: true,
            }),
          ),
        ),
      );
      for (const r of results) {
        expect(r.status).toBe(200);
        expect(r.data[r.data.length - 1]).toBe('[DONE]');
        const usage = JSON.parse(r.data[r.data.length - 2]!).usage;
        expect(usage.completion_tokens).toBe(24);
        // Tokens arrive spread over simulated steps (≈ 6 ms each), never all at once.
        const content = r.arrivalMs.slice(1, 25);
        expect(content[content.length - 1]! - content[0]!).toBeGreaterThan(23 * 3);
      }
      const after = (await get(root, '/metrics')).body;
      expect(metric(after, 'vllm:generation_tokens_total')).toBe(8 * 24);
      expect(metric(after, 'vllm:prefix_cache_hits_total')).toBeGreaterThan(0);
      expect(metric(after, 'vllm:prefix_cache_queries_total')).toBeGreaterThan(
        metric(after, 'vllm:prefix_cache_hits_total'),
      );
      expect(metric(after, 'vllm:time_to_first_token_seconds_count')).toBe(8);
      expect(metric(after, 'vllm:request_queue_time_seconds_count')).toBe(8);
      expect(metric(after, 'DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION')).toBeGreaterThan(energy0);
      expect(metric(after, 'DCGM_FI_DEV_POWER_USAGE')).toBeGreaterThan(70);
      expect(metric(after, 'vllm:num_requests_running')).toBe(0);
      expect(engine.counters()).toEqual({ requestsReceived: 8, requestsCompleted: 8, eventsWritten: 8 * 24 });
    } finally {
      await engine.close();
    }
  });

  it('speculative-style chunks with reasoning: every token is delivered and usage is exact', async () => {
    const engine = await startEngine({ timing: 'sim', tokensPerChunk: 3, reasoningTokens: 5 });
    try {
      const r = await post(
        engine.baseUrl,
        '/chat/completions',
        chatBody({ max_tokens: 17, ignore_eos: true }),
      );
      const chunks = r.data.slice(1, -3).map((d) => JSON.parse(d).choices[0].delta as Record<string, string>);
      const words = (s: string | undefined) => (s ?? '').trim().split(/\s+/).filter(Boolean).length;
      const reasoning = chunks.reduce((a, d) => a + words(d.reasoning_content), 0);
      const answer = chunks.reduce((a, d) => a + words(d.content), 0);
      expect({ reasoning, answer }).toEqual({ reasoning: 5, answer: 12 });
      const usage = JSON.parse(r.data[r.data.length - 2]!).usage;
      expect(usage.completion_tokens).toBe(17);
      expect(usage.completion_tokens_details).toEqual({ reasoning_tokens: 5 });
      // The first token comes from the prefill step; decode steps then carry up to 3 tokens each.
      expect(chunks.length).toBeLessThan(17);
    } finally {
      await engine.close();
    }
  });

  it('reports TP GPUs in DCGM gauges and rejects a model that does not fit', async () => {
    const engine = await startEngine({ model: 'qwen2.5-72b', quant: 'bf16', tensorParallel: 8 });
    try {
      const text = (await get(engine.baseUrl.replace(/\/v1$/, ''), '/metrics')).body;
      const gpus = text.match(/^DCGM_FI_DEV_GPU_UTIL\{/gm) ?? [];
      expect(gpus).toHaveLength(8);
      expect(engine.modelId).toBe('Qwen/Qwen2.5-72B-Instruct');
    } finally {
      await engine.close();
    }
    await expect(
      startEngine({ model: 'qwen2.5-72b', quant: 'bf16', tensorParallel: 1 }),
    ).rejects.toMatchObject({
      code: 'E_ENGINE_DOES_NOT_FIT',
    });
  });

  it('a stalled stream is counted once: its tokens, its sequence freed, one truth-log line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'engine-stall-'));
    const truthLogPath = join(dir, 'truth.jsonl');
    const engine = await startEngine({ timing: 'sim', truthLogPath });
    const root = engine.baseUrl.replace(/\/v1$/, '');
    try {
      const r = await post(
        engine.baseUrl,
        '/chat/completions',
        chatBody({ max_tokens: 50, ignore_eos: true }),
        { 'x-sim-fault': 'stall' },
        { abortAfterMs: 300 },
      );
      expect(r.error).toBe('client-timeout');
      const tokens = r.data.length - 1; // after the role chunk
      expect(tokens).toBe(3);
      let text = '';
      for (let i = 0; i < 100; i += 1) {
        text = (await get(root, '/metrics')).body;
        if (readFileSync(truthLogPath, 'utf8').includes('"outcome":"stall"')) break;
        await new Promise((res) => setTimeout(res, 20));
      }
      expect(metric(text, 'vllm:generation_tokens_total')).toBe(tokens);
      expect(metric(text, 'vllm:num_requests_running')).toBe(0);
      const lines = readFileSync(truthLogPath, 'utf8').trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(JSON.parse(lines[0]!)).toMatchObject({ outcome: 'stall', completionTokens: 3 });
    } finally {
      await engine.close();
    }
  });

  it('serves a model from a user catalog file, and a small KV cache forces (and survives) preemption', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'engine-cat-'));
    const path = join(dir, 'mine.yaml');
    writeFileSync(
      path,
      'models:\n  - {id: acme/Tiny-1B, aliases: [tiny], paramsTotal: 1.0e9, paramsActive: 1.0e9, layers: 16, hidden: 2048, heads: 16, kvHeads: 4, headDim: 128, contextLength: 8192}\n',
    );
    const engine = await startEngine({ catalogPaths: [path], model: 'tiny', scheduler: { numBlocks: 40 } });
    const root = engine.baseUrl.replace(/\/v1$/, '');
    try {
      expect(engine.modelId).toBe('acme/Tiny-1B');
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          post(engine.baseUrl, '/completions', {
            model: 'acme/Tiny-1B',
            prompt: `${i} ${'word '.repeat(200)}`,
            max_tokens: 120,
            ignore_eos: true,
          }),
        ),
      );
      for (const r of results) expect(JSON.parse(r.body).usage.completion_tokens).toBe(120);
      const text = (await get(root, '/metrics')).body;
      expect(metric(text, 'vllm:num_preemptions_total')).toBeGreaterThan(0);
      expect(metric(text, 'vllm:generation_tokens_total')).toBe(6 * 120);
    } finally {
      await engine.close();
    }
  });

  it('a client that disconnects mid-stream frees its sequence', async () => {
    const engine = await startEngine({ timing: 'sim' });
    const root = engine.baseUrl.replace(/\/v1$/, '');
    try {
      const r = await post(
        engine.baseUrl,
        '/chat/completions',
        chatBody({ max_tokens: 2000, ignore_eos: true }),
        {},
        { abortAfterMs: 150 },
      );
      expect(r.error).toBe('client-timeout');
      // The server notices the disconnect asynchronously: poll the gauge.
      let text = '';
      for (let i = 0; i < 100; i += 1) {
        text = (await get(root, '/metrics')).body;
        if (metric(text, 'vllm:num_requests_running') === 0) break;
        await new Promise((res) => setTimeout(res, 20));
      }
      expect(metric(text, 'vllm:num_requests_running')).toBe(0);
      expect(metric(text, 'vllm:kv_cache_usage_perc')).toBe(0);
    } finally {
      await engine.close();
    }
  });
});
