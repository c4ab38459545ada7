// npx tsx bench/console-overhead.ts [-- --seconds 5 --tok-per-s 20000 --reps 2 --fps 2 --columns 160 --rows 50 --warmup-frames 8]
//
// Budget (issue 4): the live console costs ≤ 3 % of the client's ingest ceiling and keeps the
// event-loop delay p99 ≤ 5 ms at 20k tok/s.
//
// One process, one event loop, as in `bench run`: a synthetic client ingests SSE events at the
// target token rate (each event: JSON.parse of a vLLM-shaped chunk, an arrival stamp, counters),
// builds a HarnessSnapshot every 250 ms and a TelemetrySnapshot every second from that data, and
// hands them to either
//   headless: one progress line per second (to a sink), or
//   console:  mountConsole() rendering to a fake TTY (a sink with columns/rows; nothing parsed),
// for the same wall time, after a few warm-up frames (NODE_ENV=production, as the CLI runs; --react-dev to compare). Modes alternate (reps × 2 runs). Printed: CPU share of one core,
// event-loop delay p99 (monitorEventLoopDelay, 1 ms resolution), the console's extra CPU as a
// share of the single-core ingest ceiling measured in the same run, and bytes/frames written.
import { EventEmitter } from 'node:events';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { HarnessSnapshot, HistogramView } from '../src/harness/types.js';
import type { TelemetrySnapshot } from '../src/telemetry/types.js';

const args = process.argv.slice(2);
const flag = (name: string, fallback: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? (args[i + 1] as string) : fallback;
};
const seconds = Number(flag('seconds', '5'));
const tokPerS = Number(flag('tok-per-s', '20000'));
const reps = Number(flag('reps', '2'));
const fps = Number(flag('fps', '2'));
const columns = Number(flag('columns', '160'));
const rows = Number(flag('rows', '50'));
const warmupFrames = Number(flag('warmup-frames', '8'));
// React's development build is several times slower; the CLI runs the production one.
if (!args.includes('--react-dev')) process.env.NODE_ENV = 'production';
const { mountConsole } = await import('../src/app/console/index.js');
const { formatProgressLine } = await import('../src/app/live/progress-line.js');

// ---- synthetic ingest -------------------------------------------------------------------------
const CHUNKS = Array.from({ length: 97 }, (_, i) =>
  JSON.stringify({
    id: 'chatcmpl-bench0000000000000000',
    object: 'chat.completion.chunk',
    created: 1_700_000_000,
    model: 'meta-llama/Llama-3.1-8B-Instruct',
    choices: [{ index: 0, delta: { content: ` word${i}` }, logprobs: null, finish_reason: null }],
  }),
);

const EDGES_MS = Array.from({ length: 41 }, (_, i) => 10 ** (i / 10));
interface Acc {
  events: number;
  tokens: number;
  chars: number;
  stamps: number[];
  ttftCounts: number[];
  tpotCounts: number[];
  tokSeries: number[];
  reqSeries: number[];
  done: number;
}
const newAcc = (): Acc => ({
  events: 0,
  tokens: 0,
  chars: 0,
  stamps: [],
  ttftCounts: EDGES_MS.slice(1).map(() => 0),
  tpotCounts: EDGES_MS.slice(1).map(() => 0),
  tokSeries: [],
  reqSeries: [],
  done: 0,
});

function bucketOf(valueMs: number): number {
  const i = Math.floor(Math.log10(Math.max(1, valueMs)) * 10);
  return Math.min(EDGES_MS.length - 2, Math.max(0, i));
}

/** The per-event work of the client's hot path (parse, stamp, count). */
function ingest(acc: Acc, n: number, nowMs: number): void {
  for (let i = 0; i < n; i += 1) {
    const chunk = JSON.parse(CHUNKS[acc.events % CHUNKS.length]!) as {
      choices: Array<{ delta: { content: string } }>;
    };
    acc.chars += chunk.choices[0]!.delta.content.length;
    acc.stamps.push(nowMs);
    acc.events += 1;
    acc.tokens += 1;
    if (acc.events % 256 === 0) {
      // a request finished: 256 tokens
      acc.done += 1;
      acc.ttftCounts[bucketOf(40 + (acc.done % 37) * 3)]! += 1;
      acc.tpotCounts[bucketOf(9 + (acc.done % 11))]! += 1;
      acc.stamps.length = 0;
    }
  }
}

function view(counts: number[]): HistogramView {
  const n = counts.reduce((a, b) => a + b, 0);
  const at = (q: number): number | null => {
    if (n === 0) return null;
    let acc = 0;
    for (let i = 0; i < counts.length; i += 1) {
      acc += counts[i]!;
      if (acc >= q * n) return EDGES_MS[i]!;
    }
    return null;
  };
  return { edgesMs: EDGES_MS, counts: [...counts], n, p50Ms: at(0.5), p99Ms: at(0.99) };
}

