// Standalone probe (not a test): replays the fixture Mooncake trace through the trace driver against
// the worker-thread loopback server and prints schedule-lag statistics next to the bare-timer
// baseline. Bundled with esbuild and run on an idle machine to check the 2 ms p99 target there:
//   node probe.mjs [attempts]   (from the repository root)
import { performance } from 'node:perf_hooks';
import type { TraceDriver } from '../../../src/harness/drivers/trace.js';
import { llmInferencePlugin, resolveSuite, workloadToDriver } from '../../../src/harness/plugins/index.js';
import { makeContext, percentile, startWorkerServer, timerLag } from './loopback.js';

const attempts = Number(process.argv[2] ?? 5);
const { spec } = resolveSuite([llmInferencePlugin], 'llm.inference.trace');
const workload = await llmInferencePlugin.loadWorkload(spec, {
  seed: 1,
  model: 'sim',
  engine: 'sim',
  endpointType: 'completions',
  datasetPath: 'fixtures/datasets/mooncake-trace-sample.jsonl',
  extra: {},
});
if (workload.kind !== 'trace') throw new Error('trace expected');
const offsets = workload.entries.map((e) => e.atMs - workload.entries[0]!.atMs);
const server = await startWorkerServer(2, 40);
for (let a = 0; a < attempts; a++) {
  const timer = await timerLag(offsets);
  const driver = workloadToDriver(workload, { timeScale: 1 }) as TraceDriver;
  const context = makeContext(server.baseUrl);
  const t0 = performance.now();
  await driver(context);
  await context.settle();
  const lag = driver.scheduleLag();
  process.stdout.write(
    `attempt ${a + 1}: n=${lag.n} span=${((performance.now() - t0) / 1000).toFixed(2)}s ` +
      `lag p50=${lag.p50Ms!.toFixed(3)} p99=${lag.p99Ms!.toFixed(3)} max=${lag.maxMs!.toFixed(3)} ms; ` +
      `dispatch overhead p99=${percentile(context.dispatchOverheadsMs, 0.99).toFixed(3)} ms; ` +
      `bare timer p50=${timer.p50Ms.toFixed(3)} p99=${timer.p99Ms.toFixed(3)} ms\n`,
  );
}
await server.close();
process.exit(0);
