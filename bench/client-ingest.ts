// npm run bench:client [-- --seconds 3 --concurrency 1,64,256 --max-tokens 1000 --in-process]
//
// 1. Ingest micro-benchmark (no network): SSE parse + arrival stamp + JSON.parse + record, on
//    vLLM-shaped chunks fed 16 events per "socket read". Printed next to a baseline measured in the
//    same run (eventsource-parser 3 + JSON.parse, the reference in research/ts-deps.md §4).
//    Budget: ≥ 500k events/s (≤ 2 µs/event).
// 2. End to end: the embedded engine in 'nodelay' mode (a child process by default, so server and
//    client each get a core; --in-process to share one event loop) streams to the real client at
//    concurrency 1, 64, 256; prints events/s the client ingested next to the engine's own emission
//    rate over the same interval, and the client's CPU share.
import { performance } from 'node:perf_hooks';
import { createParser } from 'eventsource-parser';
import { cpus, loadavg } from 'node:os';
import { forkEngine } from './fork-engine.js';
import { startEngine } from '../src/engine/index.js';
import { RequestState } from '../src/harness/client/request-state.js';
import { createStreamClient, type RequestSpec } from '../src/harness/index.js';

const args = process.argv.slice(2);
const flag = (name: string, fallback: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? (args[i + 1] as string) : fallback;
};
const seconds = Number(flag('seconds', '3'));
const concurrencies = flag('concurrency', '1,64,256').split(',').map(Number);
const maxTokens = Number(flag('max-tokens', '1000'));
const inProcess = args.includes('--in-process');

// ---- 1. micro-benchmark --------------------------------------------------------------------------
function chunk(i: number): string {
  return `data: ${JSON.stringify({
    id: 'chatcmpl-bench0000000000000000',
    object: 'chat.completion.chunk',
    created: 1_700_000_000,
    model: 'meta-llama/Llama-3.1-8B-Instruct',
    choices: [{ index: 0, delta: { content: ` word${i % 97}` }, logprobs: null, finish_reason: null }],
  })}\n\n`;
}

const EVENTS_PER_READ = 16;
const READS = 2_000;
const reads: string[] = [];
for (let r = 0; r < READS; r++) {
  let text = '';
  for (let e = 0; e < EVENTS_PER_READ; e++) text += chunk(r * EVENTS_PER_READ + e);
  reads.push(text);
}
const totalEvents = READS * EVENTS_PER_READ;

function oursOnce(): number {
  const live = { eventsReceived: 0, tokensReceived: 0 };
  const state = new RequestState('chat', false, live);
  for (const text of reads) state.parser.feed(text, performance.now());
  return state.eventTimesMs.length;
}

function baselineOnce(): number {
  const times: number[] = [];
  let stamp = 0;
  const parser = createParser({
    onEvent(event) {
      if (event.data === '[DONE]') return;
      const json = JSON.parse(event.data) as { choices?: { delta?: { content?: string } }[] };
      if (json.choices?.[0]?.delta?.content) times.push(stamp);
    },
  });
  for (const text of reads) {
    stamp = performance.now();
    parser.feed(text);
  }
  return times.length;
}

interface Rate {
  /** events per wall-clock second */
  wall: number;
  /** events per CPU-second of this process (robust when other processes share the cores) */
  cpu: number;
}

function rate(fn: () => number, rounds: number): Rate {
  for (let i = 0; i < 3; i++) fn(); // warm up the JIT
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  let events = 0;
  for (let i = 0; i < rounds; i++) events += fn();
  const wallS = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(c0);
  return { wall: events / wallS, cpu: events / ((cpu.user + cpu.system) / 1e6) };
}

