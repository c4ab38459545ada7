// Keyless (Sigstore) signing and verification of a content hash.
// The signed message is the UTF-8 bytes of the hex content_hash (a message-signature bundle, not
// DSSE), with a Fulcio certificate from an OIDC token and a Rekor (hashedrekord) entry.
// Verification uses @sigstore/verify with a trusted root file, so it runs offline; certificate
// validity is judged at the Rekor entry's integrated time, so stored bundles keep verifying.
import { readFile } from 'node:fs/promises';
import { bundleFromJSON, bundleToJSON } from '@sigstore/bundle';
import type { Bundle } from '@sigstore/bundle';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { FulcioSigner, MessageSignatureBundleBuilder, RekorWitness } from '@sigstore/sign';
import { Verifier, toSignedEntity, toTrustMaterial } from '@sigstore/verify';
import { strictBase64 } from './base64.js';
import { EnvelopeError } from './errors.js';

export const DEFAULT_FULCIO_URL = 'https://fulcio.sigstore.dev';
export const DEFAULT_REKOR_URL = 'https://rekor.sigstore.dev';

export const MISSING_TOKEN_MESSAGE =
  'keyless signing needs an OIDC identity token in SIGSTORE_ID_TOKEN ' +
  '(GitHub Actions: grant `permissions: id-token: write` and request a token with audience "sigstore"; ' +
  'locally e.g. `export SIGSTORE_ID_TOKEN=$(gcloud auth print-identity-token --audiences=sigstore)`), ' +
  'or use --signing-mode dev';

export interface KeylessSignOptions {
  idToken?: string | undefined;
  fulcioUrl?: string | undefined;
  rekorUrl?: string | undefined;
}

export interface KeylessSignature {
  method: 'sigstore-cosign';
  certificate: string;
  rekor_log_index: number;
  bundle: string;
}

export function derToPem(der: Uint8Array, label = 'CERTIFICATE'): string {
  const base64 = Buffer.from(der).toString('base64');
  const lines = base64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----`;
}

/** The leaf certificate of a bundle as PEM, or undefined for key-only bundles. */
export function leafCertificatePem(bundle: Bundle): string | undefined {
  const content = bundle.verificationMaterial.content;
  if (content.$case === 'certificate') return derToPem(content.certificate.rawBytes);
  if (content.$case === 'x509CertificateChain') {
    const leaf = content.x509CertificateChain.certificates[0];
    return leaf ? derToPem(leaf.rawBytes) : undefined;
  }
  return undefined;
}

export async function signKeyless(
  contentHash: string,
  options: KeylessSignOptions,
): Promise<KeylessSignature> {
  const token = options.idToken ?? process.env.SIGSTORE_ID_TOKEN;
  if (!token) throw new EnvelopeError(MISSING_TOKEN_MESSAGE, 'E_KEYLESS_NO_TOKEN');
  const signer = new FulcioSigner({
    identityProvider: { getToken: async () => token },
    fulcioBaseURL: options.fulcioUrl ?? DEFAULT_FULCIO_URL,
  });
  const witness = new RekorWitness({ rekorBaseURL: options.rekorUrl ?? DEFAULT_REKOR_URL });
  let bundle: Bundle;
  try {
    bundle = await new MessageSignatureBundleBuilder({ signer, witnesses: [witness] }).create({
      data: Buffer.from(contentHash, 'utf8'),
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new EnvelopeError(`keyless signing failed: ${message}`, 'E_KEYLESS_SIGN', 1);
  }
  const certificate = leafCertificatePem(bundle);
  const entry = bundle.verificationMaterial.tlogEntries[0];
  if (!certificate || !entry)
    throw new EnvelopeError('keyless signing returned no certificate or Rekor entry', 'E_KEYLESS_SIGN', 1);
  return {
    method: 'sigstore-cosign',
    certificate,
    rekor_log_index: Number(entry.logIndex),
    bundle: Buffer.from(JSON.stringify(bundleToJSON(bundle)), 'utf8').toString('base64'),
  };
}

export async function loadTrustedRoot(path: string): Promise<TrustedRoot> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new EnvelopeError(`cannot read trusted root ${path} (${code})`, 'E_TRUSTED_ROOT');
  }
  try {
    return TrustedRoot.fromJSON(JSON.parse(text));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new EnvelopeError(
      `trusted root ${path} is not a Sigstore trusted_root.json (${message})`,
      'E_TRUSTED_ROOT',
    );
  }
}

export interface KeylessCheck {
  ok: boolean;
  identity?: string;
  issuer?: string;
  reason?: string;
}

/** Anchors a policy pattern (`^…$`): an unanchored pattern would accept any identity containing it. */
export function anchoredPattern(pattern: string): RegExp {
  const body = pattern.startsWith('^') ? pattern.slice(1) : pattern;
  const core = body.endsWith('$') && !body.endsWith('\\$') ? body.slice(0, -1) : body;
  try {
    return new RegExp(`^(?:${core})$`);
  } catch {
    throw new EnvelopeError(
      `identity pattern ${JSON.stringify(pattern)} is not a valid regular expression`,
      'E_IDENTITY_PATTERN',
    );
  }
}

export function verifyKeyless(
  contentHash: string,
  signature: { certificate: string; rekor_log_index: number; bundle: string },
  trustedRoot: TrustedRoot,
  identityPattern?: string,
): KeylessCheck {
  const bundleBytes = strictBase64(signature.bundle);
  if (bundleBytes === null) return { ok: false, reason: 'signature.bundle is not valid base64' };
  let bundle: Bundle;
  try {
    bundle = bundleFromJSON(JSON.parse(bundleBytes.toString('utf8')));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, reason: `signature.bundle is not a Sigstore bundle (${message})` };
  }
  const leaf = leafCertificatePem(bundle);
  if (!leaf) return { ok: false, reason: 'Sigstore bundle carries no certificate' };
  if (leaf.replace(/\s+/g, '') !== signature.certificate.replace(/\s+/g, ''))
    return { ok: false, reason: 'signature.certificate differs from the certificate in the bundle' };
  const entry = bundle.verificationMaterial.tlogEntries[0];
  if (!entry || Number(entry.logIndex) !== signature.rekor_log_index)
    return { ok: false, reason: 'signature.rekor_log_index differs from the Rekor entry in the bundle' };
  try {
    const verifier = new Verifier(toTrustMaterial(trustedRoot), {
      tlogThreshold: 1,
      ctlogThreshold: 1,
      timestampThreshold: 1,
    });
    const signer = verifier.verify(toSignedEntity(bundle, Buffer.from(contentHash, 'utf8')));
    const identity = signer.identity?.subjectAlternativeName;
    const issuer = signer.identity?.extensions?.issuer;
    const base: KeylessCheck = { ok: true };
    if (identity !== undefined) base.identity = identity;
    if (issuer !== undefined) base.issuer = issuer;
    if (identityPattern !== undefined && !anchoredPattern(identityPattern).test(identity ?? ''))
      return {
        ...base,
        ok: false,
        reason: `certificate identity ${identity ?? '(none)'} does not match ${identityPattern}`,
      };
    return base;
  } catch (error) {
    if (error instanceof EnvelopeError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, reason: `Sigstore verification failed: ${message}` };
  }
}
