// `--workers N`: the same StreamClient interface, with the HTTP + SSE work sharded over N
// worker_threads. Each worker runs its own createStreamClient (own undici pool of
// ceil(connections / N) sockets, own event loop, SSE parsing there); the main thread keeps the
// point runner, pacer, recorder and journal unchanged. One message per request each way.
//
// Clocks: a worker's performance.now() counts from its own timeOrigin; the worker shifts every
// time of a record by (workerTimeOrigin − mainTimeOrigin) before posting it, and the pool puts
// back the caller's own tSchedMs, so records are on the main thread's clock.
//
// Loading: the worker is started from a small eval'd bootstrap that imports pool-worker's module
// URL, learned at run time from the module itself (the .ts file under tsx/vitest — tsx's ESM
// API is registered in the worker, since an eval'd worker does not inherit the hooks — or its own chunk in the esbuild bundle, because it is
// loaded here by dynamic import only). No build change is needed.
import { createRequire } from 'node:module';
import { availableParallelism, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ErrorCode, RequestRecord, RequestSpec } from '../types.js';
import type { PoolInMessage, PoolOutMessage, PoolWorkerCounters, PoolWorkerData } from './pool-worker.js';
import {
  ClientOptionsError,
  validateClientOptions,
  type SendMeta,
  type StreamClient,
  type StreamClientOptions,
  type StreamClientStats,
} from './stream-client.js';

export interface WorkerPoolOptions extends StreamClientOptions {
  /** Number of worker threads (≥ 1). `connections` is split evenly between them. */
  readonly workers: number;
  /** How often a worker posts its live counters while busy. Default 100 ms. */
  readonly statsIntervalMs?: number;
}

/** A StreamClient whose requests run in worker threads. */
export interface WorkerPoolClient extends StreamClient {
  readonly workers: number;
  /** Resolves once every worker has started (send() waits for it by itself). */
  readonly ready: Promise<void>;
  /** Requests currently in flight per worker (diagnostics, tests). */
  inFlightByWorker(): readonly number[];
  /**
   * The worst worker's event-loop delay p99 (ms) since start or the last resetWorkerHealth(), as
   * last reported (every ~statsIntervalMs); null before any report. The main thread's self-audit
   * does not see the workers' loops: add this to it when the pool is in use.
   */
  workerEventLoopDelayP99Ms(): number | null;
  /** Restarts every worker's event-loop delay histogram (call when the measurement window opens). */
  resetWorkerHealth(): void;
}

const POOL_WORKER_TAG = 'inferencebench-pool-worker';
const CLOSE_TIMEOUT_MS = 5_000;

// CommonJS (eval: true). Imports the worker module by URL; for a .ts URL (tsx, vitest) tsx's ESM
// hooks are registered first (an eval'd worker does not inherit `--import tsx`; and a failed import
// is cached, so registering after a first failure would not help).
const BOOTSTRAP = `'use strict';
const { workerData } = require('node:worker_threads');
(async () => {
  if (workerData.tsxApiPath) (await import(workerData.tsxApiPath)).register();
  await import(workerData.entryUrl);
})().catch((error) => { setImmediate(() => { throw error; }); });
`;

interface Pending {
  readonly resolve: (record: RequestRecord) => void;
  readonly tSchedMs: number;
  readonly id: number;
  readonly spec: RequestSpec;
  readonly meta: SendMeta | undefined;
  readonly signal: AbortSignal | undefined;
  readonly onAbort: (() => void) | null;
}

interface Slot {
  readonly index: number;
  readonly worker: Worker;
  readonly pending: Map<number, Pending>;
  counters: PoolWorkerCounters;
  alive: boolean;
  closed: Promise<void>;
}

/** File URL of tsx's ESM register API (tsx/esm/api, import condition), or null without tsx. */
function tsxApiPath(): string | null {
  try {
    const cjs = createRequire(import.meta.url).resolve('tsx/esm/api');
    return pathToFileURL(cjs.replace(/\.cjs$/, '.mjs')).href;
  } catch {
    return null;
  }
}

function validate(options: WorkerPoolOptions): void {
  if (!Number.isInteger(options.workers) || options.workers < 1) {
    throw new ClientOptionsError(`workers must be a positive integer, got ${options.workers}`);
  }
  validateClientOptions(options);
}

/** A record for a request the pool could not hand to a worker (or whose worker died). */
function failedRecord(
  pending: Omit<Pending, 'resolve' | 'onAbort' | 'signal'>,
  worker: number,
  code: ErrorCode,
  detail: string,
): RequestRecord {
  const nowMs = performance.now();
  return {
    id: pending.id,
    worker,
    ...(pending.spec.sessionId !== undefined ? { sessionId: pending.spec.sessionId } : {}),
    ...(pending.spec.turn !== undefined ? { turn: pending.spec.turn } : {}),
    tSchedMs: pending.tSchedMs,
    tSendMs: nowMs,
    tFirstMs: null,
    tFirstOutMs: null,
    tLastMs: null,
    tDoneMs: nowMs,
    eventTimesMs: [],
    eventTokens: [],
    usage: null,
    oslTokens: 0,
    oslSource: 'counted',
    inputTokens: pending.spec.inputTokens ?? null,
    finishReason: null,
    httpStatus: null,
    errorCode: code,
    errorDetail: detail,
    warmup: pending.meta?.warmup ?? false,
  };
}

