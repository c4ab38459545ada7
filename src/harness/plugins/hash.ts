// dataset.hash: sha256 over the canonical content in the order used — one canonical JSON line per
// item (object keys sorted, no spaces), so the hash depends on content and order only.
import { createHash } from 'node:crypto';

function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
}

export function canonicalJson(value: unknown): string {
  return canonical(value);
}

export function hashItems(items: Iterable<unknown>): string {
  const hash = createHash('sha256');
  for (const item of items) hash.update(`${canonical(item)}\n`);
  return hash.digest('hex');
}
