// npx tsx bench/accuracy.ts [--duration 10] [--concurrency 256] [--workers 0]
//
// Issue 7 accuracy budget: against the engine's truth log (fixed timing: TTFT 40 ± 20 ms, ITL
// 8 ± 4 ms, 64 tokens, concurrency 256; the engine in ANOTHER process), per-request TTFT and TPOT
// errors (client − truth) have p99 ≤ 1 ms.
//
// Truth: the engine stamps its receive time and the write time of every token event as epoch ms
// (performance.timeOrigin + performance.now() in the engine process). The client's monotonic
// times are converted the same way (performance.timeOrigin + t). Requests are matched by the
// x-request-id header. TTFT truth = first token write − receive; TPOT truth = (last − first token
// write) / (tokens − 1). Client TTFT = tFirst − tSend, TPOT = (tLast − tFirst) / (osl − 1).
// The client's TTFT also contains the request's trip to the server (loopback write + the engine's
// HTTP parse), which the truth does not: the error is a real, positive offset, and its spread is
// what client-side scheduling adds. t_send is undici's write of the request (DESIGN: "request
// written"), so the send trip is loopback + the time the engine's loop took to read it.
//
// The engine is the reference, so its own health is printed too: its event-loop delay (p50/p99/max,
// 1 ms monitor), CPU and garbage-collection pauses over the measurement window, from its /metrics
// (scraped when the window opens, which restarts the delay histogram, and when it closes).
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  percentile,
  resolvePointConfig,
  runPointDetailed,
  type RequestRecord,
} from '../src/harness/index.js';
import type { WorkerPoolClient } from '../src/harness/client/worker-pool.js';
import { flag, loadNote, makeClient, spawnEngine, specOf } from './engine-serve.js';

const seconds = Number(flag('duration', '10'));
const concurrency = Number(flag('concurrency', '256'));
const workers = Number(flag('workers', '0'));
const TOKENS = 64;
const BUDGET_MS = 1;

interface TruthLine {
  requestId: string | null;
  receivedMs: number;
  tokenWriteMs: number[];
  tokens: number[];
  outcome: string;
}

interface EngineHealth {
  readonly atMs: number;
  readonly cpuS: number;
  readonly loopP50Ms: number;
  readonly loopP99Ms: number;
  readonly loopMaxMs: number;
  readonly gcPauses: number;
  readonly gcPauseMs: number;
  readonly gcMaxMs: number;
}

/** The engine's CPU and loop delay since its previous scrape, from its /metrics. */
async function engineHealth(origin: string): Promise<EngineHealth> {
  const text = await (await fetch(`${origin}/metrics`)).text();
  const atMs = performance.now();
  const value = (name: string): number => {
    const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
    return m === null ? NaN : Number(m[1]);
  };
  return {
    atMs,
    cpuS: value('process_cpu_seconds_total'),
    loopP50Ms: value('nodejs_eventloop_lag_p50_seconds') * 1000,
    loopP99Ms: value('nodejs_eventloop_lag_p99_seconds') * 1000,
    loopMaxMs: value('nodejs_eventloop_lag_max_seconds') * 1000,
    gcPauses: value('nodejs_gc_pauses_total'),
    gcPauseMs: value('nodejs_gc_pause_seconds_total') * 1000,
    gcMaxMs: value('nodejs_gc_pause_max_seconds') * 1000,
  };
}

