// Fast path for the steady part of a stream. Mid-stream chunks of one response differ only in
// their text: `{"id":"…","object":"chat.completion.chunk",…,"delta":{"content":"<TEXT>"},…}`.
// After one such chunk has gone through JSON.parse, the template learns the text before and after
// the text value; a later chunk that is exactly prefix + plain text + suffix is then read with two
// string comparisons instead of a JSON.parse (which is most of a client's per-event CPU).
//
// Sound by construction: the template is only learned after parsing the chunk with a probe text
// put in place and checking (via the caller's predicate) that the probe chunk means "a delta
// carrying this text and nothing else". Any chunk prefix + T + suffix, where T contains no quote,
// backslash or control character, is then the same JSON document with text T. Everything else
// (usage, finish reasons, errors, escapes, a changed id) takes the JSON.parse path.

/** The JSON key holding the text: chat deltas use `content`, completions `text`. */
export type TextField = 'content' | 'text';

/** Returns true when `parsed` is a delta whose only token-bearing text is `probe`. */
export type PlainDeltaCheck = (parsed: unknown, probe: string) => boolean;

const PROBE = 'ib-template-probe';
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const SPACE = 0x20;

export class ChunkTemplate {
  private prefix: string | null = null;
  private suffix = '';
  private fixedLength = 0;

  constructor(private readonly field: TextField) {}

  get learned(): boolean {
    return this.prefix !== null;
  }

  /** The chunk's text when `data` is the learned chunk with another plain text; otherwise null. */
  match(data: string): string | null {
    const prefix = this.prefix;
    if (prefix === null || data.length < this.fixedLength) return null;
    const end = data.length - this.suffix.length;
    // slice + === compares flat strings with memcmp; String#startsWith is several times slower in V8.
    if (data.slice(0, prefix.length) !== prefix || data.slice(end) !== this.suffix) return null;
    for (let i = prefix.length; i < end; i++) {
      const code = data.charCodeAt(i);
      if (code === QUOTE || code === BACKSLASH || code < SPACE) return null;
    }
    return data.slice(prefix.length, end);
  }

  /**
   * Learns the template from a chunk (raw JSON text) whose only token-bearing field is this
   * template's field. Returns false, learning nothing, when the field's place is ambiguous or the
   * probe check fails.
   */
  learn(data: string, isPlainDelta: PlainDeltaCheck): boolean {
    const key = `"${this.field}"`;
    const keyAt = data.indexOf(key);
    if (keyAt < 0 || data.indexOf(key, keyAt + key.length) >= 0) return false;
    let i = skipSpace(data, keyAt + key.length);
    if (data.charCodeAt(i) !== 0x3a /* : */) return false;
    i = skipSpace(data, i + 1);
    if (data.charCodeAt(i) !== QUOTE) return false;
    const start = i + 1;
    let end = -1;
    for (let j = start; j < data.length; j++) {
      const code = data.charCodeAt(j);
      if (code === BACKSLASH) j++;
      else if (code === QUOTE) {
        end = j;
        break;
      }
    }
    if (end < 0) return false;
    const prefix = data.slice(0, start);
    const suffix = data.slice(end);
    let probe: unknown;
    try {
      probe = JSON.parse(prefix + PROBE + suffix);
    } catch {
      return false;
    }
    if (!isPlainDelta(probe, PROBE)) return false;
    this.prefix = prefix;
    this.suffix = suffix;
    this.fixedLength = prefix.length + suffix.length;
    return true;
  }
}

function skipSpace(text: string, from: number): number {
  let i = from;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    if (code !== SPACE && code !== 0x09 && code !== 0x0a && code !== 0x0d) break;
    i++;
  }
  return i;
}
