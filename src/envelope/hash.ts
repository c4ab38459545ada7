// content_hash = sha256 hex of the canonical JSON of the envelope without its `signature` key.
import { createHash } from 'node:crypto';
import { canonicalJson, canonicalJsonLossless } from './canonical.js';

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function withoutSignature(envelope: object): Record<string, unknown> {
  const rest: Record<string, unknown> = { ...(envelope as Record<string, unknown>) };
  delete rest.signature;
  return rest;
}

/** content_hash of an envelope we built (plain JS values). */
export function contentHashOf(envelope: object): string {
  return sha256Hex(canonicalJson(withoutSignature(envelope)));
}

/** content_hash of a foreign envelope parsed with lossless-json (numbers keep their text). */
export function contentHashOfLossless(parsed: object): string {
  return sha256Hex(canonicalJsonLossless(withoutSignature(parsed)));
}