export function createWorkerPoolClient(options: WorkerPoolOptions): WorkerPoolClient {
  validate(options);
  const { workers: workerCount, statsIntervalMs, ...clientOptions } = options;
  const perWorkerConnections = Math.ceil(options.connections / workerCount);
  const baseWorkerId = options.workerId ?? 0;
  const stats: StreamClientStats = { sent: 0, done: 0, inFlight: 0, eventsReceived: 0, tokensReceived: 0 };
  const slots: Slot[] = [];
  let nextKey = 0;
  let nextId = 0;
  let nextSlot = 0;
  let closing = false;
  let startError: string | null = null;

  const refreshCounters = (): void => {
    let events = 0;
    let tokens = 0;
    for (const slot of slots) {
      events += slot.counters.eventsReceived;
      tokens += slot.counters.tokensReceived;
    }
    stats.eventsReceived = events;
    stats.tokensReceived = tokens;
  };

  const settle = (slot: Slot, key: number, record: RequestRecord): void => {
    const pending = slot.pending.get(key);
    if (pending === undefined) return;
    slot.pending.delete(key);
    if (slot.pending.size === 0) slot.worker.unref();
    if (pending.onAbort !== null) pending.signal?.removeEventListener('abort', pending.onAbort);
    stats.inFlight--;
    stats.done++;
    pending.resolve(record);
  };

  const failSlot = (slot: Slot, code: ErrorCode, detail: string): void => {
    slot.alive = false;
    for (const [key, pending] of [...slot.pending]) {
      settle(slot, key, failedRecord(pending, baseWorkerId + slot.index, code, detail));
    }
  };

  const startSlot = (index: number, entryUrl: string, tsxApi: string | null): Promise<Slot> => {
    const workerData: PoolWorkerData & { entryUrl: string; tsxApiPath: string | null } = {
      tag: POOL_WORKER_TAG,
      options: { ...clientOptions, connections: perWorkerConnections, workerId: baseWorkerId + index },
      mainTimeOrigin: performance.timeOrigin,
      statsIntervalMs: statsIntervalMs ?? 100,
      entryUrl,
      tsxApiPath: tsxApi,
    };
    const worker = new Worker(BOOTSTRAP, { eval: true, workerData, name: `bench-client-${index}` });
    return new Promise<Slot>((resolve, reject) => {
      let started = false;
      let closedResolve: () => void = () => undefined;
      const slot: Slot = {
        index,
        worker,
        pending: new Map(),
        counters: { eventsReceived: 0, tokensReceived: 0, loopDelayP99Ms: null },
        alive: true,
        closed: new Promise<void>((r) => {
          closedResolve = r;
        }),
      };
      worker.on('message', (message: PoolOutMessage) => {
        switch (message.type) {
          case 'record': {
            slot.counters = message.counters;
            refreshCounters();
            const pending = slot.pending.get(message.key);
            if (pending === undefined) return;
            const record = message.record as { tSchedMs: number };
            record.tSchedMs = pending.tSchedMs;
            settle(slot, message.key, message.record);
            break;
          }
          case 'stats':
            slot.counters = message.counters;
            refreshCounters();
            break;
          case 'ready':
            started = true;
            worker.unref();
            resolve(slot);
            break;
          case 'closed':
            closedResolve();
            break;
        }
      });
      worker.on('error', (error) => {
        if (!started) reject(error);
        else failSlot(slot, 'reset', `client worker ${index} failed: ${error.message}`);
      });
      worker.on('exit', (code) => {
        closedResolve();
        if (!started) reject(new Error(`client worker ${index} exited (code ${code}) before it started`));
        else if (slot.pending.size > 0) {
          failSlot(slot, closing ? 'aborted' : 'reset', `client worker ${index} exited (code ${code})`);
        }
        slot.alive = false;
      });
    });
  };

  const ready: Promise<void> = (async () => {
    const { poolWorkerUrl } = await import('./pool-worker.js');
    const tsxApi = poolWorkerUrl.endsWith('.ts') ? tsxApiPath() : null;
    const started = await Promise.allSettled(
      Array.from({ length: workerCount }, (_, i) => startSlot(i, poolWorkerUrl, tsxApi)),
    );
    for (const outcome of started) {
      if (outcome.status === 'fulfilled') slots.push(outcome.value);
      else startError = outcome.reason instanceof Error ? outcome.reason.message : String(outcome.reason);
    }
    slots.sort((a, b) => a.index - b.index);
    if (slots.length === 0) throw new Error(startError ?? 'no client worker started');
  })();
  // send() reports a failed start as failed records; keep the rejection from going unhandled.
  ready.catch(() => undefined);

  const pickSlot = (): Slot | null => {
    let best: Slot | null = null;
    const n = slots.length;
    for (let k = 0; k < n; k++) {
      const slot = slots[(nextSlot + k) % n] as Slot;
      if (!slot.alive) continue;
      if (best === null || slot.pending.size < best.pending.size) best = slot;
    }
    if (best !== null) nextSlot = (best.index + 1) % Math.max(1, n);
    return best;
  };

  const send = async (
    spec: RequestSpec,
    tSchedMs: number,
    signal?: AbortSignal,
    meta?: SendMeta,
  ): Promise<RequestRecord> => {
    const id = meta?.id ?? nextId++;
    stats.sent++;
    stats.inFlight++;
    const base = { id, tSchedMs, spec, meta };
    const fail = (code: ErrorCode, detail: string): RequestRecord => {
      stats.inFlight--;
      stats.done++;
      return failedRecord(base, baseWorkerId, code, detail);
    };
    try {
      await ready;
    } catch (error) {
      return fail('connect_error', `client workers failed to start: ${(error as Error).message}`);
    }
    if (closing) return fail('aborted', 'client closed');
    const slot = pickSlot();
    if (slot === null) return fail('reset', 'every client worker has exited');
    const key = nextKey++;
    const sendMeta: SendMeta = { ...meta, id };
    return new Promise<RequestRecord>((resolve) => {
      const onAbort =
        signal !== undefined ? (): void => slot.worker.postMessage({ type: 'abort', key }) : null;
      if (slot.pending.size === 0) slot.worker.ref();
      slot.pending.set(key, { resolve, tSchedMs, id, spec, meta, signal, onAbort });
      slot.worker.postMessage({ type: 'send', key, spec, meta: sendMeta } satisfies PoolInMessage);
      if (signal !== undefined && onAbort !== null) {
        if (signal.aborted) onAbort();
        else signal.addEventListener('abort', onAbort, { once: true });
      }
    });
  };

  const close = async (): Promise<void> => {
    if (closing) return;
    closing = true;
    try {
      await ready;
    } catch {
      return;
    }
    await Promise.all(
      slots.map(async (slot) => {
        if (slot.alive) {
          slot.worker.ref();
          slot.worker.postMessage({ type: 'close' } satisfies PoolInMessage);
          let timer: NodeJS.Timeout | undefined;
          await Promise.race([
            slot.closed,
            new Promise<void>((r) => {
              timer = setTimeout(r, CLOSE_TIMEOUT_MS);
            }),
          ]);
          clearTimeout(timer);
        }
        failSlot(slot, 'aborted', 'client closed');
        await slot.worker.terminate();
      }),
    );
  };

  return {
    send,
    stats,
    close,
    workers: workerCount,
    ready,
    inFlightByWorker: () => slots.map((slot) => slot.pending.size),
    workerEventLoopDelayP99Ms: () => {
      let worst: number | null = null;
      for (const slot of slots) {
        const p99 = slot.counters.loopDelayP99Ms;
        if (p99 !== null && (worst === null || p99 > worst)) worst = p99;
      }
      return worst;
    },
    resetWorkerHealth: () => {
      for (const slot of slots) {
        slot.counters = { ...slot.counters, loopDelayP99Ms: null };
        if (slot.alive) slot.worker.postMessage({ type: 'reset-health' } satisfies PoolInMessage);
      }
    },
  };
}

