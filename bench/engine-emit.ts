// npm run bench:engine — SSE events/s the embedded engine emits in no-delay mode to N concurrent streams.
// Budget (issue 6): ≥ 200 000 events/s to 256 streams from one process on a 2-core machine.
// `--timing fixed --itl-ms 1` measures the per-stream timer path instead (its ceiling is streams × 1000/itl).
// The client is a minimal raw node:http reader in a worker thread (counts "\n\n"-terminated events),
// so the engine's event loop is measured, not the client's parser.
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { startEngine } from '../src/engine/index.js';

const BUDGET_EVENTS_PER_S = 200_000;
const args = process.argv.slice(2);
const arg = (name: string, fallback: number): number => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? Number(args[at + 1]) : fallback;
};
const durationS = arg('duration', 5);
const streams = arg('streams', 256);
const maxTokens = arg('max-tokens', 2000);
const timingAt = args.indexOf('--timing');
const timing = (timingAt >= 0 ? args[timingAt + 1] : 'nodelay') as 'nodelay' | 'fixed';
const itlMs = arg('itl-ms', 1);

const clientSource = `
const { parentPort, workerData } = require('node:worker_threads');
const http = require('node:http');
const { port, streams, maxTokens } = workerData;
const agent = new http.Agent({ keepAlive: true, maxSockets: streams });
const body = JSON.stringify({ model: 'bench', messages: [{ role: 'user', content: 'hi' }], stream: true,
  max_tokens: maxTokens, ignore_eos: true, stream_options: { include_usage: true } });
let events = 0; let stop = false; let done = 0;
function one() {
  if (stop) return;
  const req = http.request({ host: '127.0.0.1', port, path: '/v1/chat/completions', method: 'POST', agent,
    headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
    res.on('data', (buf) => { let i = -1; while ((i = buf.indexOf(10, i + 1)) >= 0) if (buf[i + 1] === 10) events++; });
    res.on('end', () => { done++; one(); });
  });
  req.on('error', () => setTimeout(one, 10));
  req.end(body);
}
for (let i = 0; i < streams; i++) one();
parentPort.on('message', (m) => { if (m === 'stop') { stop = true; parentPort.postMessage({ events, done }); agent.destroy(); } });
setInterval(() => parentPort.postMessage({ tick: events }), 1000).unref();
`;

async function main(): Promise<void> {
  const engine = await startEngine({
    timing,
    model: 'bench',
    seed: 1,
    fixed: { ttftMs: 5, ttftJitterMs: 0, itlMs, itlJitterMs: 0 },
  });
  const worker = new Worker(clientSource, {
    eval: true,
    workerData: { port: engine.port, streams, maxTokens },
  });
  // Warm up 1 s, then measure.
  await new Promise((r) => setTimeout(r, 1000));
  const c0 = engine.counters().eventsWritten;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  await new Promise((r) => setTimeout(r, durationS * 1000));
  const c1 = engine.counters().eventsWritten;
  const t1 = performance.now();
  const cpu = process.cpuUsage(cpu0);
  const client = await new Promise<{ events: number; done: number }>((resolve) => {
    worker.on('message', (m: { events?: number; done?: number }) => {
      if (m.events !== undefined) resolve({ events: m.events, done: m.done ?? 0 });
    });
    worker.postMessage('stop');
  });
  await worker.terminate();
  await engine.close();
  const seconds = (t1 - t0) / 1000;
  const rate = (c1 - c0) / seconds;
  const cpuPct = ((cpu.user + cpu.system) / 1000 / (t1 - t0)) * 100;
  const lines = [
    `engine emit (${timing === 'fixed' ? `fixed, itl ${itlMs} ms` : 'nodelay'}, ${streams} streams, ${maxTokens} tokens/request, ${durationS}s measured)`,
    `  engine events/s     ${Math.round(rate).toLocaleString('en-US')}`,
    `  budget              ${BUDGET_EVENTS_PER_S.toLocaleString('en-US')} events/s`,
    `  ratio to budget     ${(rate / BUDGET_EVENTS_PER_S).toFixed(2)}x ${rate >= BUDGET_EVENTS_PER_S ? 'PASS' : 'FAIL'}`,
    `  engine process CPU  ${cpuPct.toFixed(0)} % (engine + client worker threads)`,
    `  client saw          ${client.events.toLocaleString('en-US')} events total, ${client.done} responses completed`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  if (rate < BUDGET_EVENTS_PER_S) process.exitCode = 1;
}

await main();
