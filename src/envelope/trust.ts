// The trust store: which signers the user trusts. A valid signature proves only that the holder
// of a key signed the bytes; it is `trusted` when that key (dev-key) is in the store, or when the
// keyless certificate identity matches one of the store's identity patterns.
//
// Where it lives: $BENCH_CONFIG_DIR, else $XDG_CONFIG_HOME/inferencebench, else
// ~/.config/inferencebench. Inside it:
//   trusted-keys/*.pub, *.pem   ed25519 public keys (SPKI PEM), one per file
//   trusted-identities          keyless identities: one anchored regular expression per line
//                               (`#` starts a comment), matched against the certificate's SAN
// plus `--trusted-key PATH` (repeatable) and `--identity PATTERN` on the command line.
import type { KeyObject } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { configRoot } from '../lib/paths.js';
import { EnvelopeError } from './errors.js';
import { anchoredPattern } from './keyless.js';
import { parseEd25519PublicKey } from './keys.js';

/** What a reader may say about an envelope's signer: exactly one of these. */
export type TrustLevel = 'trusted' | 'untrusted' | 'invalid' | 'unsigned';

export const TRUST_LABELS: Readonly<Record<TrustLevel, string>> = {
  trusted: 'trusted',
  untrusted: 'valid but untrusted signer',
  invalid: 'invalid',
  unsigned: 'unsigned',
};

export interface TrustedKey {
  /** Where it came from (a file path), for messages. */
  readonly label: string;
  readonly der: Buffer;
}

export interface TrustStore {
  readonly keys: readonly TrustedKey[];
  readonly identities: readonly { readonly label: string; readonly pattern: RegExp }[];
  /** The directory searched (for messages), whether or not it exists. */
  readonly dir: string;
}

export const EMPTY_TRUST_STORE: TrustStore = { keys: [], identities: [], dir: '' };

/** The config directory: $BENCH_CONFIG_DIR, $XDG_CONFIG_HOME/inferencebench, ~/.config/inferencebench. */
export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  return configRoot(env);
}

export function trustedKeysDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(configDir(env), 'trusted-keys');
}

const MAX_KEY_FILE_BYTES = 64 * 1024;

async function readSmall(path: string, what: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new EnvelopeError(
      `cannot read ${what} ${path} (${code ?? String(error)})`,
      code === 'ENOENT' ? 'E_KEY_MISSING' : 'E_KEY_UNREADABLE',
    );
  }
  if (text.length > MAX_KEY_FILE_BYTES)
    throw new EnvelopeError(`${what} ${path} is too large to be a public key`, 'E_KEY_INVALID');
  return text;
}

function keyOf(pem: string, label: string): TrustedKey {
  const key: KeyObject = parseEd25519PublicKey(pem, label);
  return { label, der: key.export({ type: 'spki', format: 'der' }) };
}

export interface TrustStoreOptions {
  /** --trusted-key PATH… */
  readonly keyPaths?: readonly string[];
  /** PEM text of --dev-public-key (also a trusted key). */
  readonly devPublicKeyPem?: string;
  readonly devPublicKeyLabel?: string;
  /** --identity PATTERN (keyless; also a trusted identity). */
  readonly identityPattern?: string;
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Loads the store. A file in trusted-keys/ that is not an ed25519 public key is an error (exit 2):
 * a store silently missing a key would make genuine envelopes look untrusted.
 */
export async function loadTrustStore(options: TrustStoreOptions = {}): Promise<TrustStore> {
  const env = options.env ?? process.env;
  const dir = trustedKeysDir(env);
  const keys: TrustedKey[] = [];
  let names: string[] = [];
  try {
    names = (await readdir(dir)).filter((n) => /\.(pub|pem)$/.test(n)).sort();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR')
      throw new EnvelopeError(
        `cannot read the trust store ${dir} (${code ?? String(error)})`,
        'E_TRUST_STORE',
      );
  }
  for (const name of names) {
    const path = join(dir, name);
    keys.push(keyOf(await readSmall(path, 'trusted key'), `trusted key ${path}`));
  }
  for (const path of options.keyPaths ?? []) {
    keys.push(keyOf(await readSmall(path, '--trusted-key'), `--trusted-key ${path}`));
  }
  if (options.devPublicKeyPem !== undefined)
    keys.push(keyOf(options.devPublicKeyPem, options.devPublicKeyLabel ?? '--dev-public-key'));
  const identities: { label: string; pattern: RegExp }[] = [];
  const identitiesPath = join(configDir(env), 'trusted-identities');
  let text = '';
  try {
    text = await readFile(identitiesPath, 'utf8');
  } catch {
    // no identities file: keyless envelopes are trusted only through --identity
  }
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*$/, '').trim();
    if (line !== '') identities.push({ label: `${identitiesPath}: ${line}`, pattern: anchoredPattern(line) });
  }
  if (options.identityPattern !== undefined)
    identities.push({
      label: `--identity ${options.identityPattern}`,
      pattern: anchoredPattern(options.identityPattern),
    });
  return { keys, identities, dir };
}

/** The store entry for a dev-key signer's SPKI DER, or null when the key is not trusted. */
export function trustedKeyFor(store: TrustStore, der: Buffer): TrustedKey | null {
  return store.keys.find((k) => k.der.equals(der)) ?? null;
}

/** The store entry matching a keyless certificate identity, or null. */
export function trustedIdentityFor(store: TrustStore, identity: string | undefined): string | null {
  if (identity === undefined) return null;
  return store.identities.find((i) => i.pattern.test(identity))?.label ?? null;
}
