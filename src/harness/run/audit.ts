// Generator self-audit: event-loop delay, pacer lag and client CPU over the measurement window,
// judged against budgets. A generator that lagged is flagged (valid: false), never silently reported.
// Load-worker threads (--workers) have their own event loops: their delay p99 is judged here too,
// against the same one budget constant.
import {
  createHistogram,
  monitorEventLoopDelay,
  type IntervalHistogram,
  type RecordableHistogram,
} from 'node:perf_hooks';
import type { Clock } from '../clock.js';
import type { ClientHealth } from '../types.js';
import { percentileSorted, sortedCopy } from '../metrics/percentile.js';

/** Event-loop delay p99 budget (ms), for the main thread and for every load worker. */
export const EVENT_LOOP_DELAY_BUDGET_MS = 5;
/** Pacer wake-up lateness p99 budget (ms). */
export const PACER_LAG_BUDGET_MS = 1;

export interface AuditBudgets {
  /** Event-loop delay p99 (ms beyond the timer's own period), main thread and workers. Default 5. */
  readonly eventLoopDelayP99Ms: number;
  /** Pacer wake-up lateness p99 (ms). Default 1. */
  readonly pacerLagP99Ms: number;
  /** Client CPU, percent of one core; unset = recorded, not judged. */
  readonly cpuPercentMax?: number;
}

const RESOLUTION_MS = 10;

export class SelfAudit {
  private readonly eld: IntervalHistogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  private lags: number[] = [];
  /** Live view of the lags (O(1) record, cheap percentile); the final value is exact. */
  private lagHistogram: RecordableHistogram = createHistogram();
  private cpuStart: NodeJS.CpuUsage | null = null;
  private startMs = 0;
  private endMs: number | null = null;
  private cpuEnd: NodeJS.CpuUsage | null = null;
  private recording = false;
  private workerLoopDelayP99Ms: number | null = null;

  constructor(
    private readonly budgets: AuditBudgets,
    private readonly clock: Pick<Clock, 'now'>,
  ) {}

  private now(): number {
    return this.clock.now();
  }

  /** The worst load-worker event-loop delay p99 over the window (null: no workers). */
  recordWorkerLoopDelay(p99Ms: number | null): void {
    this.workerLoopDelayP99Ms = p99Ms;
  }

  /** Starts (or restarts) the audited span. */
  start(): void {
    this.eld.reset();
    this.eld.enable();
    this.lags = [];
    this.lagHistogram = createHistogram();
    this.cpuStart = process.cpuUsage();
    this.startMs = this.now();
    this.endMs = null;
    this.recording = true;
  }

  recordLag(lagMs: number): void {
    if (!this.recording) return;
    this.lags.push(lagMs);
    this.lagHistogram.record(Math.max(1, Math.round(lagMs * 1000)));
  }

  stop(): void {
    if (!this.recording) return;
    this.recording = false;
    this.eld.disable();
    this.endMs = this.now();
    this.cpuEnd = process.cpuUsage(this.cpuStart ?? undefined);
  }

  /** Current (live, from histograms) or final (exact) health. */
  health(exact = true): ClientHealth {
    const eventLoopDelayP99Ms =
      this.eld.count > 0 ? Math.max(0, this.eld.percentile(99) / 1e6 - RESOLUTION_MS) : null;
    let pacerLagP99Ms: number | null = null;
    if (this.lags.length > 0) {
      pacerLagP99Ms = exact
        ? percentileSorted(sortedCopy(this.lags), 99)
        : this.lagHistogram.percentile(99) / 1000;
    }
    let cpuPercent: number | null = null;
    if (this.cpuStart !== null) {
      const usage = this.cpuEnd ?? process.cpuUsage(this.cpuStart);
      const spanMs = (this.endMs ?? this.now()) - this.startMs;
      if (spanMs > 0) cpuPercent = ((usage.user + usage.system) / 1000 / spanMs) * 100;
    }
    const reasons: string[] = [];
    if (eventLoopDelayP99Ms !== null && eventLoopDelayP99Ms > this.budgets.eventLoopDelayP99Ms) {
      reasons.push(
        `event-loop delay p99 ${eventLoopDelayP99Ms.toFixed(1)} ms exceeds the ${this.budgets.eventLoopDelayP99Ms} ms budget`,
      );
    }
    if (pacerLagP99Ms !== null && pacerLagP99Ms > this.budgets.pacerLagP99Ms) {
      reasons.push(
        `pacer lag p99 ${pacerLagP99Ms.toFixed(2)} ms exceeds the ${this.budgets.pacerLagP99Ms} ms budget`,
      );
    }
    if (
      cpuPercent !== null &&
      this.budgets.cpuPercentMax !== undefined &&
      cpuPercent > this.budgets.cpuPercentMax
    ) {
      reasons.push(
        `client CPU ${cpuPercent.toFixed(0)} % exceeds the ${this.budgets.cpuPercentMax} % budget`,
      );
    }
    const worker = this.workerLoopDelayP99Ms;
    if (worker !== null && worker > this.budgets.eventLoopDelayP99Ms) {
      reasons.push(
        `a load worker's event-loop delay p99 ${worker.toFixed(1)} ms exceeds the ${this.budgets.eventLoopDelayP99Ms} ms budget`,
      );
    }
    return Object.freeze({
      eventLoopDelayP99Ms,
      workerEventLoopDelayP99Ms: worker,
      pacerLagP99Ms,
      cpuPercent,
      distorted: reasons.length > 0,
      reasons: Object.freeze(reasons),
    });
  }

  dispose(): void {
    this.eld.disable();
  }
}
