// Public types of the live console. The console renders snapshots only (ARCHITECTURE.md).
import type { HarnessSnapshot } from '../../harness/types.js';
import type { TelemetrySnapshot, TelemetryWindowSummary } from '../../telemetry/types.js';
import type { ServerLive } from './server-live.js';

export interface ConsoleMeta {
  readonly suite: string;
  readonly model: string;
  readonly engine: string;
  /** Host (and port) of the endpoint, never the full URL. */
  readonly endpointHost: string;
  /** True when the engine is the embedded simulator: the header shows a SIMULATED badge. */
  readonly simulated: boolean;
}

/** One finished sweep point, as shown in the sweep table. */
/** One finished point of a sweep: the one row type of the run's table, the console and the state file. */
export interface SweepRow {
  readonly point: string;
  /** null: not measurable (shown as n/a). */
  readonly throughputTokPerS: number | null;
  readonly ttftP50Ms: number | null;
  /**
   * ttft_sched p50, present when the point's client queue delay was material (p99 > 1 ms or
   * > 10 % of TTFT p99): tables show it beside ttft (docs/metrics.md "Queueing in the headline").
   */
  readonly ttftSchedP50Ms?: number | null;
  readonly tpotP50Ms: number | null;
  readonly okRate: number | null;
  readonly joulesPerToken: number | null;
  /** Envelope file name (or path) written for the point. */
  readonly envelope: string;
  /** Workload %SoL cell (`64.1%` / `n/a`), when the run computed it. */
  readonly sol?: string;
}

/** What `ConsoleHandle.update` accepts: any subset; absent keys keep their previous value. */
export interface ConsoleUpdate {
  readonly harness?: HarnessSnapshot;
  readonly telemetry?: TelemetrySnapshot;
  readonly sweepRows?: readonly SweepRow[];
  readonly telemetrySummary?: TelemetryWindowSummary;
  /** The engine's /metrics view (Server pane); absent keeps the pane hidden. */
  readonly server?: ServerLive;
  /** The run is over: the console shows the final sweep table. */
  readonly finished?: boolean;
  /** Shown under the header when set (e.g. "run process 1234 is gone"); null clears it. */
  readonly notice?: string | null;
  /** Replaces the header's facts (a run mounts the console before its endpoint is known). */
  readonly meta?: ConsoleMeta;
}

/** Everything the dashboard renders. Plain data; one immutable value per published frame. */
export interface ConsoleState {
  readonly meta: ConsoleMeta;
  readonly harness: HarnessSnapshot | null;
  readonly telemetry: TelemetrySnapshot | null;
  readonly telemetrySummary: TelemetryWindowSummary | null;
  /** null until the first /metrics reading: the Server pane is not shown. */
  readonly server: ServerLive | null;
  readonly sweepRows: readonly SweepRow[];
  /** Points passed to finishPoint(): printed once each as static output above the live area. */
  readonly printedRows: readonly SweepRow[];
  readonly finished: boolean;
  readonly notice: string | null;
  /** Read-only attach (`bench watch`): keys quit watching instead of stopping the run. */
  readonly readOnly: boolean;
  readonly helpVisible: boolean;
  /** Set after the first q / Ctrl-C: the header shows "stopping…". */
  readonly stopRequested: boolean;
}

export interface ConsoleHandle {
  /** Stores the latest values only; the console re-renders at most maxFps times a second. */
  update(state: ConsoleUpdate): void;
  /** Prints a finished sweep point as static output above the live area. */
  finishPoint(row: SweepRow): void;
  /** Renders the last state, unmounts and restores the terminal. */
  unmount(): Promise<void>;
  /** Erases the frame, unmounts and restores the terminal (nothing ran that the frame should keep). */
  discard(): Promise<void>;
}

export interface MountConsoleOptions {
  readonly meta: ConsoleMeta;
  readonly stdout?: NodeJS.WriteStream;
  readonly stdin?: NodeJS.ReadStream;
  /** Frames per second, capped at 15. */
  readonly maxFps?: number;
  /** First q / Ctrl-C: stop gracefully (drain, write a partial envelope). */
  readonly onStopRequest: () => void;
  /** Second Ctrl-C: exit at once. */
  readonly onForceExit: () => void;
  /** `bench watch`: read-only attach. */
  readonly readOnly?: boolean;
  /** Disable colours (default: NO_COLOR set in the environment). */
  readonly noColor?: boolean;
}
