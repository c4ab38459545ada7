// Chooses how a run is shown: the live console on a TTY, or headless progress lines on stderr.
// Either way the live state file is kept in the output directory for `bench watch`.
import type { ConsoleHandle } from '../console/index.js';
import type { ServerLive } from '../console/server-live.js';
import type { HarnessSnapshot } from '../../harness/types.js';
import type { TelemetrySnapshot, TelemetryWindowSummary } from '../../telemetry/types.js';
import { createStateWriter } from '../live/state-file.js';
import { headlessReason } from '../terminal.js';
import type { RunConfig } from './options.js';
import { formatProgressLine } from '../live/progress-line.js';
import type { SweepRow } from './report.js';
import { takeEarlyConsole } from './early-console.js';

export interface PresenterMeta {
  readonly suite: string;
  readonly model: string;
  readonly engine: string;
  readonly endpointHost: string;
  readonly simulated: boolean;
  readonly onStopRequest: () => void;
}

export interface Presenter {
  /**
   * Set-up is over (engine or endpoint, telemetry, idle baseline): the final header facts. The
   * presenter is created before set-up so the first frame (or headless line) shows at once.
   */
  ready(meta: Omit<PresenterMeta, 'onStopRequest'>): void;
  harness(snapshot: HarnessSnapshot): void;
  telemetry(snapshot: TelemetrySnapshot): void;
  /** The engine's /metrics view for the Server pane (live console only). */
  server(live: ServerLive): void;
  pointDone(row: SweepRow, telemetrySummary?: TelemetryWindowSummary): void;
  close(): Promise<void>;
}

/** The live console unless --no-tui, no terminal, CI or TERM=dumb (src/app/terminal.ts). */
export function useLiveConsole(config: Pick<RunConfig, 'tui'>, env = process.env): boolean {
  return config.tui && headlessReason(env) === null;
}

/**
 * @param setup what set-up is about to do, shown until ready(): under the console's header, or as
 *   one headless line on stderr.
 */
export async function createPresenter(
  config: RunConfig,
  meta: PresenterMeta,
  setup: string | null = null,
): Promise<Presenter> {
  const { onStopRequest, ...consoleMeta } = meta;
  const state = createStateWriter(config.outputDir, { meta: consoleMeta });
  const finishState = (): Promise<void> => state.finish(0);
  const rows: SweepRow[] = [];
  let closed = false;

  if (useLiveConsole(config)) {
    const onForceExit = (): void => {
      state.finishSync(130);
      process.exit(130);
    };
    // `bench run` mounts the console before set-up (early-console.ts): take that one over.
    const early = takeEarlyConsole();
    let live: ConsoleHandle;
    if (early !== null) {
      live = early.adopt({ onStopRequest, onForceExit });
      live.update({ meta: consoleMeta });
    } else {
      const { mountConsole } = await import('../console/index.js');
      live = mountConsole({ meta: consoleMeta, onStopRequest, onForceExit });
    }
    if (setup !== null) live.update({ notice: `starting: ${setup}` });
    return {
      ready(final) {
        live.update({ meta: final, notice: null });
        state.update({ meta: final });
      },
      harness(snapshot) {
        live.update({ harness: snapshot });
        state.update({ harness: snapshot });
      },
      telemetry(snapshot) {
        live.update({ telemetry: snapshot });
        state.update({ telemetry: snapshot });
      },
      server(view) {
        live.update({ server: view });
      },
      pointDone(row, telemetrySummary) {
        rows.push(row);
        live.finishPoint(row);
        if (telemetrySummary) live.update({ telemetrySummary });
        state.update({ sweepRows: [...rows] });
      },
      async close() {
        if (closed) return;
        closed = true;
        live.update({ sweepRows: [...rows], finished: true });
        await live.unmount();
        await finishState();
      },
    };
  }

  let lastLineAtMs = 0;
  if (setup !== null) process.stderr.write(`[setup] ${meta.suite}: ${setup}\n`);
  return {
    ready(final) {
      state.update({ meta: final });
    },
    harness(snapshot) {
      state.update({ harness: snapshot });
      const now = performance.now();
      if (now - lastLineAtMs >= 1000) {
        lastLineAtMs = now;
        process.stderr.write(`${formatProgressLine(snapshot)}\n`);
      }
    },
    telemetry(snapshot) {
      state.update({ telemetry: snapshot });
    },
    server() {
      // Headless: the server view is printed under the result table instead.
    },
    pointDone(row) {
      rows.push(row);
      state.update({ sweepRows: [...rows] });
      process.stderr.write(`point ${row.point} done → ${row.envelope}\n`);
    },
    async close() {
      if (closed) return;
      closed = true;
      await finishState();
    },
  };
}