const truthPath = join(tmpdir(), `ib-accuracy-truth-${process.pid}.jsonl`);
const engine = await spawnEngine([
  '--timing',
  'fixed',
  '--ttft-ms',
  '40',
  '--ttft-jitter-ms',
  '20',
  '--itl-ms',
  '8',
  '--itl-jitter-ms',
  '4',
  '--truth-log',
  truthPath,
]);
const engineOrigin = new URL(engine.baseUrl).origin;
let records: readonly RequestRecord[] = [];
let valid = true;
let windowOpened = false;
let workerDelay: number | null = null;
let health = '';
let engineNote = 'not measured';
const engineScrape: { open: Promise<EngineHealth> | null; close: Promise<EngineHealth> | null } = {
  open: null,
  close: null,
};
try {
  const client = makeClient(engine.baseUrl, workers, concurrency);
  const pool = 'ready' in client ? (client as WorkerPoolClient) : null;
  if (pool !== null) await pool.ready;
  const config = resolvePointConfig({
    mode: 'closed',
    concurrency,
    durationS: seconds,
    // One warm-up request per connection: the first wave pays 256 TCP connects at once.
    warmupRequests: concurrency,
    gate: { enabled: false },
    bootstrapResamples: 0,
  });
  const run = await runPointDetailed(config, {
    client,
    workload: { request: specOf(TOKENS) },
    requestHeaders: (i) => ({ 'x-request-id': `acc-${i}` }),
    onSnapshot: (snap) => {
      // The workers' loop delay over the measurement window only.
      if (snap.phase === 'measuring' && !windowOpened) {
        windowOpened = true;
        pool?.resetWorkerHealth();
        engineScrape.open = engineHealth(engineOrigin);
      }
      if (snap.phase === 'draining' && engineScrape.open !== null && engineScrape.close === null) {
        engineScrape.close = engineHealth(engineOrigin);
      }
    },
  });
  workerDelay = pool?.workerEventLoopDelayP99Ms() ?? null;
  await client.close();
  const w = run.result.window;
  records = run.records.filter((r) => !r.warmup && r.tSchedMs >= w.startMs && r.tSchedMs <= w.endMs);
  valid = run.result.valid;
  const h = run.result.client;
  const [open, close] = await Promise.all([engineScrape.open, engineScrape.close]);
  if (open !== null && close !== null) {
    const cpu = ((close.cpuS - open.cpuS) * 1000 * 100) / (close.atMs - open.atMs);
    const windowMs = close.atMs - open.atMs;
    const gcMs = close.gcPauseMs - open.gcPauseMs;
    engineNote =
      `event-loop delay p50 ${close.loopP50Ms.toFixed(3)} ms  p99 ${close.loopP99Ms.toFixed(3)} ms  max ${close.loopMaxMs.toFixed(3)} ms, CPU ${cpu.toFixed(0)} %; ` +
      `GC ${close.gcPauses - open.gcPauses} pauses, ${((gcMs / windowMs) * 100).toFixed(2)} % of the time, longest ${close.gcMaxMs.toFixed(2)} ms (over the window)`;
  }
  health = `main event-loop delay p99 ${h.eventLoopDelayP99Ms?.toFixed(2)} ms${workerDelay !== null ? `, worst worker's p99 ${workerDelay.toFixed(2)} ms` : ''}, client CPU ${h.cpuPercent?.toFixed(0)} %`;
} finally {
  await engine.close();
}

const truth = new Map<string, TruthLine>();
for (const line of readFileSync(truthPath, 'utf8').split('\n')) {
  if (line === '') continue;
  const t = JSON.parse(line) as TruthLine;
  if (t.requestId !== null) truth.set(t.requestId, t);
}
rmSync(truthPath, { force: true });

const origin = performance.timeOrigin;
const ttftErr: number[] = [];
const tpotErr: number[] = [];
const sendLag: number[] = [];
const firstDelivery: number[] = [];
let matched = 0;
for (const r of records) {
  const t = truth.get(`acc-${r.id}`);
  if (t === undefined || r.errorCode !== null || t.outcome !== 'ok' || r.tFirstMs === null) continue;
  matched++;
  const first = t.tokenWriteMs[0]!;
  const last = t.tokenWriteMs.at(-1)!;
  const truthTtft = first - t.receivedMs;
  const clientTtft = r.tFirstMs - r.tSendMs;
  ttftErr.push(clientTtft - truthTtft);
  sendLag.push(t.receivedMs - (origin + r.tSendMs));
  firstDelivery.push(origin + r.tFirstMs - first);
  const n = t.tokens.reduce((a, b) => a + b, 0);
  if (n > 1 && r.tLastMs !== null && r.oslTokens > 1) {
    tpotErr.push((r.tLastMs - r.tFirstMs) / (r.oslTokens - 1) - (last - first) / (n - 1));
  }
}
const abs = (xs: number[]): number[] => xs.map(Math.abs);
const pct = (xs: number[], p: number): number => percentile(xs, p) ?? NaN;
const line = (name: string, xs: number[]): string => {
  const p99Abs = pct(abs(xs), 99);
  return `  ${name.padEnd(26)} p50 ${pct(xs, 50).toFixed(3)} ms  p99 ${pct(xs, 99).toFixed(3)} ms  |err| p99 ${p99Abs.toFixed(3)} ms  max ${Math.max(...abs(xs)).toFixed(3)} ms  budget |p99| ≤ ${BUDGET_MS} ms: ${p99Abs <= BUDGET_MS ? 'PASS' : 'FAIL'}`;
};
console.log(
  `accuracy vs truth log: fixed TTFT 40±20 ms, ITL 8±4 ms, ${TOKENS} tokens, c=${concurrency}, ${seconds} s, ${workers === 0 ? 'plain client' : `${workers} worker(s)`}, engine in another process; ${loadNote()}`,
);
console.log(
  `  matched ${matched} of ${records.length} measured requests (warm-up and drain excluded) to truth lines; self-audit valid=${valid} (${health})`,
);
console.log(line('TTFT error (client−truth)', ttftErr));
console.log(line('TPOT error (client−truth)', tpotErr));
console.log(`  engine (the reference, one process): ${engineNote}`);
console.log('  where the TTFT error comes from (TTFT error = send trip + first-token delivery):');
console.log(
  `    send trip: t_send (request written) → engine receive stamp  p50 ${pct(sendLag, 50).toFixed(3)} ms  p99 ${pct(sendLag, 99).toFixed(3)} ms`,
);
console.log(
  `    first-token delivery: engine write → client stamp  p50 ${pct(firstDelivery, 50).toFixed(3)} ms  p99 ${pct(firstDelivery, 99).toFixed(3)} ms`,
);
