// `bench run --detach`: re-run the same CLI in the background, in its own session, logging to
// `<outputDir>/bench.log`, and return at once.
import { CodedError, type ErrorCode } from '../../lib/errors.js';
import { spawn } from 'node:child_process';
import { closeSync, constants, openSync } from 'node:fs';
import { join } from 'node:path';
import { checkOutputDir } from '../../lib/safe-file.js';

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
  checkOutputDir(outputDir); // exit 2 for a directory others could plant links in
  const logFile = join(outputDir, LOG_FILE_NAME);
  const entry = options.entry ?? process.argv[1];
  if (!entry) throw new DetachError('cannot detach: the CLI entry script is unknown');
  const args = [...(options.execArgv ?? process.execArgv), entry, ...detachedArgv(argv)];
  // Appends across runs, but never through a symlink planted under the log's name.
  const fd = openSync(
    logFile,
    constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | (constants.O_NOFOLLOW ?? 0),
    0o644,
  );
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
