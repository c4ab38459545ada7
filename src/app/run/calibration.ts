// The client-ceiling calibration cache (`bench doctor --calibrate`). The measurement itself is
// injected (see commands/doctor.ts `setCeilingMeasurer`); this module owns the file and the
// "a run drives more than half the ceiling" judgement that `bench run` calls.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { cacheRoot } from '../../lib/paths.js';

export interface ClientCeiling {
  readonly reqPerS: number;
  readonly tokPerS: number;
  /** Concurrency the ceiling was measured at. */
  readonly concurrency: number;
  readonly durationS: number;
}

export interface CalibrationFile extends ClientCeiling {
  readonly version: 1;
  readonly measuredAt: string;
  readonly host: string;
  readonly node: string;
}

export function calibrationPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(cacheRoot(env), 'calibration.json');
}

function isCalibration(value: unknown): value is CalibrationFile {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    v.version === 1 &&
    typeof v.reqPerS === 'number' &&
    typeof v.tokPerS === 'number' &&
    v.reqPerS > 0 &&
    v.tokPerS > 0 &&
    typeof v.measuredAt === 'string'
  );
}

/** The cached ceiling, or null when absent or unreadable (a corrupt cache is ignored, not fatal). */
export async function readCalibration(path = calibrationPath()): Promise<CalibrationFile | null> {
  try {
    const parsed: unknown = JSON.parse(await readFile(path, 'utf8'));
    return isCalibration(parsed) ? parsed : null;
  } catch {
    return null;
  }
}

export async function writeCalibration(
  ceiling: ClientCeiling,
  path = calibrationPath(),
  now = new Date(),
): Promise<CalibrationFile> {
  const file: CalibrationFile = {
    version: 1,
    measuredAt: now.toISOString(),
    host: hostname(),
    node: process.version,
    ...ceiling,
  };
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(file, null, 2)}\n`);
  await rename(tmp, path);
  return file;
}

export interface CeilingCheck {
  readonly status: 'PASS' | 'WARN';
  readonly detail: string;
  /** Highest fraction of the ceiling the run used (req/s or tok/s). */
  readonly fraction: number;
}

export const CEILING_WARN_FRACTION = 0.5;

/**
 * A run that drives more than half of this host's client ceiling measures the client as much as
 * the server: WARN. `achieved` is what the run reached (or plans to reach).
 */
export function checkAgainstCeiling(
  ceiling: ClientCeiling,
  achieved: { reqPerS?: number; tokPerS?: number },
): CeilingCheck {
  const fr = achieved.reqPerS !== undefined ? achieved.reqPerS / ceiling.reqPerS : 0;
  const ft = achieved.tokPerS !== undefined ? achieved.tokPerS / ceiling.tokPerS : 0;
  const fraction = Math.max(fr, ft);
  const which =
    ft >= fr
      ? `${achieved.tokPerS?.toFixed(0)} tok/s of ${ceiling.tokPerS.toFixed(0)}`
      : `${achieved.reqPerS?.toFixed(1)} req/s of ${ceiling.reqPerS.toFixed(1)}`;
  const pct = `${(fraction * 100).toFixed(0)}%`;
  if (fraction > CEILING_WARN_FRACTION) {
    return {
      status: 'WARN',
      fraction,
      detail: `run drives ${pct} of this host's client ceiling (${which}): client overhead may be in the numbers`,
    };
  }
  return { status: 'PASS', fraction, detail: `run uses ${pct} of the client ceiling (${which})` };
}
