// TTST (time to second token) and the chunk-size histogram (tokens per SSE event), from hand-built
// records and from real SSE text through the client's RequestState.
import { describe, expect, it } from 'vitest';
import { RequestState } from '../../../src/harness/client/request-state.js';
import { ChunkSizeAccumulator } from '../../../src/harness/metrics/chunk-sizes.js';
import { flattenMetrics } from '../../../src/envelope/metrics.js';
import { buildMetrics } from '../../../src/harness/metrics/compute.js';
import { ttstMs } from '../../../src/harness/metrics/samples.js';
import { rec } from './records.js';

const base = '"id":"c","object":"chat.completion.chunk","created":1,"model":"m"';
const content = (text: string, usage = ''): string =>
  `data: {${base},"choices":[{"index":0,"delta":{"content":${JSON.stringify(text)}},"finish_reason":null}]${usage}}\n\n`;
const usageOnly = (completion: number): string =>
  `data: {${base},"choices":[],"usage":{"prompt_tokens":4,"completion_tokens":${completion}}}\n\n`;

function stream(events: string[]): ReturnType<RequestState['toRecord']> {
  const state = new RequestState('chat', false, { eventsReceived: 0, tokensReceived: 0 });
  events.forEach((e, i) => state.parser.feed(e, 1000 + 10 * i));
  state.parser.end();
  return state.toRecord({
    id: 1,
    worker: 0,
    tSchedMs: 990,
    tSendMs: 995,
    tDoneMs: 2000,
    httpStatus: 200,
    inputTokens: null,
    warmup: false,
    sessionId: undefined,
    turn: undefined,
  });
}

describe('TTST: t_2 − t_1 over token-bearing events', () => {
  it('is the gap between the first two token-bearing events; null with fewer than two', () => {
    expect(ttstMs(rec({ tSend: 0, events: [40, 47, 50, 53] }))).toBe(7);
    expect(ttstMs(rec({ tSend: 0, events: [40] }))).toBeNull();
    expect(ttstMs(rec({ tSend: 0, events: [] }))).toBeNull();
  });

  it('buildMetrics reports ttst percentiles over measured successful requests', () => {
    const window = { startMs: 0, endMs: 10_000 };
    const records = [
      rec({ tSend: 0, events: [20, 30, 31] }), // 10
      rec({ tSend: 100, events: [120, 124, 125] }), // 4
      rec({ tSend: 200, events: [230, 236] }), // 6
      rec({ tSend: 300, events: [310] }), // no second token
      rec({ tSend: 400, events: [410, 500], errorCode: 'reset' }), // failed: excluded
    ];
    const m = buildMetrics(records, window, { bootstrapResamples: 0 });
    expect(m.distributions.ttst.n).toBe(3);
    expect(m.distributions.ttst.p50).toBe(6);
    expect(m.distributions.ttst.min).toBe(4);
    expect(m.distributions.ttst.max).toBe(10);
    // numpy linear p90 of [4, 6, 10]: 6 + 0.8 × 4 = 9.2
    expect(m.distributions.ttst.p90).toBeCloseTo(9.2, 9);
    const flat = flattenMetrics(m).metrics;
    expect(flat.ttst_p50_ms).toBe(6);
    expect(flat.ttst_n).toBe(3);
  });
});

describe('chunk-size histogram: tokens per SSE event', () => {
  it('counts events by size, 1..16 exactly and one bucket above', () => {
    const acc = new ChunkSizeAccumulator();
    acc.add([1, 1, 4, 4, 4, 2], 'usage_spread');
    acc.add([20, 1], 'usage_per_chunk');
    const h = acc.finish();
    expect(h.events[0]).toBe(3); // size 1
    expect(h.events[1]).toBe(1); // size 2
    expect(h.events[3]).toBe(3); // size 4
    expect(h.events[16]).toBe(1); // > 16
    expect(h.totalEvents).toBe(8);
    expect(h.totalTokens).toBe(37);
    expect(h.mean).toBeCloseTo(37 / 8, 12);
    expect(h.p50).toBe(2); // sorted sizes 1,1,1,2,4,4,4,20: rank 4 → 2
    expect(h.max).toBe(20);
    expect(h.multiTokenFraction).toBeCloseTo(5 / 8, 12);
    expect(h.sources).toEqual({ usage_per_chunk: 1, usage_spread: 1, one_per_event: 0 });
  });

  it('multi-token chunks without per-chunk usage: usage.completion_tokens is spread by text length', () => {
    const r = stream([content('aaaa'), content('bbbb'), content('cc'), usageOnly(10), 'data: [DONE]\n\n']);
    expect(r.eventTokens).toEqual([4, 4, 2]);
    expect(r.chunkTokensSource).toBe('usage_spread');
    expect(r.oslTokens).toBe(10);
    expect(ttstMs(r)).toBe(10); // events stamped 1000, 1010, 1020
  });

  it('per-chunk usage gives the exact sizes; no usage means one token per event', () => {
    const exact = stream([
      content('ab', ',"usage":{"prompt_tokens":4,"completion_tokens":2}'),
      content('cdefg', ',"usage":{"prompt_tokens":4,"completion_tokens":5}'),
      content('h', ',"usage":{"prompt_tokens":4,"completion_tokens":6}'),
      'data: [DONE]\n\n',
    ]);
    expect(exact.eventTokens).toEqual([2, 3, 1]);
    expect(exact.chunkTokensSource).toBe('usage_per_chunk');
    const plain = stream([content('aaaa'), content('bbbb'), 'data: [DONE]\n\n']);
    expect(plain.eventTokens).toEqual([1, 1]);
    expect(plain.chunkTokensSource).toBe('one_per_event');
  });

  it('buildMetrics carries the histogram and flat keys for the envelope', () => {
    const window = { startMs: 0, endMs: 10_000 };
    const records = [
      rec({ tSend: 0, events: [10, 20, 30], tokens: [4, 4, 2] }),
      rec({ tSend: 0, events: [10, 20], tokens: [1, 1] }),
    ];
    const m = buildMetrics(records, window, { bootstrapResamples: 0 });
    expect(m.chunkSizes.totalEvents).toBe(5);
    expect(m.chunkSizes.mean).toBeCloseTo(12 / 5, 12);
    const flat = flattenMetrics(m).metrics;
    expect(flat.chunk_tokens_mean).toBeCloseTo(2.4, 12);
    expect(flat.chunk_tokens_p50).toBe(2); // sizes 1,1,2,4,4: rank 3 → 2
    expect(flat.chunk_tokens_max).toBe(4);
    expect(flat.chunk_multi_token_fraction).toBeCloseTo(3 / 5, 12);
    expect(flat.chunk_events_n).toBe(5);
  });
});
