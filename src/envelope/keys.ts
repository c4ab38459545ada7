// ed25519 dev keys: PKCS#8 PEM private key (mode 0600) + SPKI PEM public key `<name>.pub`.
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { lstat, mkdir, open, readFile, rm } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { EnvelopeError } from './errors.js';

export interface DevSigner {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** SPKI PEM without a trailing newline, exactly as stored in signature.certificate. */
  readonly publicKeyPem: string;
  readonly path: string;
}

export function publicKeyPemOf(key: KeyObject): string {
  return String(key.export({ type: 'spki', format: 'pem' })).trim();
}

function errnoCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

async function readKeyText(path: string, what: string, missingHint: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'ENOENT')
      throw new EnvelopeError(`${what} ${path} not found: ${missingHint}`, 'E_KEY_MISSING');
    if (code === 'EISDIR') throw new EnvelopeError(`${what} ${path} is a directory`, 'E_KEY_UNREADABLE');
    throw new EnvelopeError(`cannot read ${what} ${path} (${code ?? String(error)})`, 'E_KEY_UNREADABLE');
  }
}

/** Loads an ed25519 PKCS#8 PEM private key for dev-key signing. */
export async function loadDevSigner(path: string): Promise<DevSigner> {
  const text = await readKeyText(
    path,
    'dev key',
    `run \`bench keygen ${path}\` to create one, or pass --dev-key PATH`,
  );
  if (/ENCRYPTED (SIGSTORE|COSIGN) PRIVATE KEY/.test(text))
    throw new EnvelopeError(
      `dev key ${path} is an encrypted cosign key; dev signing needs an unencrypted ed25519 PEM key (bench keygen makes one)`,
      'E_KEY_TYPE',
    );
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: text, format: 'pem' });
  } catch {
    throw new EnvelopeError(
      `dev key ${path} is not a PEM private key (bench keygen makes one)`,
      'E_KEY_INVALID',
    );
  }
  if (privateKey.asymmetricKeyType !== 'ed25519')
    throw new EnvelopeError(
      `dev key ${path} has key type ${privateKey.asymmetricKeyType ?? 'unknown'}; dev signing needs ed25519 (bench keygen makes one)`,
      'E_KEY_TYPE',
    );
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, publicKeyPem: publicKeyPemOf(publicKey), path };
}

/** Parses an ed25519 public key from PEM text (SPKI, or a private key from which it is derived). */
export function parseEd25519PublicKey(pem: string, label: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: pem, format: 'pem' });
  } catch {
    throw new EnvelopeError(`${label} is not a PEM public key`, 'E_KEY_INVALID');
  }
  if (key.asymmetricKeyType !== 'ed25519')
    throw new EnvelopeError(
      `${label} has key type ${key.asymmetricKeyType ?? 'unknown'}; dev-key envelopes are signed with ed25519`,
      'E_KEY_TYPE',
    );
  return key;
}

/** Reads a public key file given with --dev-public-key. */
export async function loadPublicKeyFile(path: string): Promise<string> {
  const text = await readKeyText(path, 'public key', 'check the --dev-public-key path');
  parseEd25519PublicKey(text, `public key ${path}`);
  return text;
}

/** `<dir>/<name>.pub` for a private key path (`cosign.key` → `cosign.pub`). */
export function publicKeyPathFor(privateKeyPath: string): string {
  const ext = extname(privateKeyPath);
  const stem = ext === '.key' || ext === '.pem' ? basename(privateKeyPath, ext) : basename(privateKeyPath);
  return join(dirname(privateKeyPath), `${stem}.pub`);
}

export interface GeneratedKeyPair {
  privateKeyPath: string;
  publicKeyPath: string;
  publicKeyPem: string;
}

async function writeExclusive(path: string, text: string, mode: number, force: boolean): Promise<void> {
  if (force) await rm(path, { force: true });
  let handle;
  try {
    handle = await open(path, 'wx', mode);
  } catch (error) {
    if (errnoCode(error) === 'EEXIST')
      throw new EnvelopeError(`${path} already exists (use --force to overwrite)`, 'E_KEY_EXISTS');
    throw new EnvelopeError(
      `cannot write ${path} (${errnoCode(error) ?? String(error)})`,
      'E_KEY_UNREADABLE',
    );
  }
  try {
    await handle.writeFile(text, 'utf8');
    await handle.chmod(mode);
  } finally {
    await handle.close();
  }
}

/** Writes a fresh ed25519 key pair: PKCS#8 PEM (0600) at `path`, SPKI PEM at `<name>.pub`. */
export async function generateDevKeyPair(path: string, force = false): Promise<GeneratedKeyPair> {
  const publicKeyPath = publicKeyPathFor(path);
  if (!force) {
    for (const target of [path, publicKeyPath]) {
      const exists = await lstat(target).then(
        () => true,
        () => false,
      );
      if (exists)
        throw new EnvelopeError(`${target} already exists (use --force to overwrite)`, 'E_KEY_EXISTS');
    }
  }
  await mkdir(dirname(path), { recursive: true });
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const privatePem = String(privateKey.export({ type: 'pkcs8', format: 'pem' }));
  const publicKeyPem = publicKeyPemOf(publicKey);
  await writeExclusive(path, privatePem, 0o600, force);
  await writeExclusive(publicKeyPath, `${publicKeyPem}\n`, 0o644, force);
  return { privateKeyPath: path, publicKeyPath, publicKeyPem };
}
