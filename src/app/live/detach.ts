// `bench run --detach`: re-run the same CLI in the background, in its own session, logging to
// `<outputDir>/bench.log`, and return at once.
import { CodedError, type ErrorCode } from '../../lib/errors.js';
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';

export const LOG_FILE_NAME = 'bench.log';

export interface DetachOptions {
  /** Defaults: process.execPath, process.execArgv, process.argv[1]. */
  readonly execPath?: string;
  readonly execArgv?: readonly string[];
  readonly entry?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
}

export interface DetachedRun {
  readonly pid: number;
  readonly logFile: string;
  readonly args: readonly string[];
}

/** The argv for the background run: `--detach` removed, `--no-tui` added once. */
export function detachedArgv(argv: readonly string[]): string[] {
  const out = argv.filter((a) => a !== '--detach' && !a.startsWith('--detach='));
  if (!out.includes('--no-tui')) out.push('--no-tui');
  return out;
}

export class DetachError extends CodedError {
  override name = 'DetachError';
  constructor(message: string, code: ErrorCode = 'E_DETACH', exitCode = 1) {
    super(message, code, exitCode);
  }
}

/**
 * Spawns `execPath ...execArgv entry ...argv'` detached (a new session: it survives the terminal
 * closing), stdin ignored, stdout and stderr appended to `<outputDir>/bench.log`, and unref'd.
 */
export function spawnDetached(
  argv: readonly string[],
  outputDir: string,
  options: DetachOptions = {},
): DetachedRun {
  mkdirSync(outputDir, { recursive: true });
  const logFile = join(outputDir, LOG_FILE_NAME);
  const entry = options.entry ?? process.argv[1];
  if (!entry) throw new DetachError('cannot detach: the CLI entry script is unknown');
  const args = [...(options.execArgv ?? process.execArgv), entry, ...detachedArgv(argv)];
  const fd = openSync(logFile, 'a');
  try {
    const child = spawn(options.execPath ?? process.execPath, args, {
      detached: true,
      stdio: ['ignore', fd, fd],
      cwd: options.cwd ?? process.cwd(),
      env: { ...(options.env ?? process.env), BENCH_DETACHED: '1' },
    });
    child.on('error', () => undefined);
    if (child.pid === undefined)
      throw new DetachError(`cannot detach: spawning ${options.execPath ?? process.execPath} failed`);
    child.unref();
    return { pid: child.pid, logFile, args };
  } finally {
    closeSync(fd);
  }
}
