// Trust state of each envelope for the page header, from the same check `bench verify` runs.
import type { EnvelopeIo, VerifyFlags } from '../envelopeIo.js';
import { signatureMethod, type LoadedEnvelope } from '../envelopeView.js';
import type { TrustState } from './model.js';

export interface TrustVerdict {
  readonly trust: TrustState;
  readonly detail: string;
}

export async function trustOf(
  io: EnvelopeIo,
  loaded: LoadedEnvelope,
  flags: VerifyFlags,
): Promise<TrustVerdict> {
  if (signatureMethod(loaded.envelope) === null)
    return { trust: 'unsigned', detail: 'signature is null: nothing ties these numbers to a signer' };
  const check = await io.verify(loaded, flags);
  const method = check.method ?? 'unknown method';
  if (check.ok && check.keyTrusted)
    return { trust: 'verified', detail: `${method}: hash and signature check out, signer trusted` };
  if (check.ok)
    return {
      trust: 'untrusted',
      detail: `${method}: hash and signature are self-consistent; the signer is not a trusted key (pass --dev-public-key)`,
    };
  // Signed by some other key than --dev-public-key: intact, but not by a signer the user trusts.
  if (flags.devPublicKeyPem !== undefined) {
    const { devPublicKeyPem: _trusted, ...rest } = flags;
    const selfCheck = await io.verify(loaded, rest);
    if (selfCheck.ok)
      return {
        trust: 'untrusted',
        detail: `${method}: hash and signature are self-consistent, but signed by another key than --dev-public-key`,
      };
  }
  // A keyless envelope without a trusted root cannot be judged, which is not the same as tampered.
  if (check.reason?.includes('--trusted-root') === true && !check.reason.includes('mismatch'))
    return { trust: 'untrusted', detail: `${method}: ${check.reason}` };
  return { trust: 'failed', detail: `${method}: ${check.reason ?? 'signature check failed'}` };
}
