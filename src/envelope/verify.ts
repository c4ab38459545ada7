// Verification of an envelope: recompute content_hash (lossless for files), compare with the file
// name's hash prefix, check the signature (dev-key ed25519 or Sigstore keyless).
import { verify as cryptoVerify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { basename } from 'node:path';
import type { TrustedRoot } from '@sigstore/protobuf-specs';
import { strictBase64 } from './base64.js';
import { contentHashOf, contentHashOfLossless } from './hash.js';
import { readEnvelopeFile, type LoadedEnvelope } from './io.js';
import { parseEd25519PublicKey, publicKeyPemOf } from './keys.js';
import { loadTrustedRoot, verifyKeyless } from './keyless.js';
import { envelopeV1Schema, firstIssue } from './schema.js';
import { trustedIdentityFor, trustedKeyFor, type TrustLevel, type TrustStore } from './trust.js';

export interface VerifyOptions {
  /** PEM text of a trusted ed25519 public key (--dev-public-key): the signer must be this key. */
  devPublicKeyPem?: string | undefined;
  /** Sigstore trusted_root.json for offline keyless verification. */
  trustedRootPath?: string | undefined;
  /** Accept envelopes with `signature: null` (hash checks still apply). */
  allowUnsigned?: boolean | undefined;
  /** Keyless: the certificate identity must match this pattern (anchored as ^…$). */
  identityPattern?: string | undefined;
  /**
   * Compare the content hash with the 12-hex prefix in the file name (default true). Set false for
   * files stored under other names (e.g. a fetch cache keyed by URI): storedHashPrefixOk is then null.
   */
  checkFileName?: boolean | undefined;
  /** Largest envelope file read (default 64 MiB). */
  maxBytes?: number | undefined;
  /** The user's trust store (trusted keys and keyless identities); decides trusted vs untrusted. */
  trustStore?: TrustStore | undefined;
}

export interface VerifyResult {
  ok: boolean;
  path: string | null;
  /** signature.method, or null when unsigned / unreadable. */
  method: string | null;
  contentHash: string;
  /** true/false when the file name carries a 12-hex prefix, null when it does not. */
  storedHashPrefixOk: boolean | null;
  /** trust === 'trusted' (kept for callers that only need a yes/no). */
  keyTrusted: boolean;
  /** Exactly one of trusted / untrusted (valid, signer not in the trust store) / invalid / unsigned. */
  trust: TrustLevel;
  /** False when the check stopped before the signature (bad schema, hash mismatch, no root). */
  signatureChecked: boolean;
  /** Which trust-store entry made it trusted (a key file, an identity pattern). */
  trustedBy?: string;
  identity?: string;
  issuer?: string;
  reason?: string;
  suite: { id: string; version: string };
  model: { id: string; revision: string };
  engine: { name: string; version: string };
}

const HASH_IN_NAME = /(?:^|-)([0-9a-f]{12})\.json$/;

/** The 12-hex content-hash prefix in a file name (`c16-b91875fdf860.json` → `b91875fdf860`). */
export function hashPrefixFromName(path: string): string | null {
  return HASH_IN_NAME.exec(basename(path))?.[1] ?? null;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function describe(envelope: Record<string, unknown>): Pick<VerifyResult, 'suite' | 'model' | 'engine'> {
  const model = (envelope.model ?? {}) as Record<string, unknown>;
  const engine = (envelope.engine ?? {}) as Record<string, unknown>;
  return {
    suite: { id: text(envelope.suite_id), version: text(envelope.suite_version) },
    model: { id: text(model.id), revision: text(model.revision) },
    engine: { name: text(engine.name), version: text(engine.version) },
  };
}

function verifyDevKey(
  contentHash: string,
  signature: { certificate: string; rekor_log_index: number; bundle: string },
  pinnedKey: KeyObject | undefined,
): { ok: boolean; reason?: string; signerDer?: Buffer } {
  if (signature.rekor_log_index !== -1)
    return { ok: false, reason: 'dev-key signature must have rekor_log_index -1' };
  let embedded: KeyObject;
  try {
    embedded = parseEd25519PublicKey(signature.certificate, 'signature.certificate');
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
  // The certificate text must be the canonical SPKI PEM of the key (PEM decoders ignore some bits).
  if (publicKeyPemOf(embedded) !== signature.certificate.trim())
    return { ok: false, reason: 'signature.certificate is not a canonical SPKI PEM public key' };
  const embeddedDer = embedded.export({ type: 'spki', format: 'der' });
  if (pinnedKey) {
    const pinnedDer = pinnedKey.export({ type: 'spki', format: 'der' });
    if (!embeddedDer.equals(pinnedDer))
      return { ok: false, reason: 'signed by a different key than --dev-public-key' };
  }
  const signatureBytes = strictBase64(signature.bundle);
  if (signatureBytes === null || signatureBytes.length !== 64)
    return { ok: false, reason: 'signature.bundle is not a base64 ed25519 signature' };
  const valid = cryptoVerify(null, Buffer.from(contentHash, 'utf8'), pinnedKey ?? embedded, signatureBytes);
  return valid
    ? { ok: true, signerDer: embeddedDer }
    : { ok: false, reason: 'signature does not match the recomputed content_hash' };
}

export interface VerifyObjectInput {
  /** The envelope with plain JS values (used for hashing when `lossless` is absent). */
  envelope: object;
  /** lossless-json parse of the file; when present, the hash keeps each number's original text. */
  lossless?: unknown;
  path?: string | null;
}

const trustedRootCache = new Map<string, Promise<TrustedRoot>>();

/** Verifies an already-loaded envelope. Throws only for unusable options (bad key, bad root). */
export async function verifyEnvelopeObject(
  input: VerifyObjectInput,
  options: VerifyOptions = {},
): Promise<VerifyResult> {
  const envelope = input.envelope as Record<string, unknown>;
  const path = input.path ?? null;
  const trustedKey =
    options.devPublicKeyPem !== undefined
      ? parseEd25519PublicKey(options.devPublicKeyPem, '--dev-public-key')
      : undefined;
  const contentHash =
    input.lossless !== undefined ? contentHashOfLossless(input.lossless as object) : contentHashOf(envelope);
  const storedPrefix = path === null || options.checkFileName === false ? null : hashPrefixFromName(path);
  const storedHashPrefixOk = storedPrefix === null ? null : storedPrefix === contentHash.slice(0, 12);
  const signature = (envelope.signature ?? null) as Record<string, unknown> | null;
  const result: VerifyResult = {
    ok: false,
    path,
    method: signature && typeof signature.method === 'string' ? signature.method : null,
    contentHash,
    storedHashPrefixOk,
    keyTrusted: false,
    trust: signature === null ? 'unsigned' : 'invalid',
    signatureChecked: false,
    ...describe(envelope),
  };
  const store = options.trustStore;
  const schema = envelopeV1Schema.safeParse(envelope);
  if (!schema.success) return { ...result, reason: `not an envelope v1: ${firstIssue(schema.error)}` };
  if (storedHashPrefixOk === false)
    return {
      ...result,
      reason: `content hash mismatch (stored=${storedPrefix ?? ''}, recomputed=${contentHash})`,
    };
  const sig = schema.data.signature;
  if (sig === null)
    return options.allowUnsigned
      ? { ...result, ok: true, reason: 'unsigned (accepted with --allow-unsigned)' }
      : { ...result, reason: 'unsigned envelope (signature is null; pass --allow-unsigned to accept)' };
  if (sig.method === 'dev-key') {
    const check = verifyDevKey(contentHash, sig, trustedKey);
    if (!check.ok)
      return { ...result, signatureChecked: true, reason: check.reason ?? 'signature check failed' };
    const entry = store && check.signerDer ? trustedKeyFor(store, check.signerDer) : null;
    const trustedBy = entry?.label ?? (trustedKey !== undefined ? '--dev-public-key' : undefined);
    return trustedBy !== undefined
      ? { ...result, ok: true, signatureChecked: true, keyTrusted: true, trust: 'trusted', trustedBy }
      : { ...result, ok: true, signatureChecked: true, trust: 'untrusted' };
  }
  if (sig.method === 'sigstore-cosign') {
    if (options.trustedRootPath === undefined)
      return {
        ...result,
        reason: 'keyless envelope: pass --trusted-root FILE (a Sigstore trusted_root.json) to verify it',
      };
    let rootPromise = trustedRootCache.get(options.trustedRootPath);
    if (!rootPromise) {
      rootPromise = loadTrustedRoot(options.trustedRootPath);
      trustedRootCache.set(options.trustedRootPath, rootPromise);
      rootPromise.catch(() => trustedRootCache.delete(options.trustedRootPath ?? ''));
    }
    const check = verifyKeyless(contentHash, sig, await rootPromise, options.identityPattern);
    const extra: Partial<VerifyResult> = { signatureChecked: true };
    if (check.identity !== undefined) extra.identity = check.identity;
    if (check.issuer !== undefined) extra.issuer = check.issuer;
    if (!check.ok) return { ...result, ...extra, reason: check.reason ?? 'keyless verification failed' };
    // A chain to the root proves who signed; trusted only when that identity is one the user named.
    const trustedBy =
      options.identityPattern !== undefined
        ? `--identity ${options.identityPattern}`
        : store
          ? (trustedIdentityFor(store, check.identity) ?? undefined)
          : undefined;
    return trustedBy !== undefined
      ? { ...result, ...extra, ok: true, keyTrusted: true, trust: 'trusted', trustedBy }
      : { ...result, ...extra, ok: true, trust: 'untrusted' };
  }
  return { ...result, reason: `unknown signature method ${JSON.stringify(sig.method)}` };
}

/**
 * Loads and verifies one envelope file. Throws an EnvelopeError (exitCode 2) when the file cannot
 * be used at all (missing, not JSON, truncated, not an envelope); returns ok:false for failed checks.
 */
export async function verifyEnvelopeFile(path: string, options: VerifyOptions = {}): Promise<VerifyResult> {
  return (await readAndVerifyEnvelope(path, options)).result;
}

/**
 * Reads an envelope once (bounded) and verifies exactly those bytes: what replay and profile must
 * use, so that a file swapped between two reads (or a named pipe) cannot run other numbers than
 * those verified.
 */
export async function readAndVerifyEnvelope(
  path: string,
  options: VerifyOptions = {},
): Promise<{ loaded: LoadedEnvelope; result: VerifyResult }> {
  const loaded = await readEnvelopeFile(path, { maxBytes: options.maxBytes });
  const result = await verifyEnvelopeObject(
    { envelope: loaded.envelope, lossless: loaded.lossless, path },
    options,
  );
  return { loaded, result };
}
