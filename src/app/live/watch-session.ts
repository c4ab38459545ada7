// `bench watch`: follow a run through its live state file, with the console (TTY) or headless.
import { setTimeout as sleep } from 'node:timers/promises';
import { mountConsole } from '../console/index.js';
import { sweepStaticLine } from '../console/sweep-format.js';
import { SWEEP_COLUMNS } from '../console/sweep-format.js';
import { renderTableLines } from '../console/table-format.js';
import { LOG_FILE_NAME } from './detach.js';
import { formatProgressLine } from './progress-line.js';
import { isProcessAlive, readState, type LiveState } from './state-file.js';

export interface WatchOptions {
  readonly tui: boolean;
  /** Poll interval of the state file (default 250 ms). */
  readonly intervalMs?: number;
  /** Headless progress line interval (default 1000 ms). */
  readonly progressIntervalMs?: number;
  readonly stdout?: NodeJS.WriteStream;
  readonly stderr?: NodeJS.WritableStream;
  readonly stdin?: NodeJS.ReadStream;
  readonly noColor?: boolean;
}

/** Reads the state, keeping the previous one on a transient failure (e.g. the dir was removed). */
function poll(outputDir: string, previous: LiveState): LiveState {
  try {
    return readState(outputDir);
  } catch {
    return previous;
  }
}

function gone(state: LiveState): boolean {
  return !state.finished && state.pid !== process.pid && !isProcessAlive(state.pid);
}

function goneNotice(state: LiveState): string {
  return `run process ${state.pid} ended without finishing (see ${LOG_FILE_NAME} in the output directory)`;
}

/** Follows the run until it finishes (returns its exit code), dies (1) or the user quits (0). */
export async function watchRun(outputDir: string, options: WatchOptions): Promise<number> {
  const initial = readState(outputDir); // E_NO_STATE (exit 2) when there is no state file
  return options.tui ? watchTui(outputDir, initial, options) : watchHeadless(outputDir, initial, options);
}

async function watchTui(outputDir: string, initial: LiveState, options: WatchOptions): Promise<number> {
  const intervalMs = options.intervalMs ?? 250;
  const quit = new AbortController();
  const handle = mountConsole({
    meta: initial.meta,
    readOnly: true,
    ...(options.stdout ? { stdout: options.stdout } : {}),
    ...(options.stdin ? { stdin: options.stdin } : {}),
    ...(options.noColor !== undefined ? { noColor: options.noColor } : {}),
    onStopRequest: () => quit.abort(),
    onForceExit: () => quit.abort(),
  });
  let printed = 0;
  let state = initial;
  let code = 0;
  try {
    for (;;) {
      handle.update({
        ...(state.harness ? { harness: state.harness } : {}),
        ...(state.telemetry ? { telemetry: state.telemetry } : {}),
        ...(state.telemetrySummary ? { telemetrySummary: state.telemetrySummary } : {}),
        sweepRows: state.sweepRows,
      });
      for (; printed < state.sweepRows.length; printed += 1) handle.finishPoint(state.sweepRows[printed]!);
      if (state.finished) {
        handle.update({ finished: true });
        code = state.exitCode ?? 0;
        break;
      }
      if (gone(state)) {
        handle.update({ notice: goneNotice(state) });
        code = 1;
        break;
      }
      try {
        await sleep(intervalMs, undefined, { signal: quit.signal });
      } catch {
        break; // q / Ctrl-C: stop watching, the run goes on
      }
      state = poll(outputDir, state);
    }
  } finally {
    await handle.unmount();
  }
  return code;
}

async function watchHeadless(outputDir: string, initial: LiveState, options: WatchOptions): Promise<number> {
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const intervalMs = options.intervalMs ?? 250;
  const progressMs = options.progressIntervalMs ?? 1000;
  let state = initial;
  let printed = 0;
  let lastProgress = Number.NEGATIVE_INFINITY;
  const m = state.meta;
  stderr.write(
    `watching ${outputDir}: ${m.suite} · ${m.model} · ${m.engine} @ ${m.endpointHost}${m.simulated ? ' (SIMULATED)' : ''} · pid ${state.pid}\n`,
  );
  for (;;) {
    for (; printed < state.sweepRows.length; printed += 1) {
      if (printed === 0) stderr.write(`${sweepStaticLine('header')}\n`);
      stderr.write(`${sweepStaticLine(state.sweepRows[printed]!)}\n`);
    }
    if (state.finished) {
      if (state.sweepRows.length > 0)
        stdout.write(`${renderTableLines(state.sweepRows, SWEEP_COLUMNS).join('\n')}\n`);
      else stdout.write(`${formatProgressLine(state.harness)}\n`);
      stderr.write(`run finished (exit code ${state.exitCode ?? 0})\n`);
      return state.exitCode ?? 0;
    }
    if (gone(state)) {
      stderr.write(`${goneNotice(state)}\n`);
      return 1;
    }
    if (performance.now() - lastProgress >= progressMs) {
      lastProgress = performance.now();
      stderr.write(`${formatProgressLine(state.harness)}\n`);
    }
    await sleep(intervalMs);
    state = poll(outputDir, state);
  }
}
