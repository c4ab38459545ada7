// mountConsole: the live Ink console around a run. It renders snapshots only, at ≤ 15 fps.
import { render } from 'ink';
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

  const instance = render(
    <ConsoleApp store={store} noColor={options.noColor ?? noColorFromEnv()} onKeyAction={onKeyAction} />,
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
        publisher.stop();
        instance.clear();
        instance.unmount();
        await instance.waitUntilExit();
      })();
      return unmounted;
    },
  };
}
