// Live token counters count tokens, not SSE events (issue 17 case 3): against a server that streams
// 4 tokens per event with usage only at the end, the live count during the stream uses the learned
// tokens-per-event, and each finished request settles it to its exact total.
import { describe, expect, it } from 'vitest';
import { RequestState, type LiveCounters } from '../../../src/harness/client/request-state.js';

const base = '"id":"c","object":"chat.completion.chunk","created":1,"model":"m"';
const content = (text: string): string =>
  `data: {${base},"choices":[{"index":0,"delta":{"content":${JSON.stringify(text)}},"finish_reason":null}]}\n\n`;
const usage = (completion: number): string =>
  `data: {${base},"choices":[],"usage":{"prompt_tokens":4,"completion_tokens":${completion}}}\n\n`;

/** Streams `events` 4-token chunks (16 characters each) of one request into `live`. */
function request(live: LiveCounters, events: number, finish = true): RequestState {
  const state = new RequestState('chat', false, live);
  for (let i = 0; i < events; i++) state.parser.feed(content(' abc defg hij kl'), i);
  if (finish) {
    state.parser.feed(usage(4 * events), events);
    state.parser.feed('data: [DONE]\n\n', events);
    state.parser.end();
    state.finalizeTokens();
  }
  return state;
}

describe('live token counters on multi-token chunks', () => {
  it('the first request counts 1 per event while streaming, then settles to the usage total', () => {
    const live: LiveCounters = { eventsReceived: 0, tokensReceived: 0 };
    const first = request(live, 10, false);
    expect(live.tokensReceived).toBe(10); // nothing learned yet: 1 per event
    first.parser.feed(usage(40), 10);
    first.parser.feed('data: [DONE]\n\n', 10);
    first.parser.end();
    expect(first.finalizeTokens()).toEqual({ oslTokens: 40, oslSource: 'usage' });
    expect(live.tokensReceived).toBe(40);
    expect(live.tokensPerEvent).toBe(4);
    // finalising twice never double-counts
    first.finalizeTokens();
    expect(live.tokensReceived).toBe(40);
  });

  it('later requests count 4 per event while streaming: the live count equals the final one', () => {
    const live: LiveCounters = { eventsReceived: 0, tokensReceived: 0 };
    request(live, 32);
    expect(live.tokensReceived).toBe(128);
    const second = request(live, 25, false); // mid-stream
    expect(live.tokensReceived).toBe(128 + 100);
    second.parser.feed(usage(100), 25);
    second.parser.end();
    second.finalizeTokens();
    expect(live.tokensReceived).toBe(228);
    expect(live.eventsReceived).toBe(32 + 2 + 25 + 1); // token events + usage/[DONE] events
  });

  it('one token per event stays 1 per event (no usage: counted)', () => {
    const live: LiveCounters = { eventsReceived: 0, tokensReceived: 0 };
    const s = new RequestState('chat', false, live);
    for (let i = 0; i < 7; i++) s.parser.feed(content('x'), i);
    s.parser.feed('data: [DONE]\n\n', 7);
    s.parser.end();
    expect(s.finalizeTokens()).toEqual({ oslTokens: 7, oslSource: 'counted' });
    expect(live.tokensReceived).toBe(7);
    expect(live.tokensPerEvent).toBe(1);
  });
});
