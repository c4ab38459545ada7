// Loading the envelopes named on a command line: explicit files must load (exit 2 otherwise);
// files found inside directories that do not load are skipped with a note.
import { stat } from 'node:fs/promises';
import { isCodedError, UsageError } from '../errors.js';
import type { LoadedEnvelope } from './envelopeView.js';
import { collectJsonFiles, type EnvelopeIo, type VerifyFlags } from './envelopeIo.js';

export interface LoadedInputs {
  readonly loaded: LoadedEnvelope[];
  readonly skipped: { path: string; reason: string }[];
}

export async function loadInputs(io: EnvelopeIo, paths: readonly string[]): Promise<LoadedInputs> {
  const loaded: LoadedEnvelope[] = [];
  const skipped: { path: string; reason: string }[] = [];
  for (const path of paths) {
    const info = await stat(path).catch(() => null);
    if (info === null) throw new UsageError(`no such file or directory: ${path}`, 'E_PATH_NOT_FOUND');
    if (!info.isDirectory()) {
      loaded.push(await io.read(path));
      continue;
    }
    for (const file of await collectJsonFiles([path])) {
      try {
        loaded.push(await io.read(file));
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
