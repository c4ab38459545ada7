import { afterEach, describe, expect, it, vi } from 'vitest';
import { RequestState } from '../../../src/harness/client/request-state.js';

const base = '"id":"chatcmpl-7","object":"chat.completion.chunk","created":1732345678,"model":"m"';
const delta = (d: Record<string, unknown>, finish: string | null = null, extra = ''): string =>
  `data: {${base},"choices":[{"index":0,"delta":${JSON.stringify(d)},"logprobs":null,"finish_reason":${JSON.stringify(finish)}}]${extra}}\n\n`;

function feed(events: string[]): { state: RequestState; parses: number } {
  const spy = vi.spyOn(JSON, 'parse');
  const state = new RequestState('chat', true, { eventsReceived: 0, tokensReceived: 0 });
  events.forEach((text, i) => state.parser.feed(text, 100 + i));
  state.parser.end();
  const parses = spy.mock.calls.length;
  spy.mockRestore();
  return { state, parses };
}

afterEach(() => vi.restoreAllMocks());

describe('RequestState: the mid-stream fast path', () => {
  it('reads plain text chunks without JSON.parse and records exactly what the parse path would', () => {
    const words = Array.from({ length: 50 }, (_, i) => ` w${i}`);
    const events = [
      delta({ role: 'assistant', content: '' }),
      delta({ reasoning_content: 'think' }),
      ...words.slice(0, 20).map((w) => delta({ content: w })),
      delta({ content: 'a "quoted" \\ word\n' }), // escapes: parse path
      ...words.slice(20).map((w) => delta({ content: w })),
      delta({ content: '' }, 'stop'),
      `data: {${base},"choices":[],"usage":{"prompt_tokens":5,"completion_tokens":52}}\n\n`,
      'data: [DONE]\n\n',
    ];
    const { state, parses } = feed(events);
    const all = [...words.slice(0, 20), 'a "quoted" \\ word\n', ...words.slice(20)];
    expect(state.text).toBe(all.join(''));
    // reasoning + 51 content events are token-bearing; role and finish chunks are not.
    expect(state.eventTimesMs).toHaveLength(52);
    expect(state.eventTimesMs[0]).toBe(101);
    expect(state.tFirstOutMs).toBe(102);
    expect(state.tLastMs).toBe(100 + 2 + 50);
    expect(state.finishReason).toBe('stop');
    expect(state.usage).toEqual({ promptTokens: 5, completionTokens: 52, reasoningTokens: null });
    expect(state.sawDone).toBe(true);
    expect(state.errorCode).toBeNull();
    expect(state.finalizeTokens()).toEqual({ oslTokens: 52, oslSource: 'usage' });
    // Parsed: role, reasoning, the first content chunk (+1 probe to learn the template: it is
    // not the first token-bearing event), the escaped one, the finish chunk and the usage chunk.
    // The other 49 content chunks took the fast path.
    expect(parses).toBe(7);
  });

  it('per-chunk usage (every chunk differs) never takes the fast path and stays exact', () => {
    const events = Array.from({ length: 10 }, (_, i) =>
      delta({ content: ` t${i}` }, null, `,"usage":{"prompt_tokens":3,"completion_tokens":${i + 1}}`),
    );
    const { state, parses } = feed([...events, 'data: [DONE]\n\n']);
    expect(parses).toBe(10);
    expect(state.eventTimesMs).toHaveLength(10);
    expect(state.finalizeTokens()).toEqual({ oslTokens: 10, oslSource: 'usage' });
  });

  it('an error event after the template is learned is still an error', () => {
    const events = [
      ...Array.from({ length: 5 }, (_, i) => delta({ content: ` t${i}` })),
      'data: {"error":{"message":"engine died"}}\n\n',
    ];
    const { state } = feed(events);
    expect(state.errorCode).toBe('server_error');
    expect(state.eventTimesMs).toHaveLength(5);
  });
});
