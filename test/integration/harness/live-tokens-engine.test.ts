// Issue 17 case 3 against the real embedded engine streaming 4 tokens per SSE event (usage only at
// the end, as `bench engine serve --tokens-per-chunk 4` does): the client's live token counter
// matches the tokens the records (and so the envelope) count, over the same span, within 2 %.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, type EngineHandle } from '../../../src/engine/index.js';
import { createStreamClient, type StreamClient } from '../../../src/harness/client/stream-client.js';
import type { RequestRecord } from '../../../src/harness/types.js';

let engine: EngineHandle;
let client: StreamClient;

beforeAll(async () => {
  engine = await startEngine({
    timing: 'fixed',
    fixed: { ttftMs: 10, ttftJitterMs: 0, itlMs: 2, itlJitterMs: 0 },
    tokensPerChunk: 4,
  });
  client = createStreamClient({
    baseUrl: engine.baseUrl,
    endpointType: 'chat',
    model: engine.modelId,
    connections: 4,
  });
});

afterAll(async () => {
  await client.close();
  await engine.close();
});

describe('live token counter on 4-token chunks', () => {
  it('a steady closed-loop run: live tokens over a span equal the records’ tokens in it (±2 %)', async () => {
    const samples: { tMs: number; tokens: number }[] = [];
    const records: RequestRecord[] = [];
    const sample = (): void => {
      samples.push({ tMs: performance.now(), tokens: client.stats.tokensReceived });
    };
    const timer = setInterval(sample, 100);
    const user = async (): Promise<void> => {
      for (let i = 0; i < 12; i++) {
        const r = await client.send(
          {
            messages: [{ role: 'user', content: 'Tell me about the sea.' }],
            maxTokens: 64,
            extraBody: { ignore_eos: true },
          },
          performance.now(),
        );
        records.push(r);
      }
    };
    await Promise.all([user(), user(), user(), user()]);
    clearInterval(timer);
    sample();

    expect(records.every((r) => r.errorCode === null)).toBe(true);
    // 48 requests × 64 tokens, 16 events of 4 tokens each
    expect(records.map((r) => r.eventTokens.length)).toEqual(records.map(() => 16));
    // usage.completion_tokens (64) spread over the 16 events by their text length
    expect(records.every((r) => r.eventTokens.reduce((a, b) => a + b, 0) === 64)).toBe(true);
    expect(records.every((r) => r.chunkTokensSource === 'usage_spread')).toBe(true);
    // The counter ends exactly at the final count (it used to end at the event count: 4× low).
    expect(client.stats.tokensReceived).toBe(48 * 64);
    expect(client.stats.tokensPerEvent).toBe(4);

    // Live vs final over the span after the first completion (before it nothing was learned).
    const firstDone = Math.min(...records.map((r) => r.tDoneMs));
    const from = samples.find((s) => s.tMs > firstDone + 50)!;
    const to = samples[samples.length - 2]!;
    expect(to.tMs).toBeGreaterThan(from.tMs);
    const live = to.tokens - from.tokens;
    let final = 0;
    for (const r of records)
      r.eventTimesMs.forEach((t, i) => {
        if (t > from.tMs && t <= to.tMs) final += r.eventTokens[i]!;
      });
    expect(final).toBeGreaterThan(0);
    expect(Math.abs(live / final - 1)).toBeLessThanOrEqual(0.02);
  });
});