function snapshot(acc: Acc, seq: number, elapsedS: number): HarnessSnapshot {
  return Object.freeze({
    seq,
    phase: 'measuring',
    elapsedS,
    durationS: seconds,
    point: { index: 0, total: 1, label: 'c256' },
    inFlight: 256,
    sent: acc.done + 256,
    done: acc.done,
    ok: acc.done,
    failed: 0,
    errorsByCode: {},
    tokPerS: acc.tokSeries.at(-1) ?? 0,
    reqPerS: acc.reqSeries.at(-1) ?? 0,
    tokPerSSeries: acc.tokSeries.slice(-120),
    reqPerSSeries: acc.reqSeries.slice(-120),
    ttft: view(acc.ttftCounts),
    tpot: view(acc.tpotCounts),
    gate: { status: 'converged', cov: 0.03, n: 30, window: 30, targetCov: 0.05 },
    client: { eventLoopDelayP99Ms: 1, pacerLagP99Ms: 0.2, cpuPercent: 40, distorted: false, reasons: [] },
  } satisfies HarnessSnapshot);
}

function telemetry(elapsedS: number): TelemetrySnapshot {
  const series = Array.from(
    { length: Math.min(120, Math.floor(elapsedS) + 1) },
    (_, i) => 600 + (i % 9) * 10,
  );
  return {
    source: 'nvml',
    gpu: {
      available: true,
      gpus: [0, 1].map((index) => ({
        index,
        name: 'H100 80GB HBM3',
        latest: {
          tMs: elapsedS * 1000,
          powerW: 640,
          energyMj: null,
          utilGpuPct: 92,
          utilMemPct: 60,
          memUsedMiB: 70_000,
          smClockMhz: 1980,
          tempC: 60,
        },
        powerWSeries: series,
        utilPctSeries: series.map((p) => p / 7),
      })),
      energyJ: elapsedS * 1280,
      sampleCount: Math.floor(elapsedS * 10),
      intervalMs: 100,
    },
    rapl: { available: false, reason: 'no RAPL in this VM' },
  };
}

// ---- sinks ------------------------------------------------------------------------------------
class SinkTty extends EventEmitter {
  readonly isTTY = true;
  bytes = 0;
  writes = 0;
  constructor(
    readonly columns: number,
    readonly rows: number,
  ) {
    super();
  }
  write = (chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
    this.bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
    this.writes += 1;
    const cb = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
    cb?.();
    return true;
  };
}
class NoTtyStdin extends EventEmitter {
  readonly isTTY = false;
  setEncoding(): this {
    return this;
  }
  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }
  read(): null {
    return null;
  }
}

// ---- one measured run ---------------------------------------------------------------------------
interface RunResult {
  mode: 'headless' | 'console';
  cpuShare: number;
  loopP99Ms: number;
  loopMaxMs: number;
  events: number;
  bytes: number;
  writes: number;
}

async function runOnce(mode: RunResult['mode']): Promise<RunResult> {
  const acc = newAcc();
  const tty = new SinkTty(columns, rows);
  let headlessBytes = 0;
  const handle =
    mode === 'console'
      ? mountConsole({
          meta: {
            suite: 'chat-long',
            model: 'meta-llama/Llama-3.1-8B-Instruct',
            engine: 'vllm',
            endpointHost: 'gpu:8000',
            simulated: false,
          },
          stdout: tty as unknown as NodeJS.WriteStream,
          stdin: new NoTtyStdin() as unknown as NodeJS.ReadStream,
          maxFps: fps,
          noColor: false,
          onStopRequest: () => undefined,
          onForceExit: () => undefined,
        })
      : null;
  // Warm-up (both modes): mount, JIT and the first frames are one-off costs, not steady state.
  if (handle) {
    const warm = newAcc();
    for (let i = 0; i < warmupFrames; i += 1) {
      ingest(warm, 500, performance.now());
      warm.tokSeries.push(20_000 + (i % 5) * 100);
      warm.reqSeries.push(78 + (i % 3));
      handle.update({ harness: snapshot(warm, i, i / 4), telemetry: telemetry(i / 4) });
      await new Promise((r) => setTimeout(r, Math.ceil(1000 / fps) + 5));
    }
  }
  await new Promise((r) => setTimeout(r, 100));
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let last = t0;
  let owed = 0;
  let seq = 0;
  let lastSecondTokens = 0;
  let lastSecondDone = 0;
  let nextSnapshot = t0 + 250;
  let latest = snapshot(acc, 0, 0);
  const bytes0 = tty.bytes;
  const writes0 = tty.writes;
  let nextSecond = t0 + 1000;
  await new Promise<void>((done) => {
    const tick = (): void => {
      const now = performance.now();
      owed += ((now - last) * tokPerS) / 1000;
      last = now;
      const n = Math.floor(owed);
      owed -= n;
      ingest(acc, n, now); // like one socket read carrying every event due since the last one
      // Both modes build the same snapshots (the harness does, whoever listens).
      if (now >= nextSecond) {
        nextSecond += 1000;
        acc.tokSeries.push(acc.tokens - lastSecondTokens);
        acc.reqSeries.push(acc.done - lastSecondDone);
        lastSecondTokens = acc.tokens;
        lastSecondDone = acc.done;
        const t = telemetry((now - t0) / 1000); // built in both modes, as the sampler does
        if (handle) handle.update({ telemetry: t });
        else headlessBytes += formatProgressLine(latest).length + 1;
      }
      if (now >= nextSnapshot) {
        nextSnapshot += 250;
        seq += 1;
        latest = snapshot(acc, seq, (now - t0) / 1000);
        if (handle) handle.update({ harness: latest });
      }
      if (now - t0 >= seconds * 1000) return done();
      setTimeout(tick, 1);
    };
    setTimeout(tick, 1);
  });
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  h.disable();
  const windowBytes = tty.bytes - bytes0;
  const windowWrites = tty.writes - writes0;
  if (handle) await handle.unmount();
  return {
    mode,
    cpuShare: (cpu.user + cpu.system) / 1000 / wallMs,
    loopP99Ms: h.percentile(99) / 1e6,
    loopMaxMs: h.max / 1e6,
    events: acc.events,
    bytes: handle ? windowBytes : headlessBytes,
    writes: handle ? windowWrites : Math.floor(seconds),
  };
}

