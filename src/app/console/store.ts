// The console's state: a vanilla zustand store fed from latest-value snapshots. `update()` only
// records the latest values; a timer publishes them to the store at most maxFps times a second,
// so a React render never happens per update call.
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { ConsoleMeta, ConsoleState, ConsoleUpdate } from './types.js';
import type { Clock, TimerHandle } from '../../harness/clock.js';

export type ConsoleStore = StoreApi<ConsoleState>;

export function initialConsoleState(meta: ConsoleMeta, readOnly = false): ConsoleState {
  return {
    meta,
    harness: null,
    telemetry: null,
    telemetrySummary: null,
    server: null,
    sweepRows: [],
    printedRows: [],
    finished: false,
    notice: null,
    readOnly,
    helpVisible: false,
    stopRequested: false,
  };
}

export function createConsoleStore(meta: ConsoleMeta, readOnly = false): ConsoleStore {
  return createStore<ConsoleState>()(() => initialConsoleState(meta, readOnly));
}

/** Merges an update into a state (absent keys keep their value). Pure. */
export function applyUpdate(state: ConsoleState, update: ConsoleUpdate): ConsoleState {
  return {
    ...state,
    ...(update.harness !== undefined ? { harness: update.harness } : {}),
    ...(update.telemetry !== undefined ? { telemetry: update.telemetry } : {}),
    ...(update.telemetrySummary !== undefined ? { telemetrySummary: update.telemetrySummary } : {}),
    ...(update.server !== undefined ? { server: update.server } : {}),
    ...(update.sweepRows !== undefined ? { sweepRows: update.sweepRows } : {}),
    ...(update.finished !== undefined ? { finished: update.finished } : {}),
    ...(update.notice !== undefined ? { notice: update.notice } : {}),
    ...(update.meta !== undefined ? { meta: update.meta } : {}),
  };
}

export interface Publisher {
  /** Records the latest values (merged with earlier pending ones). O(1), no render. */
  push(update: ConsoleUpdate): void;
  /** Publishes pending values now. */
  flush(): void;
  stop(): void;
}

/** The publisher's time seam (the harness Clock's shape; the console imports harness types only). */
export type PublisherClock = Pick<Clock, 'now' | 'setTimeout' | 'clearTimeout'>;

/** The system clock, spelled here because the console may import only types from the harness. */
const SYSTEM: PublisherClock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout | undefined),
};

/** Publishes pushed updates to the store at most `maxFps` times a second (trailing edge). */
export function createPublisher(
  store: ConsoleStore,
  maxFps: number,
  clock: PublisherClock = SYSTEM,
): Publisher {
  const intervalMs = Math.ceil(1000 / Math.max(1, Math.min(15, maxFps)));
  let pending: ConsoleUpdate | null = null;
  let timer: TimerHandle | null = null;
  let lastPublishMs = Number.NEGATIVE_INFINITY;
  const flush = (): void => {
    if (timer) {
      clock.clearTimeout(timer);
      timer = null;
    }
    if (!pending) return;
    const update = pending;
    pending = null;
    lastPublishMs = clock.now();
    store.setState((s) => applyUpdate(s, update));
  };
  return {
    push(update) {
      pending = pending ? { ...pending, ...update } : update;
      if (timer) return;
      const waitMs = Math.max(0, lastPublishMs + intervalMs - clock.now());
      timer = clock.setTimeout(flush, waitMs);
      if (typeof timer === 'object' && 'unref' in timer) timer.unref();
    },
    flush,
    stop() {
      if (timer) clock.clearTimeout(timer);
      timer = null;
      pending = null;
    },
  };
}
