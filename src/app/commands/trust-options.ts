// The trust flags every envelope reader shares: --trusted-key PATH (repeatable) and
// --require-trusted, plus building the trust store from them, --dev-public-key and --identity.
import type { Command } from 'commander';
import { loadTrustStore, TRUST_LABELS, type TrustLevel, type TrustStore } from '../../envelope/trust.js';

export interface TrustFlags {
  trustedKey?: string[];
  requireTrusted?: boolean;
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Adds --trusted-key and --require-trusted to a command. */
export function addTrustOptions(command: Command, what = 'any envelope'): Command {
  return command
    .option(
      '--trusted-key <path>',
      'an ed25519 public key you trust (repeatable; adds to ~/.config/inferencebench/trusted-keys/)',
      collect,
    )
    .option('--require-trusted', `exit 1 when ${what} is not signed by a trusted signer`);
}

export async function trustStoreFromFlags(
  flags: TrustFlags & { identity?: string },
  devPublicKeyPem?: string,
  devPublicKeyPath?: string,
): Promise<TrustStore> {
  return loadTrustStore({
    keyPaths: flags.trustedKey ?? [],
    ...(devPublicKeyPem !== undefined ? { devPublicKeyPem } : {}),
    ...(devPublicKeyPath !== undefined ? { devPublicKeyLabel: `--dev-public-key ${devPublicKeyPath}` } : {}),
    ...(flags.identity !== undefined ? { identityPattern: flags.identity } : {}),
  });
}

/** "valid but untrusted signer" etc. */
export function trustLabel(level: TrustLevel): string {
  return TRUST_LABELS[level];
}

/** One line for --require-trusted failures: `N of M envelopes are not trusted (…)`. */
export function untrustedSummary(levels: readonly TrustLevel[]): string {
  const counts = new Map<TrustLevel, number>();
  for (const level of levels) if (level !== 'trusted') counts.set(level, (counts.get(level) ?? 0) + 1);
  const parts = [...counts].map(([level, n]) => `${n} ${TRUST_LABELS[level]}`);
  const bad = levels.length - levels.filter((l) => l === 'trusted').length;
  return `--require-trusted: ${bad} of ${levels.length} envelope${levels.length === 1 ? '' : 's'} not trusted (${parts.join(', ')})`;
}
