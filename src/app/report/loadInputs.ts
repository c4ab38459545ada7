// Loading the envelopes named on a command line: explicit files must load (exit 2 otherwise);
// files found inside directories that do not load are skipped with a note.
import { stat } from 'node:fs/promises';
import { isCodedError, UsageError } from '../errors.js';
import type { TrustLevel } from '../../envelope/trust.js';
import type { LoadedEnvelope } from './envelopeView.js';
import { collectJsonFiles, type EnvelopeIo, type ReadOptions, type VerifyFlags } from './envelopeIo.js';
import { envelopeFlags, trustCell } from './trustView.js';

export interface LoadedInputs {
  readonly loaded: LoadedEnvelope[];
  readonly skipped: { path: string; reason: string }[];
}

export async function loadInputs(
  io: EnvelopeIo,
  paths: readonly string[],
  options: ReadOptions = {},
): Promise<LoadedInputs> {
  const loaded: LoadedEnvelope[] = [];
  const skipped: { path: string; reason: string }[] = [];
  for (const path of paths) {
    const info = await stat(path).catch(() => null);
    if (info === null) throw new UsageError(`no such file or directory: ${path}`, 'E_PATH_NOT_FOUND');
    if (!info.isDirectory()) {
      try {
        loaded.push(await io.read(path, options));
      } catch (error) {
        // Over the size cap: skipped with its reason, the rest goes on (other errors: exit 2).
        if (!isCodedError(error) || error.code !== 'E_ENVELOPE_TOO_LARGE') throw error;
        skipped.push({ path, reason: error.message });
      }
      continue;
    }
    for (const file of await collectJsonFiles([path])) {
      try {
        loaded.push(await io.read(file, options));
      } catch (error) {
        if (!isCodedError(error)) throw error;
        skipped.push({ path: file, reason: error.message });
      }
    }
  }
  return { loaded, skipped };
}

export interface VerifyFailure {
  readonly path: string;
  readonly reason: string;
}

/** Checks every signature; returns the failures (empty when all verify). */
export async function verifyAll(
  io: EnvelopeIo,
  loaded: readonly LoadedEnvelope[],
  flags: VerifyFlags = {},
): Promise<VerifyFailure[]> {
  const failures: VerifyFailure[] = [];
  for (const item of loaded) {
    const check = await io.verify(item, flags);
    if (!check.ok) failures.push({ path: item.path, reason: check.reason ?? 'signature check failed' });
  }
  return failures;
}

export function renderVerifyFailures(failures: readonly VerifyFailure[]): string {
  return failures.map((f) => `FAIL  ${f.path}\n    reason: ${f.reason}\n`).join('');
}

/** Each envelope's trust level (verification errors count as invalid). */
export async function trustLevels(
  io: EnvelopeIo,
  loaded: readonly LoadedEnvelope[],
  flags: VerifyFlags = {},
): Promise<TrustLevel[]> {
  const levels: TrustLevel[] = [];
  for (const item of loaded) {
    try {
      levels.push((await io.verify(item, flags)).trust);
    } catch {
      levels.push('invalid');
    }
  }
  return levels;
}

/** `#1  trusted           path  (incomplete, quality invalid)`: one line per envelope. */
export function renderTrustBlock(loaded: readonly LoadedEnvelope[], levels: readonly TrustLevel[]): string {
  const lines = loaded.map((item, i) => {
    const flags = envelopeFlags(item.envelope);
    const level = levels[i] ?? 'invalid';
    return `#${i + 1}  ${trustCell(level).padEnd(16)}  ${item.path}${flags.length > 0 ? `  (${flags.join(', ')})` : ''}`;
  });
  return ['Trust and flags', ...lines].join('\n');
}
