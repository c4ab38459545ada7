// Hand-written SSE line parser. It receives decoded text chunks with the arrival stamp of the
// socket read they came from, and hands each complete event's `data` to a sink together with that
// stamp. No per-event closures or arrays: one string buffer, one index walk per chunk.
//
// Per the SSE spec: lines end in \n, \r\n or \r; a blank line dispatches the event; `:` lines are
// comments; several `data:` lines are joined with \n; other fields (event, id, retry) are ignored.

export interface SseSink {
  onEvent(data: string, stampMs: number): void;
}

export class SseParser {
  private buffer = '';
  /** Stamp of the read that delivered the first byte of the buffered partial line. */
  private bufferStampMs = 0;
  private data: string | null = null;
  /** Stamp of the read that delivered the first byte of the current event (-1: none started). */
  private eventStampMs = -1;
  private skipLeadingLf = false;
  private stopped = false;

  constructor(private readonly sink: SseSink) {}

  /** Stop dispatching (after a fatal event); later input is ignored. */
  stop(): void {
    this.stopped = true;
    this.buffer = '';
    this.data = null;
  }

  feed(text: string, stampMs: number): void {
    if (this.stopped || text.length === 0) return;
    let lineStampMs = stampMs;
    let input = text;
    if (this.buffer.length > 0) {
      input = this.buffer + text;
      lineStampMs = this.bufferStampMs;
      this.buffer = '';
    }
    let start = 0;
    if (this.skipLeadingLf && input.charCodeAt(0) === 10) start = 1;
    this.skipLeadingLf = false;
    const length = input.length;
    // Fast path: no CR anywhere, so every line ends at the next LF (native indexOf).
    const hasCr = input.indexOf('\r', start) >= 0;
    while (start < length && !this.stopped) {
      let end: number;
      let code = 10;
      if (!hasCr) {
        end = input.indexOf('\n', start);
        if (end < 0) end = length;
      } else {
        end = start;
        while (end < length) {
          code = input.charCodeAt(end);
          if (code === 10 || code === 13) break;
          end++;
        }
      }
      if (end >= length) {
        // Incomplete line: keep it (and the stamp of its first byte) for the next read.
        this.buffer = input.slice(start);
        this.bufferStampMs = lineStampMs;
        return;
      }
      this.line(input, start, end, lineStampMs);
      lineStampMs = stampMs;
      if (code === 13) {
        if (end + 1 < length) {
          if (input.charCodeAt(end + 1) === 10) end++;
        } else {
          this.skipLeadingLf = true;
        }
      }
      start = end + 1;
    }
  }

  /** End of stream: an unterminated final event is dropped, as the spec says. */
  end(): void {
    this.buffer = '';
    this.data = null;
    this.eventStampMs = -1;
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
      this.data = this.data === null ? value : this.data + '\n' + value;
    } else if (end - start === 4 && input.startsWith('data', start)) {
      this.data = this.data === null ? '' : this.data + '\n';
    }
    // event:, id:, retry: and unknown fields are ignored.
  }
}
