// model.endpoint_hash: identifies the endpoint a run measured without storing it. A plain sha256
// of "http://10.0.0.5:8000/v1" can be reversed by trying every address and port, so the hash is
// keyed: HMAC-SHA256 under a random per-user key kept in the config directory (created once, mode
// 0600). Two runs by the same user against the same endpoint get the same hash; nobody else can
// tell which endpoint it was. Credentials, query and fragment are dropped before hashing, so
// rotating a key does not change the endpoint's identity.
import { createHmac, randomBytes } from 'node:crypto';
import { constants, mkdirSync, openSync, readFileSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { configDir } from './trust.js';

export const ENDPOINT_KEY_FILE = 'endpoint-hash.key';
const ZERO_HASH = '0'.repeat(64);

/** scheme://host:port/path, lower-cased host, no credentials, query, fragment or trailing slash. */
export function normalizeEndpoint(baseUrl: string): string {
  try {
    const url = new URL(baseUrl);
    return `${url.protocol}//${url.host.toLowerCase()}${url.pathname.replace(/\/+$/, '')}`;
  } catch {
    return baseUrl;
  }
}

function readKey(path: string): Buffer | null {
  try {
    const text = readFileSync(path, 'utf8').trim();
    return /^[0-9a-f]{64}$/.test(text) ? Buffer.from(text, 'hex') : null;
  } catch {
    return null;
  }
}

/** The user's endpoint-hash key, created (exclusively, 0600) on first use. */
export function endpointHashKey(env: NodeJS.ProcessEnv = process.env): Buffer {
  const dir = configDir(env);
  const path = join(dir, ENDPOINT_KEY_FILE);
  const existing = readKey(path);
  if (existing) return existing;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const key = randomBytes(32);
  try {
    const fd = openSync(
      path,
      constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0),
      0o600,
    );
    try {
      writeSync(fd, `${key.toString('hex')}\n`);
    } finally {
      closeSync(fd);
    }
    return key;
  } catch {
    // Another process created it first (or the directory is read-only): use what is there, else
    // this process's key (hashes then only match within this run).
    return readKey(path) ?? key;
  }
}

/** HMAC-SHA256(key, normalized endpoint) in hex; all zeros when there is no endpoint (embedded engine). */
export function keyedEndpointHash(baseUrl: string | null, key: Buffer = endpointHashKey()): string {
  if (baseUrl === null) return ZERO_HASH;
  return createHmac('sha256', key).update(normalizeEndpoint(baseUrl), 'utf8').digest('hex');
}
