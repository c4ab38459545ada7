// Reading and writing envelope files.
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseLossless } from 'lossless-json';
import { prettyJson } from './canonical.js';
import { EnvelopeError } from './errors.js';
import { contentHashOf } from './hash.js';
import { envelopeV1Schema, firstIssue, integerLiteralIssue } from './schema.js';
import type { EnvelopeV1 } from './schema.js';

export interface LoadedEnvelope {
  /** Plain JS values (numbers as doubles), for display and maths. */
  envelope: EnvelopeV1;
  /** lossless-json parse (numbers keep their text), for hashing. */
  lossless: unknown;
  /** The file text as read. */
  text: string;
}

/** Serialised file text: 2-space indent, Python-compatible number and string text, trailing newline. */
export function envelopeFileText(envelope: object): string {
  return `${prettyJson(envelope)}\n`;
}

export function envelopeFileName(prefix: string, contentHash: string): string {
  return `${prefix}${contentHash.slice(0, 12)}.json`;
}

/**
 * Writes `<dir>/<prefix><hash12>.json` atomically (temp file in the same folder, fsync, rename).
 * Refuses an unsigned envelope: the only unsigned files are those writeUnsignedEnvelope marks so.
 */
export async function writeEnvelope(dir: string, prefix: string, envelope: EnvelopeV1): Promise<string> {
  if (envelope.signature === null || envelope.signature === undefined)
    throw new EnvelopeError('refusing to write an unsigned envelope', 'E_ENVELOPE_UNSIGNED', 1);
  const contentHash = contentHashOf(envelope);
  return writeEnvelopeText(dir, envelopeFileName(prefix, contentHash), envelopeFileText(envelope));
}

async function writeEnvelopeText(dir: string, name: string, text: string): Promise<string> {
  const target = join(dir, name);
  await mkdir(dir, { recursive: true });
  const temp = join(dir, `.${name}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    // Exclusive and no-follow: a link planted under the random temp name fails the create.
    const handle = await open(
      temp,
      constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0),
      0o644,
    );
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  return target;
}

/**
 * Signing failed at the end of a run: keep the measurement. Writes the envelope with
 * `signature: null` and a top-level `unsigned_reason` (an extension key: readers report it as
 * `unsigned`), exclusively and atomically like a signed one. Returns the path and content hash.
 */
export async function writeUnsignedEnvelope(
  dir: string,
  prefix: string,
  envelope: object,
  reason: string,
): Promise<{ path: string; contentHash: string }> {
  const unsigned = { ...(envelope as Record<string, unknown>), signature: null, unsigned_reason: reason };
  const contentHash = contentHashOf(unsigned);
  const path = await writeEnvelopeText(
    dir,
    envelopeFileName(prefix, contentHash),
    envelopeFileText(unsigned),
  );
  return { path, contentHash };
}

function isTruncation(text: string, error: unknown): boolean {
  const message = error instanceof Error ? error.message : '';
  if (/end of JSON input|Unterminated string/i.test(message)) return true;
  const position = /at position (\d+)/.exec(message);
  return position !== null && Number(position[1]) >= text.trimEnd().length;
}

/** Parses envelope text; `label` names the source in error messages. */
export function parseEnvelopeText(text: string, label: string): LoadedEnvelope {
  if (text.trim().length === 0) throw new EnvelopeError(`${label} is empty`, 'E_ENVELOPE_TRUNCATED');
  let plain: unknown;
  try {
    plain = JSON.parse(text);
  } catch (error) {
    if (isTruncation(text, error))
      throw new EnvelopeError(`${label} is truncated (JSON ends early)`, 'E_ENVELOPE_TRUNCATED');
    const message = (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ');
    throw new EnvelopeError(`${label} is not JSON (${message})`, 'E_ENVELOPE_NOT_JSON');
  }
  let lossless: unknown;
  try {
    lossless = parseLossless(text);
  } catch (error) {
    const message = (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ');
    throw new EnvelopeError(`${label} is not usable JSON (${message})`, 'E_ENVELOPE_NOT_JSON');
  }
  if (plain === null || typeof plain !== 'object' || Array.isArray(plain))
    throw new EnvelopeError(
      `${label} is not an envelope: top level is ${Array.isArray(plain) ? 'an array' : typeof plain}`,
      'E_ENVELOPE_INVALID',
    );
  const result = envelopeV1Schema.safeParse(plain);
  if (!result.success)
    throw new EnvelopeError(
      `${label} is not an envelope v1: ${firstIssue(result.error)}`,
      'E_ENVELOPE_INVALID',
    );
  const integerIssue = integerLiteralIssue(lossless);
  if (integerIssue !== null)
    throw new EnvelopeError(`${label} is not an envelope v1: ${integerIssue}`, 'E_ENVELOPE_INVALID');
  return { envelope: plain as EnvelopeV1, lossless, text };
}

/** Default cap on an envelope file read from disk or a pipe (the same as HTTP fetches). */
export const DEFAULT_MAX_FILE_BYTES = 64 * 1024 * 1024;

export interface ReadEnvelopeOptions {
  /** Largest file accepted (default 64 MiB); larger files fail with E_ENVELOPE_TOO_LARGE. */
  maxBytes?: number | undefined;
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0)} MiB`;
}

function tooLarge(path: string, size: string, maxBytes: number): EnvelopeError {
  return new EnvelopeError(
    `${path} is ${size}, over the ${mib(maxBytes)} limit for an envelope (--max-file-bytes)`,
    'E_ENVELOPE_TOO_LARGE',
  );
}

/**
 * Reads a file once, at most `maxBytes`: a regular file's size is checked before reading, and any
 * other readable (a named pipe) is read in chunks and abandoned past the cap. The bytes returned are
 * the only read: callers verify and use these same bytes.
 */
export async function readBoundedFile(path: string, maxBytes: number): Promise<Buffer> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw unreadable(path, error);
  }
  try {
    const info = await handle.stat();
    if (info.isDirectory()) throw new EnvelopeError(`${path} is a directory`, 'E_ENVELOPE_NOT_FOUND');
    if (info.isFile() && info.size > maxBytes) throw tooLarge(path, mib(info.size), maxBytes);
    const chunks: Buffer[] = [];
    let total = 0;
    const chunkBytes = 1024 * 1024;
    for (;;) {
      const buffer = Buffer.allocUnsafe(Math.min(chunkBytes, maxBytes + 1 - total));
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > maxBytes) throw tooLarge(path, `more than ${mib(maxBytes)}`, maxBytes);
      chunks.push(bytesRead === buffer.length ? buffer : buffer.subarray(0, bytesRead));
    }
    return Buffer.concat(chunks, total);
  } catch (error) {
    if (error instanceof EnvelopeError) throw error;
    throw unreadable(path, error);
  } finally {
    await handle.close().catch(() => undefined);
  }
}

function unreadable(path: string, error: unknown): EnvelopeError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new EnvelopeError(`${path}: no such file`, 'E_ENVELOPE_NOT_FOUND');
  if (code === 'EISDIR') return new EnvelopeError(`${path} is a directory`, 'E_ENVELOPE_NOT_FOUND');
  return new EnvelopeError(`cannot read ${path} (${code ?? String(error)})`, 'E_ENVELOPE_UNREADABLE');
}

export async function readEnvelopeFile(
  path: string,
  options: ReadEnvelopeOptions = {},
): Promise<LoadedEnvelope> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_FILE_BYTES;
  const bytes = await readBoundedFile(path, maxBytes);
  const text = bytes.toString('utf8');
  return parseEnvelopeText(text, path);
}
