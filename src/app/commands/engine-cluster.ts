// `bench engine serve --processes N`: N engine processes behind one port (node:cluster), for
// clients whose ceiling is above one engine process's (~1–1.6 M tokens/s in 'nodelay' mode). Only
// the per-request timings ('nodelay', 'fixed') can be spread: the 'sim' engine's batch is one
// process's state. Each process has its own seed (seed + index) and its own /metrics; a scrape
// reaches one of them.
import cluster from 'node:cluster';
import type { EngineOptions } from '../../engine/index.js';
import { startEngine } from '../../engine/index.js';

export const WORKER_ENV = 'BENCH_ENGINE_CLUSTER_WORKER';

interface Counters {
  requestsReceived: number;
  requestsCompleted: number;
  eventsWritten: number;
}

type WorkerMessage =
  | { readonly kind: 'ready'; readonly baseUrl: string; readonly modelId: string }
  | { readonly kind: 'stopped'; readonly counters: Counters };

export function isClusterWorker(): boolean {
  return cluster.isWorker && process.env[WORKER_ENV] !== undefined;
}

/** In a worker: serve until the primary says stop, then report the counters and exit. */
export async function serveAsClusterWorker(options: Partial<EngineOptions>): Promise<void> {
  const index = Number(process.env[WORKER_ENV]);
  const handle = await startEngine({ ...options, seed: (options.seed ?? 42) + index });
  const send = (message: WorkerMessage): void => {
    process.send?.(message);
  };
  send({ kind: 'ready', baseUrl: handle.baseUrl, modelId: handle.modelId });
  // The primary relays the user's signal; ignore the terminal's own copy of Ctrl-C.
  process.on('SIGINT', () => {});
  await new Promise<void>((resolve) => process.on('message', (m) => m === 'stop' && resolve()));
  await handle.close();
  send({ kind: 'stopped', counters: handle.counters() });
  process.disconnect?.();
}

export interface ClusterHandle {
  readonly baseUrl: string;
  readonly modelId: string;
  /** Stops every process; resolves with the summed counters. */
  close(): Promise<Counters>;
}

/** In the primary: starts `processes` workers (this same command) and waits until all listen. */
export async function startEngineCluster(processes: number): Promise<ClusterHandle> {
  const workers = Array.from({ length: processes }, (_, index) =>
    cluster.fork({ [WORKER_ENV]: String(index) }),
  );
  const ready = await Promise.all(
    workers.map(
      (worker) =>
        new Promise<{ baseUrl: string; modelId: string }>((resolve, reject) => {
          const onExit = (code: number | null): void =>
            reject(new Error(`engine process ${worker.process.pid} exited (${code}) before listening`));
          worker.once('exit', onExit);
          worker.on('message', (message: WorkerMessage) => {
            if (message.kind !== 'ready') return;
            worker.off('exit', onExit);
            resolve(message);
          });
        }),
    ),
  ).catch((error: unknown) => {
    for (const worker of workers) worker.kill();
    throw error;
  });
  const first = ready[0] as { baseUrl: string; modelId: string };
  return {
    baseUrl: first.baseUrl,
    modelId: first.modelId,
    close: async () => {
      const stopped = await Promise.all(
        workers.map(
          (worker) =>
            new Promise<Counters>((resolve) => {
              const zero = { requestsReceived: 0, requestsCompleted: 0, eventsWritten: 0 };
              if (worker.isDead()) {
                resolve(zero);
                return;
              }
              worker.on('message', (message: WorkerMessage) => {
                if (message.kind === 'stopped') resolve(message.counters);
              });
              worker.once('exit', () => resolve(zero));
              worker.send('stop');
            }),
        ),
      );
      return stopped.reduce(
        (sum, c) => ({
          requestsReceived: sum.requestsReceived + c.requestsReceived,
          requestsCompleted: sum.requestsCompleted + c.requestsCompleted,
          eventsWritten: sum.eventsWritten + c.eventsWritten,
        }),
        { requestsReceived: 0, requestsCompleted: 0, eventsWritten: 0 },
      );
    },
  };
}
