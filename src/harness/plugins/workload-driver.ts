// Picks the driver a workload needs: trace replay and multi-turn sessions bring their own;
// single-turn workloads return null (the runner's closed/open loop call workload.request(i)).
import { createMultiTurnDriver } from '../drivers/multiturn.js';
import { createTraceDriver } from '../drivers/trace.js';
import type { Driver } from '../drivers/types.js';
import type { Workload } from './types.js';

export interface WorkloadDriverOptions {
  /** Trace: multiplies the trace's time axis (default 1). */
  readonly timeScale?: number;
  /** Multi-turn open loop: session arrivals per second. */
  readonly sessionRatePerS?: number;
  /** Multi-turn closed loop: sessions in flight at once. */
  readonly concurrency?: number;
}

export function workloadToDriver(workload: Workload, options: WorkloadDriverOptions = {}): Driver | null {
  switch (workload.kind) {
    case 'trace':
      return createTraceDriver(workload, { timeScale: options.timeScale ?? 1 });
    case 'multi-turn':
      return createMultiTurnDriver(workload, {
        ...(options.sessionRatePerS !== undefined ? { sessionRatePerS: options.sessionRatePerS } : {}),
        ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
      });
    case 'single-turn':
      return null;
  }
}
