// Shared by the client-performance benchmarks (accuracy, whole-run-ingest, scale-out, memory,
// startup): the embedded engine as a separate process (`bench engine serve`), its counters, a
// minimal raw-drain consumer as a baseline, a closed-loop runPoint measured by the client's own
// live counters, and the machine's load.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import {
  createStreamClient,
  resolvePointConfig,
  runPointDetailed,
  type RequestSpec,
  type StreamClient,
} from '../src/harness/index.js';
import { createWorkerPoolClient } from '../src/harness/client/worker-pool.js';

/** The repository root: the nearest folder above this module with a package.json (src or bundle). */
export const REPO_ROOT = ((): string => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
})();

export function flag(name: string, fallback: string): string {
  const args = process.argv.slice(2);
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? (args[i + 1] as string) : fallback;
}

export function hasFlag(name: string): boolean {
  return process.argv.slice(2).includes(`--${name}`);
}

export function loadNote(): string {
  const [a, b, c] = loadavg();
  return `load average ${a?.toFixed(2)} ${b?.toFixed(2)} ${c?.toFixed(2)} on ${availableParallelism()} cores`;
}

export interface EngineProcess {
  readonly baseUrl: string;
  readonly child: ChildProcess;
  /** vllm:generation_tokens_total and vllm:request_success_total from /metrics. */
  counters(): Promise<{ generationTokens: number; requestsOk: number }>;
  /** SIGTERM; resolves with the engine's stderr (its last line is the summary). */
  close(): Promise<string>;
}

/**
 * `bench engine serve --port 0 …` in its own process (tsx from the sources, or BENCH_CLI=path to
 * run a bundle). Resolves once it printed its base URL.
 */
export async function spawnEngine(
  extraArgs: readonly string[],
  cli: string | undefined = process.env.BENCH_CLI,
): Promise<EngineProcess> {
  // BENCH_ENGINE_NODE_ARGS: node flags for the engine process only (e.g. --max-semi-space-size=64).
  const nodeArgs = (process.env.BENCH_ENGINE_NODE_ARGS ?? '').split(' ').filter((a) => a !== '');
  const argv =
    cli !== undefined
      ? [...nodeArgs, cli, 'engine', 'serve', '--port', '0', ...extraArgs]
      : [...nodeArgs, '--import', 'tsx', 'src/app/main.ts', 'engine', 'serve', '--port', '0', ...extraArgs];
  const child = spawn(process.execPath, argv, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const baseUrl = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const m = /http:\/\/[^\s]+\/v1/.exec(out);
      if (m !== null) resolve(m[0]);
    });
    child.once('exit', (code) => reject(new Error(`engine exited (${code}): ${stderr}`)));
  });
  const origin = new URL(baseUrl).origin;
  const counters = async (): Promise<{ generationTokens: number; requestsOk: number }> => {
    const text = await (await fetch(`${origin}/metrics`)).text();
    const sum = (name: string): number => {
      let total = 0;
      for (const line of text.split('\n')) {
        if (line.startsWith(`${name}{`) || line.startsWith(`${name} `))
          total += Number(line.split(' ').at(-1));
      }
      return total;
    };
    return {
      generationTokens: sum('vllm:generation_tokens_total'),
      requestsOk: sum('vllm:request_success_total'),
    };
  };
  const close = (): Promise<string> =>
    new Promise((resolve) => {
      if (child.exitCode !== null) {
        resolve(stderr);
        return;
      }
      child.once('exit', () => resolve(stderr));
      child.kill('SIGTERM');
    });
  return { baseUrl, child, counters, close };
}

/** The model the engine serves (its default catalog entry). */
export const ENGINE_MODEL = 'meta-llama/Llama-3.1-8B-Instruct';

export function specOf(maxTokens: number): (i: number) => RequestSpec {
  return (i) => ({ prompt: `benchmark prompt ${i}`, maxTokens, extraBody: { ignore_eos: true } });
}

/** CPU time of this process (user + system) in ms — includes every worker thread. */
export function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

export interface CeilingResult {
  readonly tokPerS: number;
  readonly reqPerS: number;
  readonly cpuPercent: number;
  readonly seconds: number;
  readonly failed: number;
  /** Tokens the client ingested over the whole point (warm-up to drain) and its length. */
  readonly totalTokens: number;
  readonly totalS: number;
}

