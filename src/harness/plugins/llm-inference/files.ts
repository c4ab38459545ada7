// Dataset file reading with line numbers: JSONL line by line, and large JSON arrays (ShareGPT is
// ~650 MB — more than one V8 string holds) element by element, stopping early when enough is read.
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { DatasetFormatError, DatasetMissingError } from '../errors.js';

export async function assertReadable(path: string, what: string): Promise<void> {
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new Error('not a file');
  } catch {
    throw new DatasetMissingError(`${what} not found: ${path}`);
  }
}

export interface JsonLine {
  readonly line: number;
  readonly value: unknown;
}

/** Every non-blank line of a JSONL file, parsed; a line that is not JSON → DatasetFormatError file:line. */
export async function readJsonLines(path: string, what: string): Promise<JsonLine[]> {
  await assertReadable(path, what);
  return parseJsonLines(await readFile(path, 'utf8'), path);
}

/** Parses JSONL text; `path` names the source in errors. */
export function parseJsonLines(text: string, path: string): JsonLine[] {
  const out: JsonLine[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.trim();
    if (raw === '') continue;
    try {
      out.push({ line: i + 1, value: JSON.parse(raw) });
    } catch (error) {
      throw new DatasetFormatError(path, i + 1, `not valid JSON (${(error as Error).message})`);
    }
  }
  if (out.length === 0) throw new DatasetFormatError(path, null, 'no records');
  return out;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Streams the elements of a top-level JSON array. `onElement` returns false to stop reading.
 * Each element is parsed on its own; a malformed one → DatasetFormatError with its starting line.
 */
export async function streamJsonArray(
  path: string,
  what: string,
  onElement: (value: unknown, line: number) => boolean,
  chunkBytes = 1 << 20,
): Promise<void> {
  await assertReadable(path, what);
  const stream = createReadStream(path, { highWaterMark: chunkBytes });
  const decoder = new StringDecoder('utf8');
  let started = false;
  let finished = false;
  let depth = 0;
  let inString = false;
  let escaped = false;
  let line = 1;
  let elementLine = 1;
  let element = '';
  let elementStart = -1;
  const fail = (at: number, reason: string): never => {
    stream.destroy();
    throw new DatasetFormatError(path, at, reason);
  };
  const emit = (text: string): boolean => {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      fail(elementLine, `not valid JSON (${(error as Error).message})`);
    }
    return onElement(value, elementLine);
  };
  const feed = (chunk: string): boolean => {
    elementStart = depth > 0 ? 0 : -1;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i]!;
      if (c === '\n') line++;
      if (!started) {
        if (c === '[') started = true;
        else if (!/\s/.test(c)) fail(line, 'expected a JSON array of conversations');
        continue;
      }
      if (depth === 0) {
        if (c === '{' || c === '[') {
          depth = 1;
          elementStart = i;
          elementLine = line;
          element = '';
        } else if (c === ']') {
          finished = true;
          return false;
        } else if (c !== ',' && !/\s/.test(c)) {
          fail(line, `unexpected ${JSON.stringify(c)} between array elements`);
        }
        continue;
      }
      if (inString) {
        if (escaped) escaped = false;
        else if (c === '\\') escaped = true;
        else if (c === '"') inString = false;
        continue;
      }
      if (c === '"') inString = true;
      else if (c === '{' || c === '[') depth++;
      else if (c === '}' || c === ']') {
        depth--;
        if (depth === 0) {
          element += chunk.slice(elementStart, i + 1);
          elementStart = -1;
          if (!emit(element)) return false;
          element = '';
        }
      }
    }
    if (depth > 0 && elementStart >= 0) element += chunk.slice(elementStart);
    return true;
  };
  try {
    for await (const buffer of stream) {
      if (!feed(decoder.write(buffer as Buffer))) {
        stream.destroy();
        return;
      }
    }
    feed(decoder.end());
  } finally {
    stream.destroy();
  }
  if (!started) fail(1, 'empty file (expected a JSON array)');
  if (!finished) fail(line, depth > 0 ? 'file ends inside an element (truncated?)' : 'missing closing "]"');
}
