// Reading and writing envelope files.
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
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
 * Refuses an unsigned envelope so that no unsigned file is ever left behind.
 */
export async function writeEnvelope(dir: string, prefix: string, envelope: EnvelopeV1): Promise<string> {
  if (envelope.signature === null || envelope.signature === undefined)
    throw new EnvelopeError('refusing to write an unsigned envelope', 'E_ENVELOPE_UNSIGNED', 1);
  const contentHash = contentHashOf(envelope);
  const text = envelopeFileText(envelope);
  const target = join(dir, envelopeFileName(prefix, contentHash));
  await mkdir(dir, { recursive: true });
  const temp = join(dir, `.${envelopeFileName(prefix, contentHash)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await open(temp, 'wx', 0o644);
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

export async function readEnvelopeFile(path: string): Promise<LoadedEnvelope> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new EnvelopeError(`${path}: no such file`, 'E_ENVELOPE_NOT_FOUND');
    if (code === 'EISDIR') throw new EnvelopeError(`${path} is a directory`, 'E_ENVELOPE_NOT_FOUND');
    throw new EnvelopeError(`cannot read ${path} (${code ?? String(error)})`, 'E_ENVELOPE_UNREADABLE');
  }
  return parseEnvelopeText(text, path);
}