export function makeClient(baseUrl: string, workers: number, connections: number): StreamClient {
  const options = { baseUrl, endpointType: 'chat' as const, model: ENGINE_MODEL, connections };
  return workers === 0 ? createStreamClient(options) : createWorkerPoolClient({ ...options, workers });
}

/**
 * One closed-loop runPoint (the real `bench run` path: driver, recorder, metrics) at concurrency
 * c for `seconds`; the ingest rate is the client's live token counter over the measurement
 * window (every token event received, whether or not its request finished inside the window).
 * workers = 0: the plain in-thread client; ≥ 1: the worker pool.
 */
export async function measureRunPoint(
  baseUrl: string,
  workers: number,
  concurrency: number,
  maxTokens: number,
  seconds: number,
): Promise<CeilingResult> {
  const client = makeClient(baseUrl, workers, concurrency);
  if ('ready' in client) await (client as { ready: Promise<void> }).ready;
  const config = resolvePointConfig({
    mode: 'closed',
    concurrency,
    durationS: seconds,
    warmupRequests: 0,
    gate: { enabled: false },
    bootstrapResamples: 0,
    drainGraceS: 5,
  });
  let windowStart: { t: number; tokens: number; cpu: number; done: number } | null = null;
  let windowEnd: { t: number; tokens: number; cpu: number; done: number } | null = null;
  const mark = (): { t: number; tokens: number; cpu: number; done: number } => ({
    t: performance.now(),
    tokens: client.stats.tokensReceived,
    cpu: cpuMs(),
    done: client.stats.done,
  });
  const t0 = performance.now();
  const { result } = await runPointDetailed(config, {
    client,
    workload: { request: specOf(maxTokens) },
    snapshotIntervalMs: 50,
    onSnapshot: (s) => {
      if (s.phase === 'measuring' && windowStart === null) windowStart = mark();
      if (s.phase === 'draining' && windowEnd === null) windowEnd = mark();
    },
  });
  const totalS = (performance.now() - t0) / 1000;
  const totalTokens = client.stats.tokensReceived;
  await client.close();
  const a = windowStart ?? { t: t0, tokens: 0, cpu: 0, done: 0 };
  const b = windowEnd ?? mark();
  const dtS = (b.t - a.t) / 1000;
  return {
    tokPerS: (b.tokens - a.tokens) / dtS,
    reqPerS: (b.done - a.done) / dtS,
    cpuPercent: ((b.cpu - a.cpu) / (b.t - a.t)) * 100,
    seconds: dtS,
    failed: result.counts.failed,
    totalTokens,
    totalS,
  };
}

/**
 * Baseline consumer: c keep-alive connections each looping a streaming request and discarding the
 * bytes (counting `data: ` lines only, no JSON parsing, no records). What the engine emits when
 * the client costs almost nothing.
 */
export async function measureRawDrain(
  baseUrl: string,
  concurrency: number,
  maxTokens: number,
  seconds: number,
): Promise<{ tokPerS: number; cpuPercent: number }> {
  const url = new URL(baseUrl);
  const pool = new Pool(url.origin, { connections: concurrency, pipelining: 1 });
  const body = (i: number): string =>
    JSON.stringify({
      model: ENGINE_MODEL,
      messages: [{ role: 'user', content: `benchmark prompt ${i}` }],
      max_tokens: maxTokens,
      ignore_eos: true,
      stream: true,
    });
  let events = 0;
  let counting = false;
  let stop = false;
  let n = 0;
  const loop = async (): Promise<void> => {
    while (!stop) {
      const res = await pool.request({
        path: `${url.pathname}/chat/completions`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: body(n++),
      });
      for await (const part of res.body) {
        if (!counting) continue;
        const text = (part as Buffer).toString('latin1');
        let i = text.indexOf('data: {');
        while (i !== -1) {
          events++;
          i = text.indexOf('data: {', i + 7);
        }
      }
    }
  };
  const loops = Array.from({ length: concurrency }, () => loop());
  await new Promise((r) => setTimeout(r, 500)); // connections up, streams running
  counting = true;
  const t0 = performance.now();
  const c0 = cpuMs();
  const e0 = events;
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const e1 = events;
  const dt = performance.now() - t0;
  const cpu = cpuMs() - c0;
  stop = true;
  await Promise.allSettled(loops);
  await pool.destroy();
  // Each stream also carries a role-only first chunk and a finish chunk with an empty delta.
  const tokens = ((e1 - e0) * maxTokens) / (maxTokens + 2);
  return { tokPerS: tokens / (dt / 1000), cpuPercent: (cpu / dt) * 100 };
}
