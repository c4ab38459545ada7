// Renders a console frame from the fixtures as plain text, for docs/console.md:
//   npx tsx test/console/capture-frame.tsx <columns> <rows> <state>
// states: measuring, errors, no-gpu, distorted, warmup-help, finished
import { Dashboard } from '../../src/app/console/Dashboard.js';
import type { ConsoleState } from '../../src/app/console/types.js';
import * as f from './fixtures.js';
import { renderFrame } from './render.js';

const [columns = '100', rows = '30', which = 'measuring'] = process.argv.slice(2);
const states: Record<string, ConsoleState> = {
  measuring: f.consoleState({ telemetry: f.gpuTelemetry(2), telemetrySummary: f.WINDOW_SUMMARY }),
  errors: f.consoleState({ harness: f.ERRORS_SNAPSHOT, telemetrySummary: f.WINDOW_SUMMARY }),
  'no-gpu': f.consoleState({ telemetry: f.NO_GPU_TELEMETRY }),
  distorted: f.consoleState({ harness: f.DISTORTED_SNAPSHOT, telemetry: f.gpuTelemetry(4) }),
  'warmup-help': f.consoleState({ harness: f.WARMUP_SNAPSHOT, meta: f.SIM_META, helpVisible: true }),
  finished: f.consoleState({ finished: true, sweepRows: f.SWEEP_ROWS, readOnly: true }),
};
const state = states[which];
if (!state) throw new Error(`unknown state ${which}; one of ${Object.keys(states).join(', ')}`);
const frame = await renderFrame(<Dashboard state={state} columns={Number(columns)} rows={Number(rows)} />, {
  columns: Number(columns),
  rows: Number(rows),
});
process.stdout.write(`${frame.text}\n`);
