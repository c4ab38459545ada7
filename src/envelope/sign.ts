// Signing: dev-key (ed25519 over the UTF-8 bytes of the hex content_hash, the InferenceBench
// scheme) or keyless (Sigstore bundle over the same bytes).
import { sign as cryptoSign } from 'node:crypto';
import { EnvelopeError } from './errors.js';
import { contentHashOf } from './hash.js';
import { loadDevSigner } from './keys.js';
import type { DevSigner } from './keys.js';
import { signKeyless } from './keyless.js';
import { envelopeWriteSchema, firstIssue } from './schema.js';
import type { EnvelopeSignature, EnvelopeV1, UnsignedEnvelope } from './schema.js';

export type SigningOptions =
  | { mode: 'dev'; keyPath: string }
  | { mode: 'keyless'; idToken?: string; fulcioUrl?: string; rekorUrl?: string };

export interface SignedEnvelope {
  envelope: EnvelopeV1;
  contentHash: string;
}

export function devKeySignature(contentHash: string, signer: DevSigner): EnvelopeSignature {
  const signature = cryptoSign(null, Buffer.from(contentHash, 'utf8'), signer.privateKey);
  return {
    method: 'dev-key',
    certificate: signer.publicKeyPem,
    rekor_log_index: -1,
    bundle: signature.toString('base64'),
  };
}

/** Validates against the strict write schema, hashes, signs. Refuses an already-signed envelope. */
export async function signEnvelope(
  unsigned: UnsignedEnvelope,
  options: SigningOptions,
): Promise<SignedEnvelope> {
  // The type says null; a caller that cast its way here still gets a clear refusal.
  const existing: unknown = unsigned.signature;
  if (existing !== null && existing !== undefined)
    throw new EnvelopeError('envelope is already signed; refusing to sign it again', 'E_ALREADY_SIGNED');
  const candidate = { ...unsigned, signature: null };
  const parsed = envelopeWriteSchema.safeParse(candidate);
  if (!parsed.success)
    throw new EnvelopeError(
      `refusing to sign an invalid envelope: ${firstIssue(parsed.error)}`,
      'E_ENVELOPE_INVALID',
      1,
    );
  const contentHash = contentHashOf(candidate);
  const signature =
    options.mode === 'dev'
      ? devKeySignature(contentHash, await loadDevSigner(options.keyPath))
      : await signKeyless(contentHash, options);
  const envelope = { ...candidate, signature } as unknown as EnvelopeV1;
  return { envelope, contentHash };
}