/** Single-core ingest ceiling of the same per-event work: events per CPU-second. */
function ingestCeiling(): number {
  const acc = newAcc();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  while (performance.now() - t0 < 1000) ingest(acc, 1000, performance.now());
  const cpu = process.cpuUsage(cpu0);
  return acc.events / ((cpu.user + cpu.system) / 1e6);
}

// ---- main ---------------------------------------------------------------------------------------
const ceiling = ingestCeiling();
const results: RunResult[] = [];
for (let r = 0; r < reps; r += 1) {
  for (const mode of r % 2 === 0 ? (['headless', 'console'] as const) : (['console', 'headless'] as const)) {
    results.push(await runOnce(mode));
  }
}
const avg = (
  mode: RunResult['mode'],
  key: 'cpuShare' | 'loopP99Ms' | 'loopMaxMs' | 'bytes' | 'writes' | 'events',
) => {
  const xs = results.filter((x) => x.mode === mode).map((x) => x[key]);
  return xs.reduce((a, b) => a + b, 0) / xs.length;
};
const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
console.log(
  `console overhead at ${tokPerS} tok/s, ${seconds}s × ${reps} reps per mode, ${columns}×${rows} fake TTY, maxFps ${fps}, React ${process.env.NODE_ENV === 'production' ? 'production' : 'development'}, Node ${process.version}`,
);
console.log(
  `ingest ceiling (same per-event work, one core): ${Math.round(ceiling).toLocaleString('en-US')} events/CPU-s`,
);
console.log('mode       cpu(1 core)  loop p99   loop max   events/s   bytes/s    writes/s');
for (const mode of ['headless', 'console'] as const) {
  console.log(
    `${mode.padEnd(10)} ${pct(avg(mode, 'cpuShare')).padStart(10)}  ${avg(mode, 'loopP99Ms').toFixed(2).padStart(6)}ms  ${avg(mode, 'loopMaxMs').toFixed(2).padStart(7)}ms  ${Math.round(
      avg(mode, 'events') / seconds,
    )
      .toString()
      .padStart(8)}  ${Math.round(avg(mode, 'bytes') / seconds)
      .toString()
      .padStart(8)}  ${(avg(mode, 'writes') / seconds).toFixed(1).padStart(8)}`,
  );
}
const extraCpu = avg('console', 'cpuShare') - avg('headless', 'cpuShare');
const p99 = avg('console', 'loopP99Ms');
console.log(
  `console extra CPU: ${pct(extraCpu)} of one core = ${pct(extraCpu)} of the ingest ceiling (${Math.round(extraCpu * ceiling).toLocaleString('en-US')} events/s); cpu ratio console/headless ${(avg('console', 'cpuShare') / avg('headless', 'cpuShare')).toFixed(2)}×`,
);
console.log(
  `event-loop delay p99 ratio console/headless: ${(p99 / avg('headless', 'loopP99Ms')).toFixed(2)}×`,
);
console.log(
  `budget: extra CPU ≤ 3% of the ceiling: ${extraCpu <= 0.03 ? 'PASS' : 'FAIL'}; loop p99 ≤ 5 ms with the console: ${p99 <= 5 ? 'PASS' : 'FAIL'}`,
);
process.exit(0);