// Interleave rounds so both sides see the same machine conditions.
const oursRates: Rate[] = [];
const baseRates: Rate[] = [];
for (let round = 0; round < 3; round++) {
  oursRates.push(rate(oursOnce, 5));
  baseRates.push(rate(baselineOnce, 5));
}
const best = (rates: Rate[], key: keyof Rate): number => Math.max(...rates.map((r) => r[key]));
if (oursOnce() !== totalEvents) throw new Error('micro-benchmark lost events');
const oursCpu = best(oursRates, 'cpu');
const baseCpu = best(baseRates, 'cpu');
const line = (label: string, rates: Rate[]): string =>
  `  ${label.padEnd(36)} ${(best(rates, 'cpu') / 1000).toFixed(0).padStart(5)}k events/CPU-s  ${(1e6 / best(rates, 'cpu')).toFixed(2)} µs/event   (wall ${(best(rates, 'wall') / 1000).toFixed(0)}k events/s)\n`;
process.stdout.write(
  `ingest micro-benchmark (${totalEvents} events/round, ${EVENTS_PER_READ} events per read, best of 3)\n`,
);
process.stdout.write(line('ours (parse + stamp + record)', oursRates));
process.stdout.write(line('baseline (eventsource-parser + JSON)', baseRates));
process.stdout.write(
  `  ratio ours/baseline ${(oursCpu / baseCpu).toFixed(2)}   budget ≥ 500k events/CPU-s (≤ 2 µs/event): ${
    oursCpu >= 500_000 ? 'PASS' : 'FAIL'
  }\n\n`,
);

// ---- 2. end to end -------------------------------------------------------------------------------
interface EngineProcess {
  baseUrl: string;
  modelId: string;
  eventsWritten(): Promise<number>;
  close(): Promise<void>;
}

async function startInProcess(): Promise<EngineProcess> {
  const engine = await startEngine({ timing: 'nodelay', defaultOutputTokens: maxTokens });
  return {
    baseUrl: engine.baseUrl,
    modelId: engine.modelId,
    eventsWritten: async () => engine.counters().eventsWritten,
    close: () => engine.close(),
  };
}

const engine = inProcess ? await startInProcess() : await forkEngine(maxTokens);
process.stdout.write(
  `end to end: embedded engine 'nodelay' (${inProcess ? 'same process' : 'child process'}), ${maxTokens} tokens per request, ${seconds} s per cell\n`,
);
process.stdout.write(
  '  concurrency  client events/s  engine events/s  client/engine  client CPU %  client events/CPU-s\n',
);
const spec: RequestSpec = { prompt: 'benchmark the client', maxTokens };
for (const concurrency of concurrencies) {
  const client = createStreamClient({
    baseUrl: engine.baseUrl,
    endpointType: 'completions',
    model: engine.modelId,
    connections: concurrency,
    requestTimeoutMs: 120_000,
  });
  let stop = false;
  const worker = async (): Promise<void> => {
    while (!stop) await client.send(spec, performance.now());
  };
  const workers = Array.from({ length: concurrency }, () => worker());
  await new Promise((resolve) => setTimeout(resolve, 500)); // settle
  const e0 = client.stats.eventsReceived;
  const s0 = await engine.eventsWritten();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const elapsedS = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const clientRate = (client.stats.eventsReceived - e0) / elapsedS;
  const engineRate = ((await engine.eventsWritten()) - s0) / elapsedS;
  stop = true;
  await Promise.all(workers);
  await client.close();
  const cpuPercent = ((cpu.user + cpu.system) / 1000 / (elapsedS * 1000)) * 100;
  const perCpuS = (clientRate * elapsedS) / ((cpu.user + cpu.system) / 1e6);
  process.stdout.write(
    `  ${String(concurrency).padStart(11)}  ${clientRate.toFixed(0).padStart(15)}  ${engineRate.toFixed(0).padStart(15)}  ${(clientRate / engineRate).toFixed(3).padStart(13)}  ${cpuPercent.toFixed(0).padStart(12)}  ${perCpuS.toFixed(0).padStart(19)}\n`,
  );
}
await engine.close();
process.stdout.write(
  `machine: ${cpus().length} cores, load average ${loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')} (other processes share these cores)\n`,
);
