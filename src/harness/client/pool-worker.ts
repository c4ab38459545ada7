// Worker-thread side of the worker pool: one createStreamClient (own undici pool, own event loop,
// SSE parsing here) per worker. One message in per request, one message out per finished request
// (never per event), plus live counters every ~100 ms while requests are in flight.
//
// Loaded twice: by the main thread (only for `poolWorkerUrl`, to learn where this module lives —
// under tsx/vitest the .ts file, in the esbuild bundle its own chunk) and, inside a worker, by
// the bootstrap code string of worker-pool.ts. The loop starts only in a worker that was given
// the pool's workerData tag, so importing it on the main thread has no side effect.
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { RequestRecord, RequestSpec } from '../types.js';
import { createStreamClient, type SendMeta, type StreamClientOptions } from './stream-client.js';

/** Where this module lives (file URL), for the pool's bootstrap code. */
export const poolWorkerUrl: string = import.meta.url;

export const POOL_WORKER_TAG = 'inferencebench-pool-worker';
const LOOP_RESOLUTION_MS = 10;

export interface PoolWorkerData {
  readonly tag: typeof POOL_WORKER_TAG;
  readonly options: StreamClientOptions;
  /** The main thread's performance.timeOrigin (epoch ms). */
  readonly mainTimeOrigin: number;
  readonly statsIntervalMs: number;
}

/** Main → worker. */
export type PoolInMessage =
  | { readonly type: 'send'; readonly key: number; readonly spec: RequestSpec; readonly meta: SendMeta }
  | { readonly type: 'abort'; readonly key: number }
  /** Restart the worker's event-loop delay histogram (e.g. when a measurement window opens). */
  | { readonly type: 'reset-health' }
  | { readonly type: 'close' };

/** Live counters of one worker (cumulative). */
export interface PoolWorkerCounters {
  readonly eventsReceived: number;
  readonly tokensReceived: number;
  /** p99 of the worker's event-loop delay since start or the last reset-health (ms); null before data. */
  readonly loopDelayP99Ms: number | null;
}

/** Worker → main. */
export type PoolOutMessage =
  | { readonly type: 'ready' }
  | {
      readonly type: 'record';
      readonly key: number;
      readonly record: RequestRecord;
      readonly counters: PoolWorkerCounters;
    }
  | { readonly type: 'stats'; readonly counters: PoolWorkerCounters }
  | { readonly type: 'closed' };

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * Moves every monotonic time of a record from the worker's clock to the main thread's, in place.
 * `offsetMs` = workerTimeOrigin − mainTimeOrigin. tSchedMs is the main thread's own value and is
 * restored by the pool, so it is not touched here.
 */
export function shiftRecordTimes(record: Mutable<RequestRecord>, offsetMs: number): void {
  record.tSendMs += offsetMs;
  record.tDoneMs += offsetMs;
  if (record.tFirstMs !== null) record.tFirstMs += offsetMs;
  if (record.tFirstOutMs !== null) record.tFirstOutMs += offsetMs;
  if (record.tLastMs !== null) record.tLastMs += offsetMs;
  const times = record.eventTimesMs as number[];
  for (let i = 0; i < times.length; i++) times[i] = (times[i] as number) + offsetMs;
}

function runWorker(data: PoolWorkerData): void {
  const port = parentPort;
  if (port === null) return;
  const client = createStreamClient(data.options);
  const offsetMs = performance.timeOrigin - data.mainTimeOrigin;
  const controllers = new Map<number, AbortController>();
  // Node 20 records the whole timer interval: the delay is the sample minus the resolution (as
  // the self-audit computes it).
  const loopDelay = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  loopDelay.enable();
  let lastPostedTokens = -1;
  let lastPostedEvents = -1;
  let lastPostedDelay: number | null = null;
  const counters = (): PoolWorkerCounters => ({
    eventsReceived: client.stats.eventsReceived,
    tokensReceived: client.stats.tokensReceived,
    loopDelayP99Ms:
      loopDelay.count === 0 ? null : Math.max(0, loopDelay.percentile(99) / 1e6 - LOOP_RESOLUTION_MS),
  });
  const timer = setInterval(() => {
    const current = counters();
    if (
      current.eventsReceived === lastPostedEvents &&
      current.tokensReceived === lastPostedTokens &&
      current.loopDelayP99Ms === lastPostedDelay
    )
      return;
    lastPostedEvents = current.eventsReceived;
    lastPostedTokens = current.tokensReceived;
    lastPostedDelay = current.loopDelayP99Ms;
    port.postMessage({ type: 'stats', counters: current } satisfies PoolOutMessage);
  }, data.statsIntervalMs);

  port.on('message', (message: PoolInMessage) => {
    switch (message.type) {
      case 'send': {
        const controller = new AbortController();
        controllers.set(message.key, controller);
        // The worker's t_sched is irrelevant (the pool restores the main thread's value).
        void client.send(message.spec, 0, controller.signal, message.meta).then((record) => {
          controllers.delete(message.key);
          shiftRecordTimes(record, offsetMs);
          port.postMessage({
            type: 'record',
            key: message.key,
            record,
            counters: counters(),
          } satisfies PoolOutMessage);
        });
        break;
      }
      case 'abort':
        controllers.get(message.key)?.abort();
        break;
      case 'reset-health':
        loopDelay.reset();
        lastPostedDelay = null;
        break;
      case 'close':
        clearInterval(timer);
        loopDelay.disable();
        for (const controller of controllers.values()) controller.abort();
        void client.close().then(() => {
          port.postMessage({ type: 'closed' } satisfies PoolOutMessage);
          port.close();
        });
        break;
    }
  });
  port.postMessage({ type: 'ready' } satisfies PoolOutMessage);
}

const data = workerData as Partial<PoolWorkerData> | null | undefined;
if (!isMainThread && data?.tag === POOL_WORKER_TAG) runWorker(data as PoolWorkerData);
