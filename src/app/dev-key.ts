// Which ed25519 key signs a dev-mode envelope when the user named none: ./cosign.key if it exists,
// else a per-user key, <config dir>/cosign.key, created on first use. No keygen step before a first
// run; an explicit --dev-key that does not exist stays an error (the loader reports it).
import { configRoot } from '../lib/paths.js';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { link, mkdir, rename, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { generateDevKeyPair, publicKeyPathFor } from '../envelope/keys.js';
import { UsageError } from './errors.js';

export const DEV_KEY_FILE = 'cosign.key';

export interface DevKeyEnvironment {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly home?: string;
}

export interface DevKeyChoice {
  readonly path: string;
  /** flag: --dev-key; cwd: ./cosign.key; user: the per-user key. */
  readonly source: 'flag' | 'cwd' | 'user';
  /** The per-user key was created by this call. */
  readonly created: boolean;
}

/**
 * inferencebench's per-user configuration directory: $BENCH_CONFIG_DIR, else
 * $XDG_CONFIG_HOME/inferencebench (an absolute XDG_CONFIG_HOME only, as the XDG spec says), else
 * ~/.config/inferencebench.
 */
export function userConfigDir({
  cwd = process.cwd(),
  env = process.env,
  home = homedir(),
}: DevKeyEnvironment = {}): string {
  return configRoot(env, home, cwd);
}

/** The key to sign with; creates the per-user key (mode 0600, directory 0700) when it is the one. */
export async function resolveDevKey(
  explicit: string | undefined,
  where: DevKeyEnvironment = {},
): Promise<DevKeyChoice> {
  if (explicit !== undefined && explicit !== '') return { path: explicit, source: 'flag', created: false };
  const local = join(where.cwd ?? process.cwd(), DEV_KEY_FILE);
  if (existsSync(local)) return { path: local, source: 'cwd', created: false };
  const dir = userConfigDir(where);
  const path = join(dir, DEV_KEY_FILE);
  if (existsSync(path)) return { path, source: 'user', created: false };
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new UsageError(
      `cannot create ${dir} for the per-user dev key (${(error as NodeJS.ErrnoException).code ?? String(error)}): pass --dev-key PATH or set BENCH_CONFIG_DIR`,
      'E_KEY_UNREADABLE',
    );
  }
  return { path, source: 'user', created: await createOnce(path) };
}

/**
 * Writes the pair under temporary names and links the private key into place, which fails if
 * another process got there first: two first runs at once never see a half-written key.
 */
async function createOnce(path: string): Promise<boolean> {
  const tmp = `${path}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  const pair = await generateDevKeyPair(tmp);
  let won = true;
  try {
    await link(pair.privateKeyPath, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') won = false;
    // A file system without hard links: a plain rename (not exclusive, but still never half-written).
    else await rename(pair.privateKeyPath, path);
  }
  if (won) await rename(pair.publicKeyPath, publicKeyPathFor(path));
  await rm(pair.privateKeyPath, { force: true });
  await rm(pair.publicKeyPath, { force: true });
  return won;
}

/** The one line a run prints when it created the per-user key. */
export function createdKeyNotice(choice: DevKeyChoice): string | null {
  if (!choice.created) return null;
  return `created a dev signing key at ${choice.path} (public key ${publicKeyPathFor(choice.path)}); envelopes are signed with it`;
}

/**
 * The dev key a run signs with (resolveDevKey): an explicit path as given, else ./cosign.key, else
 * the per-user key — printing the one-line notice when this call created it.
 */
export async function devKeyForRun(
  explicit: string | undefined,
  where: DevKeyEnvironment = {},
  write: (line: string) => void = (line) => process.stderr.write(line),
): Promise<string> {
  const choice = await resolveDevKey(explicit, where);
  const notice = createdKeyNotice(choice);
  if (notice !== null) write(`bench: ${notice}\n`);
  return choice.path;
}
