import { pointMetricsV1 } from '../../../src/envelope/metrics.js';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, type EngineHandle } from '../../../src/engine/index.js';
import { shiftRecordTimes } from '../../../src/harness/client/pool-worker.js';
import {
  createWorkerPoolClient,
  defaultWorkerCount,
  expectedEventsPerS,
} from '../../../src/harness/client/worker-pool.js';
import {
  buildMetrics,
  ClientOptionsError,
  createStreamClient,
  readJournal,
  resolvePointConfig,
  runPointDetailed,
  type RequestRecord,
  type RequestSpec,
  type StreamClient,
} from '../../../src/harness/index.js';

// Fixed timing with zero jitter: every request's TTFT is 20 ms and every gap 2 ms at the server,
// so per-request client values differ between runs only by scheduling noise.
let engine: EngineHandle;
let dir: string;
let truthPath: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ib-pool-'));
  truthPath = join(dir, 'truth.jsonl');
  engine = await startEngine({
    timing: 'fixed',
    fixed: { ttftMs: 20, ttftJitterMs: 0, itlMs: 2, itlJitterMs: 0 },
    truthLogPath: truthPath,
  });
});

afterAll(async () => {
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Seeded workload: request i always asks for the same number of tokens (ignore_eos → exact). */
const workload = {
  request: (i: number): RequestSpec => ({
    prompt: `seeded prompt ${i}`,
    maxTokens: 4 + ((i * 7919) % 13),
    extraBody: { ignore_eos: true },
  }),
};

const poolOf = (workers: number, connections: number): ReturnType<typeof createWorkerPoolClient> =>
  createWorkerPoolClient({
    baseUrl: engine.baseUrl,
    endpointType: 'chat',
    model: engine.modelId,
    connections,
    workers,
  });

const plainOf = (connections: number): StreamClient =>
  createStreamClient({ baseUrl: engine.baseUrl, endpointType: 'chat', model: engine.modelId, connections });

interface TruthLine {
  requestId: string | null;
  receivedMs: number;
  tokenWriteMs: number[];
}

/** Maximum number of requests open at the server at once, from the truth log's intervals. */
function serverMaxOverlap(lines: TruthLine[]): number {
  const edges: [number, number][] = [];
  for (const l of lines) {
    edges.push([l.receivedMs, 1]);
    edges.push([l.tokenWriteMs.at(-1) ?? l.receivedMs, -1]);
  }
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let open = 0;
  let max = 0;
  for (const [, d] of edges) {
    open += d;
    max = Math.max(max, open);
  }
  return max;
}

function readTruth(prefix: string): TruthLine[] {
  return readFileSync(truthPath, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as TruthLine)
    .filter((l) => l.requestId?.startsWith(prefix) === true);
}

describe('worker pool: options and helpers', () => {
  it('rejects bad options with E_CLIENT_OPTIONS', () => {
    const base = { baseUrl: engine.baseUrl, endpointType: 'chat' as const, model: 'm', connections: 2 };
    expect(() => createWorkerPoolClient({ ...base, workers: 0 })).toThrow(ClientOptionsError);
    expect(() => createWorkerPoolClient({ ...base, workers: 1.5 })).toThrow(/workers/);
    expect(() => createWorkerPoolClient({ ...base, baseUrl: 'ftp://x', workers: 2 })).toThrow(/http/);
    expect(() => createWorkerPoolClient({ ...base, connections: 0, workers: 2 })).toThrow(/connections/);
  });

  it('shiftRecordTimes moves every monotonic time but t_sched by the clock offset', () => {
    const record = {
      tSchedMs: 1,
      tSendMs: 10,
      tFirstMs: 20,
      tFirstOutMs: 21,
      tLastMs: 30,
      tDoneMs: 31,
      eventTimesMs: [20, 25, 30],
    } as unknown as RequestRecord;
    shiftRecordTimes(record, 100.5);
    expect(record).toMatchObject({
      tSchedMs: 1,
      tSendMs: 110.5,
      tFirstMs: 120.5,
      tFirstOutMs: 121.5,
      tLastMs: 130.5,
      tDoneMs: 131.5,
      eventTimesMs: [120.5, 125.5, 130.5],
    });
    const nulls = { ...record, tFirstMs: null, tFirstOutMs: null, tLastMs: null, eventTimesMs: [] };
    shiftRecordTimes(nulls, 1);
    expect(nulls).toMatchObject({ tFirstMs: null, tFirstOutMs: null, tLastMs: null, tSendMs: 111.5 });
  });

  it('defaultWorkerCount: 1 below ~2k events/s, else free cores − 1 capped at 4', () => {
    expect(expectedEventsPerS({ concurrency: 16 })).toBe(1600);
    expect(expectedEventsPerS({ rps: 10, outputTokens: 500 })).toBe(5000);
    expect(defaultWorkerCount({ concurrency: 16 }, { cores: 64, load1: 0 })).toBe(1);
    expect(defaultWorkerCount({ concurrency: 256 }, { cores: 64, load1: 0 })).toBe(4);
    expect(defaultWorkerCount({ concurrency: 256 }, { cores: 4, load1: 0.5 })).toBe(2);
    expect(defaultWorkerCount({ concurrency: 256 }, { cores: 2, load1: 3 })).toBe(1);
    expect(defaultWorkerCount({ rps: 100, outputTokens: 256 }, { cores: 8, load1: 1 })).toBe(4);
  });
});

describe('worker pool: sharding', () => {
  it('closed loop c=16 over 2 workers: at most 16 in flight (8 per worker), every record present', async () => {
    const client = poolOf(2, 16);
    let maxTotal = 0;
    let maxPerWorker = 0;
    const sampler = setInterval(() => {
      const perWorker = client.inFlightByWorker();
      maxPerWorker = Math.max(maxPerWorker, ...perWorker);
      maxTotal = Math.max(
        maxTotal,
        perWorker.reduce((a, b) => a + b, 0),
      );
    }, 1);
    const config = resolvePointConfig({
      mode: 'closed',
      concurrency: 16,
      numRequests: 96,
      warmupRequests: 0,
      gate: { enabled: false },
      bootstrapResamples: 20,
    });
    const { result, records } = await runPointDetailed(config, {
      client,
      workload,
      requestHeaders: (i) => ({ 'x-request-id': `shard-${i}` }),
    });
    clearInterval(sampler);
    // The workers' own event-loop delay reaches the main thread (the self-audit cannot see it).
    const workerDelay = client.workerEventLoopDelayP99Ms();
    expect(workerDelay).not.toBeNull();
    expect(workerDelay!).toBeGreaterThanOrEqual(0);
    expect(workerDelay!).toBeLessThan(1000);
    client.resetWorkerHealth();
    expect(client.workerEventLoopDelayP99Ms()).toBeNull();
    await client.close();

    expect(result.counts.failed).toBe(0);
    expect(records.length).toBe(result.counts.sent);
    expect(new Set(records.map((r) => r.id)).size).toBe(records.length);
    expect(records.map((r) => r.id).sort((a, b) => a - b)).toEqual(records.map((_, i) => i));
    // Both workers carried load, and the records say which.
    expect(new Set(records.map((r) => r.worker))).toEqual(new Set([0, 1]));
    expect(maxTotal).toBeLessThanOrEqual(16);
    expect(maxTotal).toBeGreaterThanOrEqual(12);
    expect(maxPerWorker).toBeLessThanOrEqual(9);
    // The server saw every request, never more than 16 at once.
    const truth = readTruth('shard-');
    expect(truth.length).toBe(records.length);
    expect(serverMaxOverlap(truth)).toBeLessThanOrEqual(16);
    expect(serverMaxOverlap(truth)).toBeGreaterThanOrEqual(12);
    // Live counters aggregated from the workers equal the tokens in the records.
    const tokens = records.reduce((s, r) => s + r.eventTokens.reduce((a, b) => a + b, 0), 0);
    expect(client.stats.tokensReceived).toBe(tokens);
    expect(client.stats).toMatchObject({ sent: records.length, done: records.length, inFlight: 0 });
  });

  it('open loop over 2 workers sends exactly the schedule, on the main thread clock', async () => {
    const client = poolOf(2, 32);
    const config = resolvePointConfig({
      mode: 'open',
      rps: 100,
      arrival: 'constant',
      durationS: 1,
      warmupRequests: 0,
      gate: { enabled: false },
      bootstrapResamples: 20,
    });
    // Workers start in ~0.1–1 s: a caller awaits `ready` before the point, as `bench run` does, so
    // start-up never delays scheduled sends.
    await client.ready;
    const before = performance.now();
    const { result, records } = await runPointDetailed(config, { client, workload });
    await client.close();
    expect(result.counts.failed).toBe(0);
    // Constant arrivals at 100/s: one every 10 ms, the first at the window start.
    const inWindow = records.filter(
      (r) => r.tSchedMs >= result.window.startMs && r.tSchedMs <= result.window.endMs,
    );
    expect(Math.abs(inWindow.length - 100)).toBeLessThanOrEqual(1);
    const sched = records.map((r) => r.tSchedMs).sort((a, b) => a - b);
    for (let i = 1; i < sched.length; i++) expect(sched[i]! - sched[i - 1]!).toBeCloseTo(10, 6);
    // Worker times are converted to this thread's clock: every send follows its schedule and the
    // first token follows the send by at least the engine's 20 ms TTFT. An unconverted worker clock
    // would be off by the worker's start-up offset (tens to hundreds of ms).
    for (const r of records) {
      expect(r.tSchedMs).toBeGreaterThan(before);
      expect(r.tSendMs).toBeGreaterThanOrEqual(r.tSchedMs);
      expect(r.tSendMs - r.tSchedMs).toBeLessThan(250);
      expect(r.tFirstMs! - r.tSendMs).toBeGreaterThanOrEqual(19.5);
      expect(r.tDoneMs).toBeLessThanOrEqual(performance.now());
    }
  });

  it('forwards an abort to the worker: the request ends aborted', async () => {
    const client = poolOf(2, 2);
    await client.ready;
    const controller = new AbortController();
    const pending = client.send(
      { prompt: 'long', maxTokens: 500, extraBody: { ignore_eos: true } },
      performance.now(),
      controller.signal,
    );
    setTimeout(() => controller.abort(), 100);
    const record = await pending;
    await client.close();
    expect(record.errorCode).toBe('aborted');
    expect(record.eventTimesMs.length).toBeGreaterThan(0);
    expect(record.eventTimesMs.length).toBeLessThan(500);
  });
});

describe('worker pool: merged results equal the single client', () => {
  it('plain vs 1 worker vs 2 workers: same ids and tokens, percentiles within scheduling noise; the journal recomputes the metrics', async () => {
    const config = resolvePointConfig({
      mode: 'closed',
      concurrency: 8,
      numRequests: 80,
      // The first request of each connection pays the connect and, in a fresh worker, cold code.
      warmupRequests: 8,
      gate: { enabled: false },
      bootstrapResamples: 50,
    });
    const runs: { records: readonly RequestRecord[]; metrics: Record<string, number | null> }[] = [];
    for (const make of [() => plainOf(8), () => poolOf(1, 8), () => poolOf(2, 8)]) {
      const client = make();
      if ('ready' in client) await client.ready;
      const journalPath = join(dir, `merge-${runs.length}.jsonl`);
      const { result, records } = await runPointDetailed(config, {
        client,
        workload,
        journalPath,
        keepRecords: true,
      });
      await client.close();
      expect(result.counts.failed).toBe(0);
      // The journal re-read gives exactly the run's metrics.
      const journaled = await readJournal(journalPath);
      expect(journaled.length).toBe(records.length);
      expect(buildMetrics(journaled, result.window, { bootstrapResamples: 50, seed: config.seed })).toEqual(
        result.detail,
      );
      runs.push({ records, metrics: pointMetricsV1(result).metrics });
    }
    const byId = (records: readonly RequestRecord[]): Map<number, RequestRecord> =>
      new Map(records.map((r) => [r.id, r]));
    const [plain, one, two] = runs.map((r) => byId(r.records)) as [
      Map<number, RequestRecord>,
      Map<number, RequestRecord>,
      Map<number, RequestRecord>,
    ];
    // How many requests go out between the warm-up completions and the window opening depends on
    // scheduling, so the runs' totals may differ by a request or two. What must hold: every run's
    // ids are unique and contiguous (no record lost or duplicated by the pool), and the requests all
    // three sent carry identical token counts.
    for (const ids of [plain, one, two].map((m) => [...m.keys()].sort((a, b) => a - b))) {
      expect(ids).toEqual(ids.map((_, i) => i));
    }
    const common = [...plain.keys()].filter((id) => one.has(id) && two.has(id));
    expect(common.length).toBeGreaterThanOrEqual(config.warmupRequests + (config.numRequests ?? 0));
    for (const id of common) {
      const r = plain.get(id)!;
      for (const other of [one, two]) {
        const o = other.get(id)!;
        expect(o.oslTokens).toBe(r.oslTokens);
        expect(o.eventTokens).toEqual(r.eventTokens);
        expect(o.eventTimesMs.length).toBe(r.eventTimesMs.length);
      }
    }
    // The engine's timing has no jitter (TTFT 20 ms, ITL 2 ms), so the distributions differ only by
    // scheduling noise of the shared host: timers fire late by a few ms under load. A wrong clock
    // conversion or a lost/duplicated record would move these by far more than 8 ms.
    const base = runs[0]!.metrics;
    if (process.env.POOL_TEST_VERBOSE === '1') console.log(runs.map((r) => r.metrics));
    for (const run of runs.slice(1)) {
      expect(run.metrics.n_requests).toBe(base.n_requests);
      // Which ids fall inside the window depends on scheduling (see above) and output lengths vary
      // per id, so the mean may move by a token in a few dozen; per-id counts are compared exactly.
      expect(Math.abs((run.metrics.osl_mean ?? 0) - (base.osl_mean ?? 0))).toBeLessThanOrEqual(0.5);
      // Medians within 8 ms; the p90s (the slowest tenth of 72 requests) within 15 ms, since a
      // loaded host delays a few timers by more.
      const tolerance: Record<string, number> = {
        ttft_p50_ms: 8,
        tpot_p50_ms: 8,
        itl_p50_ms: 8,
        e2e_p50_ms: 8,
        ttft_p90_ms: 15,
      };
      for (const [key, within] of Object.entries(tolerance)) {
        if (!(key in base)) continue;
        expect(Math.abs(run.metrics[key]! - base[key]!), key).toBeLessThan(within);
      }
      expect(run.metrics.ttft_p50_ms!).toBeGreaterThanOrEqual(20);
      expect(run.metrics.ttft_p50_ms!).toBeLessThan(20 + 30);
    }
  });
});

describe('worker pool: from an esbuild bundle', () => {
  it('starts its workers from the bundle chunk (code splitting, ESM) and returns records', async () => {
    const { build } = await import('esbuild');
    const { spawn } = await import('node:child_process');
    const { writeFileSync } = await import('node:fs');
    const { fileURLToPath } = await import('node:url');
    const entry = join(dir, 'bundle-entry.ts');
    const pool = fileURLToPath(new URL('../../../src/harness/client/worker-pool.ts', import.meta.url));
    writeFileSync(
      entry,
      `import { createWorkerPoolClient } from ${JSON.stringify(pool)};
const [baseUrl, model] = process.argv.slice(2);
const client = createWorkerPoolClient({ baseUrl, endpointType: 'chat', model, connections: 4, workers: 2 });
const records = await Promise.all([0, 1, 2, 3].map((i) => client.send({ prompt: 'p' + i, maxTokens: 3, extraBody: { ignore_eos: true } }, performance.now())));
await client.close();
console.log(JSON.stringify(records.map((r) => ({ worker: r.worker, error: r.errorCode, tokens: r.oslTokens }))));
`,
    );
    const outdir = join(dir, 'bundle');
    // The same options as scripts/build.mjs (splitting, ESM, node platform).
    await build({
      entryPoints: { main: entry },
      outdir,
      bundle: true,
      splitting: true,
      chunkNames: 'chunks/[name]-[hash]',
      platform: 'node',
      format: 'esm',
      target: 'node20',
      banner: {
        js: "import { createRequire as __bench_createRequire } from 'node:module'; const require = __bench_createRequire(import.meta.url);",
      },
      logLevel: 'silent',
    });
    const child = spawn(process.execPath, [join(outdir, 'main.js'), engine.baseUrl, engine.modelId], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const code = await new Promise<number | null>((r) => child.once('exit', r));
    expect(err).toBe('');
    expect(code).toBe(0);
    const records = JSON.parse(out) as { worker: number; error: string | null; tokens: number }[];
    expect(records).toHaveLength(4);
    for (const r of records) expect(r).toMatchObject({ error: null, tokens: 3 });
    expect(new Set(records.map((r) => r.worker))).toEqual(new Set([0, 1]));
  });
});
