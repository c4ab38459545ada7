// Which panes the dashboard asks for, and how many lines each one renders (pure).
import type { PaneRequest } from './layout.js';
import type { ConsoleState } from './types.js';

export const HELP_LINES: readonly string[] = [
  'q          stop gracefully: drain in-flight requests, write a partial envelope marked incomplete',
  'Ctrl-C     same as q; press it a second time to exit at once',
  '?          show / hide this help',
  'Panes drop out bottom-up when the terminal is short (GPU/profiling first); ≥140 columns shows a grid.',
];

export const HELP_LINES_READ_ONLY: readonly string[] = [
  'q, Ctrl-C  stop watching (the run keeps going; attach again with bench watch <dir>)',
  '?          show / hide this help',
  'Panes drop out bottom-up when the terminal is short (GPU/profiling first); ≥140 columns shows a grid.',
];

export function helpLines(readOnly: boolean): readonly string[] {
  return readOnly ? HELP_LINES_READ_ONLY : HELP_LINES;
}

export function gpuPaneHeight(state: ConsoleState): number {
  const gpu = state.telemetry?.gpu;
  if (gpu?.available) return 2 + Math.max(1, gpu.gpus.length);
  return 2;
}

export function throughputPaneHeight(state: ConsoleState): number {
  const errors = state.harness ? Object.keys(state.harness.errorsByCode).length : 0;
  return 4 + (errors > 0 ? 1 : 0);
}

export function clientPaneHeight(state: ConsoleState): number {
  const client = state.harness?.client;
  return client?.distorted && client.reasons.length > 0 ? 2 : 1;
}

export function sweepPaneHeight(state: ConsoleState): number {
  return state.sweepRows.length + 5;
}

/** The panes to lay out for this state, with their heights (histogram panes: title line only). */
export function paneRequests(state: ConsoleState): PaneRequest[] {
  const panes: PaneRequest[] = [{ id: 'header', height: 2 }];
  if (state.notice) panes.push({ id: 'notice', height: 1 });
  if (state.helpVisible) panes.push({ id: 'help', height: helpLines(state.readOnly).length + 1 });
  if (state.finished && state.sweepRows.length > 0) {
    panes.push({ id: 'sweep', height: sweepPaneHeight(state), priority: 4 });
  }
  panes.push({ id: 'throughput', height: throughputPaneHeight(state) });
  panes.push({ id: 'ttft', height: 1 }, { id: 'tpot', height: 1 });
  panes.push({ id: 'gate', height: 1 });
  const distorted = state.harness?.client.distorted === true;
  panes.push({ id: 'client', height: clientPaneHeight(state), ...(distorted ? { priority: 4.5 } : {}) });
  panes.push({ id: 'gpu', height: gpuPaneHeight(state) });
  if (state.server) panes.push({ id: 'server', height: 2 });
  panes.push({ id: 'profiling', height: 4 });
  panes.push({ id: 'footer', height: 1 });
  return panes;
}
