// The one seam between the envelope commands and src/envelope: reading a file and checking its
// signature. Everything else in src/app/report works on the parsed objects this returns.
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import type { LoadedEnvelope } from './envelopeView.js';
import { readEnvelopeFile, verifyEnvelopeObject } from '../../envelope/index.js';
import type { TrustLevel, TrustStore } from '../../envelope/trust.js';

export interface SignatureCheck {
  readonly ok: boolean;
  /** trusted / untrusted (valid, signer not in the trust store) / invalid / unsigned. */
  readonly trust: TrustLevel;
  readonly method: string | null;
  /** The signer is a key the user trusts (--dev-public-key, or a chain to --trusted-root). */
  readonly keyTrusted?: boolean;
  readonly reason?: string;
  readonly contentHash?: string;
}

export interface VerifyFlags {
  /** PEM text of a trusted ed25519 key (--dev-public-key). */
  readonly devPublicKeyPem?: string;
  /** Sigstore trusted_root.json for keyless envelopes (--trusted-root). */
  readonly trustedRootPath?: string;
  /** The user's trust store (decides trusted vs valid-but-untrusted). */
  readonly trustStore?: TrustStore;
}

export interface ReadOptions {
  /** Largest file accepted (--max-file-bytes; default 64 MiB). */
  readonly maxBytes?: number;
}

export interface EnvelopeIo {
  /** Loads and schema-validates; throws a coded error (exitCode 2) when the file is unusable. */
  read(path: string, options?: ReadOptions): Promise<LoadedEnvelope>;
  /** Recomputes the content hash and checks the signature. Unsigned files come back ok:false, method:null. */
  verify(loaded: LoadedEnvelope, flags?: VerifyFlags): Promise<SignatureCheck>;
}

export const envelopeIo: EnvelopeIo = {
  async read(path, options) {
    const { envelope, lossless } = await readEnvelopeFile(path, { maxBytes: options?.maxBytes });
    return { path, envelope, lossless };
  },
  async verify(loaded, flags) {
    const result = await verifyEnvelopeObject(
      {
        envelope: loaded.envelope,
        path: loaded.path,
        ...(loaded.lossless !== undefined ? { lossless: loaded.lossless } : {}),
      },
      {
        ...(flags?.devPublicKeyPem !== undefined ? { devPublicKeyPem: flags.devPublicKeyPem } : {}),
        ...(flags?.trustedRootPath !== undefined ? { trustedRootPath: flags.trustedRootPath } : {}),
        ...(flags?.trustStore !== undefined ? { trustStore: flags.trustStore } : {}),
      },
    );
    const method = result.method && result.method !== '' ? result.method : null;
    return {
      ok: result.ok,
      trust: result.trust,
      method,
      keyTrusted: result.keyTrusted,
      ...(result.reason !== undefined ? { reason: result.reason } : {}),
      ...(result.contentHash ? { contentHash: result.contentHash } : {}),
    };
  },
};

/** Reads --dev-public-key PATH into PEM text (exit 2 when unreadable). */
export async function readPublicKeyFlag(path: string | undefined): Promise<string | undefined> {
  if (path === undefined) return undefined;
  try {
    return await readFile(path, 'utf8');
  } catch {
    throw new UsageError(`cannot read --dev-public-key ${path}`, 'E_KEY_UNREADABLE');
  }
}

/**
 * Expands files and directories into a sorted list of `*.json` files (directories recursively,
 * hidden names skipped, as `bench verify` does).
 * A path that does not exist is bad input (exit 2).
 */
export async function collectJsonFiles(paths: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const path of paths) {
    let info;
    try {
      info = await stat(path);
    } catch {
      throw new UsageError(`no such file or directory: ${path}`, 'E_PATH_NOT_FOUND');
    }
    if (info.isDirectory()) out.push(...(await walk(path)));
    else out.push(path);
  }
  return out;
}

async function walk(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const out: string[] = [];
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue; // .git, editor swap files, our own .part downloads
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await walk(full)));
    else if (entry.isFile() && entry.name.endsWith('.json')) out.push(full);
  }
  return out;
}

/** Loads every path; unusable files are returned separately with the reason, never thrown. */
export async function loadMany(
  io: EnvelopeIo,
  files: readonly string[],
  options: ReadOptions = {},
): Promise<{ loaded: LoadedEnvelope[]; skipped: { path: string; reason: string; code?: string }[] }> {
  const loaded: LoadedEnvelope[] = [];
  const skipped: { path: string; reason: string; code?: string }[] = [];
  for (const file of files) {
    try {
      loaded.push(await io.read(file, options));
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      skipped.push({
        path: file,
        reason: error instanceof Error ? error.message : String(error),
        ...(typeof code === 'string' ? { code } : {}),
      });
    }
  }
  return { loaded, skipped };
}
