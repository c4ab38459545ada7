// The live state file: `<outputDir>/.bench/live.json`, the latest snapshots of a run, rewritten
// atomically (exclusive no-follow temp file + rename) at most about once a second. `bench watch`
// renders from it. It lives in a private subfolder so that tools reading every *.json of the output
// directory (InferenceBench's summary and audit) never see it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { systemClock, unrefTimer, type Clock, type TimerHandle } from '../../harness/clock.js';
import { checkOutputDir, privateSubdir, writeFileAtomic, writeFileAtomicSync } from '../../lib/safe-file.js';
import type { HarnessSnapshot } from '../../harness/types.js';
import type { TelemetrySnapshot, TelemetryWindowSummary } from '../../telemetry/types.js';
import type { ConsoleMeta, SweepRow } from '../console/types.js';
import { CodedError } from '../../lib/errors.js';

/** Run-private files (live state, journals) go in this subfolder of the output directory. */
export const RUN_FILES_DIR = '.bench';
export const STATE_FILE_NAME = 'live.json';
/** Where versions before 0.2 wrote it: still read by `bench watch`. */
const LEGACY_STATE_FILE_NAME = '.bench-live.json';
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

export class StateFileError extends CodedError {
  override name = 'StateFileError';
  constructor(message: string, code: 'E_NO_STATE' | 'E_STATE_INVALID', exitCode = 2) {
    super(message, code, exitCode);
  }
}

export function statePath(outputDir: string): string {
  return join(outputDir, RUN_FILES_DIR, STATE_FILE_NAME);
}

const UNKNOWN_META: ConsoleMeta = {
  suite: '?',
  model: '?',
  engine: '?',
  endpointHost: '?',
  simulated: false,
};

/** What the state file says instead of the endpoint's host:port. */
function storedEndpointLabel(meta: ConsoleMeta): string {
  if (meta.endpointHost === '?') return '?';
  return meta.simulated ? 'embedded engine' : 'endpoint (address not stored)';
}

export function createStateWriter(outputDir: string, options: StateWriterOptions = {}): StateWriter {
  // Refuses a directory others could plant links in (exit 2) before anything is written.
  privateSubdir(checkOutputDir(outputDir), RUN_FILES_DIR);
  const path = statePath(outputDir);
  const pid = options.pid ?? process.pid;
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
    // The file outlives the run and may be shared: it never holds the endpoint's host or port.
    return JSON.stringify({
      ...state,
      meta: { ...state.meta, endpointHost: storedEndpointLabel(state.meta) },
    });
  };
  const writeNow = (): Promise<void> => {
    if (timer) {
      clock.clearTimeout(timer);
      timer = null;
    }
    dirty = false;
    lastWriteMs = clock.now();
    const body = serialise();
    // A failed write (a full disk) is reported by the caller that awaits it; the chain goes on.
    const next = writing.then(() => writeFileAtomic(path, body));
    writing = next.catch(() => undefined);
    return next;
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
      writeFileAtomicSync(path, serialise());
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

const MAX_STATE_BYTES = 16 * 1024 * 1024;

function readStateText(path: string): string | null {
  try {
    const text = readFileSync(path, 'utf8');
    if (text.length > MAX_STATE_BYTES)
      throw new StateFileError(`${path} is larger than a live state file can be`, 'E_STATE_INVALID');
    return text;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw error;
  }
}

/** Reads `<outputDir>/.bench/live.json` (or a legacy `.bench-live.json`); E_NO_STATE (exit 2) when there is none. */
export function readState(outputDir: string): LiveState {
  const path = statePath(outputDir);
  const text = readStateText(path);
  if (text !== null) return parseState(text, path);
  const legacy = join(outputDir, LEGACY_STATE_FILE_NAME);
  const legacyText = readStateText(legacy);
  if (legacyText !== null) return parseState(legacyText, legacy);
  throw new StateFileError(
    `no live state in ${outputDir} (expected ${RUN_FILES_DIR}/${STATE_FILE_NAME}; is this a bench output directory?)`,
    'E_NO_STATE',
  );
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
