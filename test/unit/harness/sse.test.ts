// The SSE parser on its own: spec behaviour, the per-event cap, and (fast-check) that any chunking
// of the same bytes yields the same events, and that random input never throws.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SseParser, type SseSink } from '../../../src/harness/client/sse.js';

interface Collected {
  events: string[];
  stamps: number[];
  tooLarge: number;
}

function collector(): SseSink & Collected {
  const out: SseSink & Collected = {
    events: [],
    stamps: [],
    tooLarge: 0,
    onEvent(data, stampMs) {
      out.events.push(data);
      out.stamps.push(stampMs);
    },
    onTooLarge() {
      out.tooLarge++;
    },
  };
  return out;
}

function parseChunks(chunks: readonly string[], max?: number): Collected {
  const sink = collector();
  const parser = new SseParser(sink, max);
  chunks.forEach((chunk, i) => parser.feed(chunk, i));
  parser.end();
  return sink;
}

/** Splits `text` at the given cut points (any order, duplicates allowed). */
function split(text: string, cuts: readonly number[]): string[] {
  const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
  const out: string[] = [];
  let from = 0;
  for (const p of points) {
    out.push(text.slice(from, p));
    from = p;
  }
  out.push(text.slice(from));
  return out;
}

// Fast-check run size: seconds in `npm test`; bench/fuzz.ts raises it (FUZZ_RUNS).
const RUNS = Number(process.env.FUZZ_RUNS ?? 300);

describe('SseParser', () => {
  it('follows the spec: CR, LF and CRLF endings, comments, multi-line data, other fields', () => {
    const text = ': keep-alive\r\ndata: a\rdata:b\n\nevent: x\nid: 7\ndata\n\ndata: c\r\n\r\ndata: dropped';
    const got = parseChunks([text]);
    expect(got.events).toEqual(['a\nb', '', 'c']);
  });

  it('stamps an event with the read that delivered its first byte', () => {
    const got = parseChunks(['data: he', 'llo\n', '\ndata: x\n\n']);
    expect(got.events).toEqual(['hello', 'x']);
    expect(got.stamps).toEqual([0, 2]);
  });

  it('a line longer than the cap stops the parser once, even when it never ends', () => {
    const sink = collector();
    const parser = new SseParser(sink, 4096);
    parser.feed('data: ok\n\n', 0);
    const piece = 'x'.repeat(1000);
    for (let i = 0; i < 100; i++) parser.feed(piece, i); // 100k characters, no newline
    parser.feed('\n\ndata: after\n\n', 101);
    expect(sink.events).toEqual(['ok']);
    expect(sink.tooLarge).toBe(1);
  });

  it('many data lines adding up past the cap stop the parser', () => {
    const line = `data: ${'y'.repeat(100)}\n`;
    const got = parseChunks([line.repeat(50), '\n'], 2000);
    expect(got.events).toEqual([]);
    expect(got.tooLarge).toBe(1);
  });

  it('an event just under the cap passes', () => {
    const got = parseChunks([`data: ${'z'.repeat(2000)}\n\n`], 2000);
    expect(got.events).toEqual(['z'.repeat(2000)]);
    expect(got.tooLarge).toBe(0);
  });

  const sseLine = fc.oneof(
    fc.string({ maxLength: 20 }).map((s) => `data: ${s.replace(/[\r\n]/g, '')}`),
    fc.constant('data'),
    fc.constant(''),
    fc.constant(': comment'),
    fc.string({ maxLength: 10 }).map((s) => `id: ${s.replace(/[\r\n]/g, '')}`),
  );
  const eol = fc.constantFrom('\n', '\r', '\r\n');
  const stream = fc
    .array(fc.tuple(sseLine, eol), { maxLength: 40 })
    .map((lines) => lines.map(([l, e]) => l + e).join(''));

  it('property: every chunking of the same text gives the same events', () => {
    fc.assert(
      fc.property(stream, fc.array(fc.nat(), { maxLength: 12 }), (text, cuts) => {
        const whole = parseChunks([text]);
        const pieces = parseChunks(split(text, cuts));
        expect(pieces.events).toEqual(whole.events);
      }),
      { numRuns: RUNS },
    );
  });

  it('property: random text never throws, and the cap always holds', () => {
    fc.assert(
      fc.property(
        fc.string({
          unit: fc.constantFrom('a', 'd', ':', ' ', '\n', '\r', 'data: ', 'é', '\u{1F600}'),
          maxLength: 400,
        }),
        fc.array(fc.nat(), { maxLength: 8 }),
        (text, cuts) => {
          const got = parseChunks(split(text, cuts), 8);
          for (const event of got.events) expect(event.length).toBeLessThanOrEqual(8);
          expect(got.tooLarge).toBeLessThanOrEqual(1);
        },
      ),
      { numRuns: RUNS },
    );
  });
});
