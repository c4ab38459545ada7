// Seeded synthetic RequestRecords for the shard tests: a mix of successes (varied TTFT, ITL,
// multi-token events, coalesced stamps), errors, warm-up records and records outside the window.
import type { RequestRecord } from '../../../src/harness/types.js';
import { createRng } from '../../../src/lib/rng.js';

export const WINDOW = { startMs: 1_000, endMs: 61_000 };

export function syntheticRecords(count: number, seed: number): RequestRecord[] {
  const rng = createRng(seed);
  const out: RequestRecord[] = [];
  for (let id = 0; id < count; id++) {
    const tSched = rng.next() * 64_000;
    const tSend = tSched + (rng.next() < 0.3 ? rng.exponential(1) : 0);
    const warmup = id < 5;
    const roll = rng.next();
    const errorCode = roll < 0.03 ? 'http_500' : roll < 0.05 ? 'reset' : null;
    const events: number[] = [];
    const tokens: number[] = [];
    if (errorCode !== 'http_500') {
      let t = tSend + 20 + Math.abs(rng.normal()) * 15;
      const n = 1 + rng.below(60);
      for (let i = 0; i < n; i++) {
        events.push(t);
        tokens.push(rng.next() < 0.1 ? 2 : 1);
        // Coalesced events share a stamp now and then.
        t += rng.next() < 0.05 ? 0 : 4 + rng.exponential(0.2);
      }
    }
    const osl = tokens.reduce((a, b) => a + b, 0);
    const tLast = events.length > 0 ? (events[events.length - 1] as number) : null;
    out.push({
      id,
      worker: 0,
      tSchedMs: tSched,
      tSendMs: tSend,
      tFirstMs: events[0] ?? null,
      tFirstOutMs: events.length > 1 ? (events[1] as number) : (events[0] ?? null),
      tLastMs: tLast,
      tDoneMs: (tLast ?? tSend) + 0.5,
      eventTimesMs: events,
      eventTokens: tokens,
      usage: null,
      oslTokens: osl,
      oslSource: rng.next() < 0.9 ? 'usage' : 'counted',
      inputTokens: rng.next() < 0.8 ? 10 + rng.below(500) : null,
      finishReason: errorCode === null ? 'length' : null,
      httpStatus: errorCode === 'http_500' ? 500 : 200,
      errorCode,
      warmup,
    });
  }
  return out;
}
