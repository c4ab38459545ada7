// Test helpers: a tiny OpenAI-compatible streaming server on loopback, and a minimal DriverContext
// that sends RequestSpecs to it over real HTTP (undici) and builds RequestRecords from the SSE stream.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { Agent, request } from 'undici';
import type { DriverContext } from '../../../src/harness/drivers/types.js';
import type { ChatMessage, RequestRecord, RequestSpec } from '../../../src/harness/types.js';

export interface ReceivedRequest {
  readonly atMs: number;
  readonly body: {
    messages?: ChatMessage[];
    prompt?: string;
    max_tokens: number;
    [key: string]: unknown;
  };
}

export interface LoopbackServer {
  readonly baseUrl: string;
  readonly received: ReceivedRequest[];
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Replies with `words` tokens: "r<n>" where n counts the request; each word is one SSE event.
 * `failWhen` lets a test make some requests fail with HTTP 500.
 */
export async function startLoopbackServer(
  options: { words?: number; failWhen?: (body: ReceivedRequest['body']) => boolean } = {},
): Promise<LoopbackServer> {
  const received: ReceivedRequest[] = [];
  let count = 0;
  const server: Server = createServer((req, res) => {
    void (async () => {
      const atMs = performance.now();
      const body = JSON.parse(await readBody(req)) as ReceivedRequest['body'];
      received.push({ atMs, body });
      const n = count++;
      if (options.failWhen?.(body)) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end('{"error":"injected"}');
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const words = Math.min(options.words ?? 3, body.max_tokens);
      for (let i = 0; i < words; i++) {
        const text = i === 0 ? `reply${n}` : ` w${i}`;
        res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: text } }] })}\n\n`);
      }
      res.write(
        `data: ${JSON.stringify({ choices: [], usage: { prompt_tokens: 1, completion_tokens: words } })}\n\n`,
      );
      res.end('data: [DONE]\n\n');
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    received,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Timer precision of this process right now: sleeps to the same schedule with no driver and no
 * HTTP, returning p50/p99 of (wake-up − target) ms. Used as the same-run baseline for lag tests.
 */
export function percentile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  return sorted[lo]! + (sorted[Math.min(lo + 1, sorted.length - 1)]! - sorted[lo]!) * (pos - lo);
}

export async function timerLag(offsetsMs: readonly number[]): Promise<{ p50Ms: number; p99Ms: number }> {
  const signal = new AbortController().signal;
  const start = performance.now();
  const lags: number[] = [];
  for (const offset of offsetsMs) {
    const at = start + offset;
    await preciseSleepUntil(at, signal);
    lags.push(performance.now() - at);
  }
  return { p50Ms: percentile(lags, 0.5), p99Ms: percentile(lags, 0.99) };
}

/** Precise sleep: timer until ~2 ms before, then yield with setImmediate until the deadline. */
export async function preciseSleepUntil(atMs: number, signal: AbortSignal): Promise<void> {
  const coarse = atMs - performance.now() - 2;
  if (coarse > 0) {
    await new Promise<void>((resolve) => {
      const onAbort = (): void => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, coarse);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
  while (performance.now() < atMs && !signal.aborted) await new Promise((r) => setImmediate(r));
}

export interface TestContext extends DriverContext {
  readonly records: RequestRecord[];
  /**
   * For sends that followed a sleepUntil(tSched): send time − wake-up time, i.e. the lag the driver
   * itself adds on top of the timer (OS scheduling noise excluded).
   */
  readonly dispatchOverheadsMs: number[];
  readonly controller: AbortController;
  /** Resolves when every send() so far has finished. */
  settle(): Promise<void>;
}

const agent = new Agent({ connections: 64, pipelining: 1 });

/** The loopback server in a worker thread (see server-worker.mjs). */
export async function startWorkerServer(
  words = 2,
  delayMs = 0,
): Promise<{ baseUrl: string; received(): Promise<number>; close(): Promise<void> }> {
  const worker = new Worker(new URL('./server-worker.mjs', import.meta.url), {
    workerData: { words, delayMs },
  });
  const first = await new Promise<{ baseUrl: string }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return {
    baseUrl: first.baseUrl,
    received: () =>
      new Promise((resolve) => {
        worker.once('message', (m: { count: number }) => resolve(m.count));
        worker.postMessage('count');
      }),
    close: async () => {
      worker.postMessage('close');
      await new Promise((resolve) => worker.once('exit', resolve));
    },
  };
}

export function makeContext(baseUrl: string, seed = 1): TestContext {
  const controller = new AbortController();
  const records: RequestRecord[] = [];
  const pending = new Set<Promise<RequestRecord>>();
  const dispatchOverheadsMs: number[] = [];
  let lastSleep = { targetMs: Number.NaN, wokeMs: 0 };
  let nextId = 0;
  const send = async (spec: RequestSpec, tSchedMs: number): Promise<RequestRecord> => {
    const id = nextId++;
    const tSendMs = performance.now();
    const endpoint = spec.messages ? 'chat/completions' : 'completions';
    const body = {
      model: 'test',
      stream: true,
      max_tokens: spec.maxTokens,
      ...(spec.messages ? { messages: spec.messages } : { prompt: spec.prompt }),
      ...spec.extraBody,
    };
    let httpStatus: number | null = null;
    let text = '';
    const eventTimesMs: number[] = [];
    try {
      const response = await request(`${baseUrl}/${endpoint}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        dispatcher: agent,
      });
      httpStatus = response.statusCode;
      let raw = '';
      for await (const chunk of response.body) {
        raw += (chunk as Buffer).toString('utf8');
        if (raw.includes('\n\n')) {
          const events = raw.split('\n\n');
          raw = events.pop()!;
          for (const event of events) {
            if (!event.startsWith('data: ') || event === 'data: [DONE]') continue;
            const parsed = JSON.parse(event.slice(6)) as { choices: { delta?: { content?: string } }[] };
            const content = parsed.choices[0]?.delta?.content;
            if (content) {
              text += content;
              eventTimesMs.push(performance.now());
            }
          }
        }
      }
    } catch {
      httpStatus = null;
    }
    const ok = httpStatus === 200;
    const record: RequestRecord = {
      id,
      worker: 0,
      ...(spec.sessionId !== undefined ? { sessionId: spec.sessionId } : {}),
      ...(spec.turn !== undefined ? { turn: spec.turn } : {}),
      tSchedMs,
      tSendMs,
      tFirstMs: eventTimesMs[0] ?? null,
      tFirstOutMs: eventTimesMs[0] ?? null,
      tLastMs: eventTimesMs.at(-1) ?? null,
      tDoneMs: performance.now(),
      eventTimesMs,
      eventTokens: eventTimesMs.map(() => 1),
      usage: null,
      oslTokens: eventTimesMs.length,
      oslSource: 'counted',
      inputTokens: spec.inputTokens ?? null,
      finishReason: ok ? 'length' : null,
      httpStatus,
      errorCode: ok ? null : httpStatus === null ? 'connect_error' : `http_${httpStatus}`,
      ...(spec.collectText && ok ? { outputText: text } : {}),
      warmup: false,
    };
    records.push(record);
    return record;
  };
  return {
    now: () => performance.now(),
    send: (spec, tSchedMs) => {
      if (tSchedMs === lastSleep.targetMs) dispatchOverheadsMs.push(performance.now() - lastSleep.wokeMs);
      const p = send(spec, tSchedMs);
      pending.add(p);
      void p.finally(() => pending.delete(p));
      return p;
    },
    stopSignal: controller.signal,
    seed,
    sleepUntil: async (atMs) => {
      await preciseSleepUntil(atMs, controller.signal);
      lastSleep = { targetMs: atMs, wokeMs: performance.now() };
    },
    records,
    dispatchOverheadsMs,
    controller,
    settle: async () => {
      while (pending.size > 0) await Promise.all([...pending]);
    },
  };
}