/** What a point is expected to ask of the client. */
export interface WorkerLoadHint {
  /** Closed loop: concurrent streams. */
  readonly concurrency?: number;
  /** Open loop: requests per second. */
  readonly rps?: number;
  /** Expected output tokens per request (open loop: events/s ≈ rps × this). Default 256. */
  readonly outputTokens?: number;
  /** Closed loop: expected events per second per stream. Default 100 (≈ 10 ms ITL). */
  readonly eventsPerStreamPerS?: number;
}

export interface HostCapacity {
  readonly cores: number;
  /** 1-minute load average. */
  readonly load1: number;
}

/** Below this many expected SSE events per second one event loop is plenty. */
export const SINGLE_WORKER_EVENTS_PER_S = 2_000;
export const MAX_AUTO_WORKERS = 4;

export function hostCapacity(): HostCapacity {
  return { cores: availableParallelism(), load1: loadavg()[0] ?? 0 };
}

/** Expected SSE events per second for a point (the quantity that costs client CPU). */
export function expectedEventsPerS(hint: WorkerLoadHint): number {
  if (hint.rps !== undefined) return hint.rps * (hint.outputTokens ?? 256);
  if (hint.concurrency !== undefined) return hint.concurrency * (hint.eventsPerStreamPerS ?? 100);
  return 0;
}

/**
 * The automatic `--workers`: 1 below ~2k expected events/s; above, one worker per free core
 * minus one (left for the main thread: pacer, recorder, console), at most 4, at least 1.
 * Free cores = cores − the 1-minute load average, rounded down.
 */
export function defaultWorkerCount(hint: WorkerLoadHint, host: HostCapacity = hostCapacity()): number {
  if (expectedEventsPerS(hint) < SINGLE_WORKER_EVENTS_PER_S) return 1;
  const freeCores = Math.floor(host.cores - host.load1);
  return Math.max(1, Math.min(freeCores - 1, MAX_AUTO_WORKERS));
}
