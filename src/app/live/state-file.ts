// The live state file: `<outputDir>/.bench-live.json`, the latest snapshots of a run, rewritten
// atomically (tmp + rename) at most about once a second. `bench watch` renders from it.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { systemClock, unrefTimer, type Clock, type TimerHandle } from '../../harness/clock.js';
import type { HarnessSnapshot } from '../../harness/types.js';
import type { TelemetrySnapshot, TelemetryWindowSummary } from '../../telemetry/types.js';
import type { ConsoleMeta, SweepRow } from '../console/types.js';

export const STATE_FILE_NAME = '.bench-live.json';
export const STATE_VERSION = 1;

export interface LiveState {
  readonly version: typeof STATE_VERSION;
  readonly pid: number;
  /** ISO-8601 UTC. */
  readonly startedAt: string;
  readonly updatedAt: string;
  readonly meta: ConsoleMeta;
  readonly harness: HarnessSnapshot | null;
  readonly telemetry: TelemetrySnapshot | null;
  readonly telemetrySummary: TelemetryWindowSummary | null;
  readonly sweepRows: readonly SweepRow[];
  readonly finished: boolean;
  readonly exitCode?: number;
}

export interface StateUpdate {
  readonly meta?: ConsoleMeta;
  readonly harness?: HarnessSnapshot;
  readonly telemetry?: TelemetrySnapshot;
  readonly telemetrySummary?: TelemetryWindowSummary;
  readonly sweepRows?: readonly SweepRow[];
}

export interface StateWriter {
  readonly path: string;
  /** Records the latest values; written within `minIntervalMs` (never more often). */
  update(update: StateUpdate): void;
  /** Writes the current state now (awaits any write in progress). */
  flush(): Promise<void>;
  /** Marks the run finished, writes it, and stops the timer. */
  finish(exitCode: number): Promise<void>;
  /** Synchronous finish for exit paths that cannot await (force exit). */
  finishSync(exitCode: number): void;
}

export interface StateWriterOptions {
  /** Time source for the write throttle (default the system clock). */
  readonly clock?: Clock;
  readonly meta?: ConsoleMeta;
  /** Default 1000. */
  readonly minIntervalMs?: number;
  readonly pid?: number;
  readonly now?: () => Date;
}

export class StateFileError extends Error {
  readonly code: string;
  readonly exitCode = 2;
  constructor(message: string, code: 'E_NO_STATE' | 'E_STATE_INVALID') {
    super(message);
    this.name = 'StateFileError';
    this.code = code;
  }
}

export function statePath(outputDir: string): string {
  return join(outputDir, STATE_FILE_NAME);
}

const UNKNOWN_META: ConsoleMeta = {
  suite: '?',
  model: '?',
  engine: '?',
  endpointHost: '?',
  simulated: false,
};

export function createStateWriter(outputDir: string, options: StateWriterOptions = {}): StateWriter {
  mkdirSync(outputDir, { recursive: true });
  const path = statePath(outputDir);
  const pid = options.pid ?? process.pid;
  const tmp = `${path}.${pid}.tmp`;
  const clock = options.clock ?? systemClock;
  const now = options.now ?? (() => new Date(clock.epochMsOf(clock.now())));
  const minIntervalMs = options.minIntervalMs ?? 1000;
  let state: LiveState = {
    version: STATE_VERSION,
    pid,
    startedAt: now().toISOString(),
    updatedAt: now().toISOString(),
    meta: options.meta ?? UNKNOWN_META,
    harness: null,
    telemetry: null,
    telemetrySummary: null,
    sweepRows: [],
    finished: false,
  };
  let dirty = false;
  let lastWriteMs = Number.NEGATIVE_INFINITY;
  let timer: TimerHandle | null = null;
  let writing: Promise<void> = Promise.resolve();
  let done = false;

  const serialise = (): string => {
    state = { ...state, updatedAt: now().toISOString() };
    return JSON.stringify(state);
  };
  const writeNow = (): Promise<void> => {
    if (timer) {
      clock.clearTimeout(timer);
      timer = null;
    }
    dirty = false;
    lastWriteMs = clock.now();
    const body = serialise();
    writing = writing.then(async () => {
      await writeFile(tmp, body);
      await rename(tmp, path);
    });
    return writing;
  };
  const schedule = (): void => {
    if (timer || done) return;
    const waitMs = Math.max(0, lastWriteMs + minIntervalMs - clock.now());
    timer = clock.setTimeout(() => {
      timer = null;
      if (dirty) void writeNow().catch(() => undefined);
    }, waitMs);
    unrefTimer(timer);
  };

  // The file exists from the start, so `bench watch` can attach before the first snapshot.
  void writeNow().catch(() => undefined);

  return {
    path,
    update(update) {
      if (done) return;
      state = {
        ...state,
        ...(update.meta ? { meta: update.meta } : {}),
        ...(update.harness ? { harness: update.harness } : {}),
        ...(update.telemetry ? { telemetry: update.telemetry } : {}),
        ...(update.telemetrySummary ? { telemetrySummary: update.telemetrySummary } : {}),
        ...(update.sweepRows ? { sweepRows: update.sweepRows } : {}),
      };
      dirty = true;
      schedule();
    },
    flush() {
      return writeNow();
    },
    async finish(exitCode) {
      if (done) return writing;
      done = true;
      state = { ...state, finished: true, exitCode };
      return writeNow();
    },
    finishSync(exitCode) {
      done = true;
      if (timer) clock.clearTimeout(timer);
      state = { ...state, finished: true, exitCode };
      writeFileSync(tmp, serialise());
      renameSync(tmp, path);
    },
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses and checks the shape of a state file's text. */
export function parseState(text: string, path = STATE_FILE_NAME): LiveState {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new StateFileError(`${path} is not valid JSON: ${(error as Error).message}`, 'E_STATE_INVALID');
  }
  if (
    !isRecord(value) ||
    value.version !== STATE_VERSION ||
    typeof value.pid !== 'number' ||
    !isRecord(value.meta) ||
    typeof value.finished !== 'boolean' ||
    !Array.isArray(value.sweepRows)
  ) {
    throw new StateFileError(
      `${path} is not a bench live state file (version ${STATE_VERSION})`,
      'E_STATE_INVALID',
    );
  }
  return value as unknown as LiveState;
}

/** Reads `<outputDir>/.bench-live.json`; E_NO_STATE (exit 2) when there is none. */
export function readState(outputDir: string): LiveState {
  const path = statePath(outputDir);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if (
      (error as NodeJS.ErrnoException).code === 'ENOENT' ||
      (error as NodeJS.ErrnoException).code === 'ENOTDIR'
    ) {
      throw new StateFileError(
        `no live state in ${outputDir} (expected ${STATE_FILE_NAME}; is this a bench output directory?)`,
        'E_NO_STATE',
      );
    }
    throw error;
  }
  return parseState(text, path);
}

/** True while a process with this pid exists (signal 0 probes without signalling). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
