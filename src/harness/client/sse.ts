// Hand-written SSE line parser. It receives decoded text chunks with the arrival stamp of the
// socket read they came from, and hands each complete event's `data` to a sink together with that
// stamp. No per-event closures or arrays: one string buffer, one index walk per chunk.
//
// Per the SSE spec: lines end in \n, \r\n or \r; a blank line dispatches the event; `:` lines are
// comments; several `data:` lines are joined with \n; other fields (event, id, retry) are ignored.
//
// Hostile servers: every character is scanned once (a partial line is kept aside and only the new
// text is searched for its end, so a line split over N reads costs O(total), not O(N²)), and an
// event — its data so far plus the line being read — may hold at most `maxEventChars` characters.
// Past that the sink's onTooLarge() is called once and the parser stops: memory stays bounded even
// for a line that never ends.

export interface SseSink {
  onEvent(data: string, stampMs: number): void;
  /** The current event (or a line) grew past the cap; the parser has stopped. */
  onTooLarge(limitChars: number): void;
}

/** Default per-event cap: 1 MiB of text (characters; equal to bytes for ASCII). */
export const DEFAULT_MAX_EVENT_CHARS = 1024 * 1024;
/** A line may exceed the data cap by this much (its `data: ` field name and spacing). */
const LINE_SLACK_CHARS = 64;

export class SseParser {
  /** The partial line carried over from earlier reads ('' when none). */
  private buffer = '';
  /** Stamp of the read that delivered the first byte of the buffered partial line. */
  private bufferStampMs = 0;
  private data: string | null = null;
  /** Stamp of the read that delivered the first byte of the current event (-1: none started). */
  private eventStampMs = -1;
  private skipLeadingLf = false;
  private stopped = false;

  constructor(
    private readonly sink: SseSink,
    private readonly maxEventChars: number = DEFAULT_MAX_EVENT_CHARS,
  ) {}

  /** Stop dispatching (after a fatal event); later input is ignored. */
  stop(): void {
    this.stopped = true;
    this.buffer = '';
    this.data = null;
  }

  feed(text: string, stampMs: number): void {
    if (this.stopped || text.length === 0) return;
    let start = 0;
    if (this.skipLeadingLf) {
      this.skipLeadingLf = false;
      if (text.charCodeAt(0) === 10) start = 1;
    }
    const hasCr = text.indexOf('\r', start) >= 0;
    if (this.buffer.length > 0) {
      // Finish the carried-over line: search only the new text for its end.
      const lf = text.indexOf('\n', start);
      const end = hasCr ? firstCr(text, start, lf) : lf;
      if (end < 0) {
        this.buffer += text.slice(start);
        this.checkSize(this.buffer.length);
        return;
      }
      const line = this.buffer + text.slice(start, end);
      const lineStampMs = this.bufferStampMs;
      this.buffer = '';
      if (this.checkSize(line.length)) return;
      this.line(line, 0, line.length, lineStampMs);
      start = this.afterTerminator(text, end);
    }
    this.scan(text, start, stampMs, hasCr);
  }

  /** End of stream: an unterminated final event is dropped, as the spec says. */
  end(): void {
    this.buffer = '';
    this.data = null;
    this.eventStampMs = -1;
  }

  private scan(input: string, from: number, stampMs: number, hasCr: boolean): void {
    let start = from;
    const length = input.length;
    const max = this.maxEventChars + LINE_SLACK_CHARS;
    while (start < length && !this.stopped) {
      let end: number;
      if (!hasCr) {
        // Fast path: no CR anywhere, so every line ends at the next LF (native indexOf).
        end = input.indexOf('\n', start);
        if (end < 0) end = length;
      } else {
        end = start;
        while (end < length) {
          const code = input.charCodeAt(end);
          if (code === 10 || code === 13) break;
          end++;
        }
      }
      if (end - start > max) {
        this.tooLarge();
        return;
      }
      if (end >= length) {
        // Incomplete line: keep it (and the stamp of its first byte) for the next read.
        this.buffer = input.slice(start);
        this.bufferStampMs = stampMs;
        this.checkSize(this.buffer.length);
        return;
      }
      this.line(input, start, end, stampMs);
      start = this.afterTerminator(input, end);
    }
  }

  /** Index after the terminator at `end` (\r\n counts as one; a trailing \r waits for the next read). */
  private afterTerminator(input: string, end: number): number {
    if (input.charCodeAt(end) === 13) {
      if (end + 1 < input.length) {
        if (input.charCodeAt(end + 1) === 10) return end + 2;
      } else this.skipLeadingLf = true;
    }
    return end + 1;
  }

  /** Enforces the cap for a pending line of `lineChars`; true when the parser stopped. */
  private checkSize(lineChars: number): boolean {
    const dataChars = this.data === null ? 0 : this.data.length;
    if (lineChars + dataChars <= this.maxEventChars + LINE_SLACK_CHARS) return false;
    this.tooLarge();
    return true;
  }

  private tooLarge(): void {
    this.stop();
    this.sink.onTooLarge(this.maxEventChars);
  }

  private line(input: string, start: number, end: number, stampMs: number): void {
    if (end === start) {
      // Blank line: dispatch.
      const data = this.data;
      const stamp = this.eventStampMs;
      this.data = null;
      this.eventStampMs = -1;
      if (data !== null) this.sink.onEvent(data, stamp);
      return;
    }
    const first = input.charCodeAt(start);
    if (first === 58 /* : */) return; // comment / keep-alive
    if (this.eventStampMs < 0) this.eventStampMs = stampMs;
    // "data:" or "data: "
    if (
      end - start >= 5 &&
      first === 100 &&
      input.charCodeAt(start + 1) === 97 &&
      input.charCodeAt(start + 2) === 116 &&
      input.charCodeAt(start + 3) === 97 &&
      input.charCodeAt(start + 4) === 58
    ) {
      let valueStart = start + 5;
      if (valueStart < end && input.charCodeAt(valueStart) === 32) valueStart++;
      const value = input.slice(valueStart, end);
      if (this.data === null) {
        if (value.length > this.maxEventChars) this.tooLarge();
        else this.data = value;
      } else if (this.data.length + 1 + value.length > this.maxEventChars) this.tooLarge();
      else this.data = this.data + '\n' + value;
    } else if (end - start === 4 && input.startsWith('data', start)) {
      if (this.data === null) this.data = '';
      else if (this.data.length + 1 > this.maxEventChars) this.tooLarge();
      else this.data = this.data + '\n';
    }
    // event:, id:, retry: and unknown fields are ignored.
  }
}

/** First CR or LF at or after `from` (`lf`: the first LF, or -1). */
function firstCr(text: string, from: number, lf: number): number {
  const cr = text.indexOf('\r', from);
  if (cr < 0) return lf;
  return lf < 0 || cr < lf ? cr : lf;
}
