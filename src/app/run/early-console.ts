// The live console of `bench run`, mounted as soon as the flags are parsed, before set-up (plugin
// discovery, key and output checks, the SLO template, loading the run's code): a first frame within
// 300 ms of start (issue 18) that says "starting: …". createPresenter takes it over instead of
// mounting a second console. If set-up fails before that, the frame is erased and the error line
// stands alone, as it would without a console.
import type { ConsoleHandle, ConsoleMeta } from '../console/index.js';

export interface EarlyConsole {
  readonly handle: ConsoleHandle;
  /** Routes the console's stop (q, first Ctrl-C) and force-exit (second Ctrl-C) to the run. */
  adopt(handlers: { onStopRequest: () => void; onForceExit: () => void }): ConsoleHandle;
}

let pending: EarlyConsole | null = null;

/** Mounts the console with what the flags say; a stop before the run takes over exits at once (130). */
export async function mountEarlyConsole(meta: ConsoleMeta, notice: string): Promise<void> {
  const { mountConsole } = await import('../console/index.js');
  const exitNow = (): void => process.exit(130);
  let onStopRequest = exitNow;
  let onForceExit = exitNow;
  const handle = mountConsole({
    meta,
    onStopRequest: () => onStopRequest(),
    onForceExit: () => onForceExit(),
  });
  handle.update({ notice: `starting: ${notice}` });
  pending = {
    handle,
    adopt(handlers) {
      ({ onStopRequest, onForceExit } = handlers);
      return handle;
    },
  };
}

/** The early console, once: createPresenter's. Null when none was mounted (or it was taken). */
export function takeEarlyConsole(): EarlyConsole | null {
  const early = pending;
  pending = null;
  return early;
}

/** After the run: a console nobody took over (set-up failed) is erased and unmounted. */
export async function releaseEarlyConsole(): Promise<void> {
  await takeEarlyConsole()?.handle.discard();
}
