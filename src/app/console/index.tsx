// mountConsole: the live Ink console around a run. It renders snapshots only, at ≤ 15 fps.
import { render, useStderr } from 'ink';
import { ConsoleApp } from './ConsoleApp.js';
import { createConsoleStore, createPublisher } from './store.js';
import { noColorFromEnv } from './theme.js';
import type { ConsoleHandle, MountConsoleOptions } from './types.js';

export type {
  ConsoleHandle,
  ConsoleMeta,
  ConsoleState,
  ConsoleUpdate,
  MountConsoleOptions,
  SweepRow,
} from './types.js';
export { sweepStaticLine, SWEEP_COLUMNS } from './sweep-format.js';
export { renderTableLines } from './table-format.js';

export const MAX_FPS = 15;
/** Frames a second by default: each frame costs the shared event loop ~5–10 ms of Ink layout and output (bench/console-overhead.ts). */
export const DEFAULT_FPS = 2;

type StderrSink = { write: ((data: string) => void) | null };

/** Hands Ink's own stderr writer (clear the frame, write, draw it again) to mountConsole. */
function StderrBridge({ sink }: { readonly sink: StderrSink }) {
  sink.write = useStderr().write;
  return null;
}

/**
 * While the console is up on the process's own terminal, lines written to stderr (set-up warnings,
 * `bench: warning: …`) go above the live frame instead of into it, where the next frame would
 * erase them. Returns the undo.
 */
function routeStderrAboveFrame(sink: StderrSink): () => void {
  const stderr = process.stderr;
  const original = stderr.write.bind(stderr);
  let insideInk = false;
  const routed = (chunk: unknown, ...rest: unknown[]): boolean => {
    if (insideInk || sink.write === null)
      return (original as (...args: unknown[]) => boolean)(chunk, ...rest);
    insideInk = true; // Ink writes the data with process.stderr.write: let that one through
    try {
      sink.write(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
    } finally {
      insideInk = false;
    }
    const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
    if (callback) process.nextTick(callback);
    return true;
  };
  const before = Object.getOwnPropertyDescriptor(stderr, 'write');
  stderr.write = routed;
  return () => {
    if (before) Object.defineProperty(stderr, 'write', before);
    else delete (stderr as { write?: unknown }).write;
  };
}

export function mountConsole(options: MountConsoleOptions): ConsoleHandle {
  const maxFps = Math.max(1, Math.min(MAX_FPS, options.maxFps ?? DEFAULT_FPS));
  const readOnly = options.readOnly ?? false;
  const store = createConsoleStore(options.meta, readOnly);
  const publisher = createPublisher(store, maxFps);
  const stdout = options.stdout ?? process.stdout;
  const stdin = options.stdin ?? process.stdin;

  let forced = false;
  const onKeyAction = (action: 'stop' | 'force-exit'): void => {
    if (action === 'force-exit') {
      if (forced) return;
      forced = true;
      options.onForceExit();
      return;
    }
    if (store.getState().stopRequested) return;
    store.setState({ stopRequested: true });
    options.onStopRequest();
  };
  // Ctrl-C arrives as a key in raw mode; without a TTY on stdin it arrives as SIGINT.
  const onSigint = (): void => onKeyAction(store.getState().stopRequested ? 'force-exit' : 'stop');
  process.on('SIGINT', onSigint);

  const sink: StderrSink = { write: null };
  const instance = render(
    <>
      <ConsoleApp store={store} noColor={options.noColor ?? noColorFromEnv()} onKeyAction={onKeyAction} />
      <StderrBridge sink={sink} />
    </>,
    {
      stdout,
      stdin,
      maxFps,
      exitOnCtrlC: false,
      patchConsole: false,
      // Ink 6.8's incrementalRendering misplaces lines after a frame that ends with a newline
      // (cursor-up is one short; test/console/mount.test.tsx pins this down on a virtual terminal),
      // so frames are redrawn whole; Ink still skips identical frames.
      incrementalRendering: false,
    },
  );
  const restoreStderr = stdout === process.stdout ? routeStderrAboveFrame(sink) : () => undefined;

  let unmounted: Promise<void> | null = null;
  return {
    update(state) {
      if (unmounted) return;
      publisher.push(state);
    },
    finishPoint(row) {
      if (unmounted) return;
      publisher.flush();
      store.setState((s) => ({ printedRows: [...s.printedRows, row] }));
    },
    unmount() {
      unmounted ??= (async () => {
        process.off('SIGINT', onSigint);
        restoreStderr();
        publisher.flush();
        publisher.stop();
        // Let React commit the last state before the final frame is written.
        await new Promise<void>((resolve) => setImmediate(resolve));
        instance.unmount();
        await instance.waitUntilExit();
      })();
      return unmounted;
    },
    discard() {
      unmounted ??= (async () => {
        process.off('SIGINT', onSigint);
        restoreStderr();
        publisher.stop();
        instance.clear();
        instance.unmount();
        await instance.waitUntilExit();
      })();
      return unmounted;
    },
  };
}
