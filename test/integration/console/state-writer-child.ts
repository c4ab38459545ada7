// Child process for the watch tests: plays a short sweep into a live state file, like `bench run`.
// argv: <outputDir> <steps> <stepMs> <exitCode|die> [goFile: start the steps once this file exists]
import { existsSync } from 'node:fs';
import { createStateWriter } from '../../../src/app/live/state-file.js';
import {
  gpuTelemetry,
  harnessSnapshot,
  SIM_META,
  SWEEP_ROWS,
  WINDOW_SUMMARY,
} from '../../console/fixtures.js';

const [outputDir, stepsArg = '8', stepMsArg = '250', end = '0', goFile] = process.argv.slice(2);
if (!outputDir) throw new Error('usage: state-writer-child <outputDir> [steps] [stepMs] [exitCode|die]');
const steps = Number(stepsArg);
const stepMs = Number(stepMsArg);
const writer = createStateWriter(outputDir, { meta: SIM_META, minIntervalMs: 100 });
const rows = SWEEP_ROWS.slice(0, 2);
await writer.flush();
while (goFile && !existsSync(goFile)) await new Promise((r) => setTimeout(r, 20));

for (let i = 0; i < steps; i += 1) {
  const pointIndex = i < steps / 2 ? 0 : 1;
  writer.update({
    harness: harnessSnapshot({
      seq: i + 1,
      elapsedS: i * (stepMs / 1000),
      point: { index: pointIndex, total: 2, label: rows[pointIndex]!.point },
    }),
    telemetry: gpuTelemetry(1),
    sweepRows: rows.slice(0, i >= steps / 2 ? 1 : 0),
  });
  process.stdout.write(`step ${i}\n`);
  await new Promise((r) => setTimeout(r, stepMs));
}
if (end === 'die') {
  await writer.flush();
  process.exit(0); // ends without finish(): the watcher must notice the process is gone
}
writer.update({ sweepRows: rows, telemetrySummary: WINDOW_SUMMARY });
await writer.finish(Number(end));
