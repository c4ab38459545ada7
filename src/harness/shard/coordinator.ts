// The shard coordinator: the start (and any later) barrier, the clock exchange and the results
// drop for one sharded run. CoordinatorState is the logic with an injectable clock and timers;
// startCoordinator() puts it behind a small HTTP/1.1 JSON API (docs/scale-out.md, "Protocol").
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { epochNowMs } from './clock.js';
import { ShardError } from './errors.js';

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface CoordinatorOptions {
  readonly runId: string;
  readonly count: number;
  /** Coordinator clock, epoch ms (default performance.timeOrigin + performance.now()). */
  readonly now?: () => number;
  readonly timers?: Timers;
  /** A released barrier's instant is this far after the last arrival, so every shard can sleep to it. */
  readonly leadMs?: number;
  /** A barrier that not every shard reaches within this long after its first arrival fails. */
  readonly barrierTimeoutMs?: number;
}

export interface BarrierRelease {
  readonly name: string;
  /** The instant (coordinator clock) at which every shard passes the barrier. */
  readonly atMs: number;
}

interface Barrier {
  readonly arrived: Set<number>;
  readonly waiters: { resolve: (r: BarrierRelease) => void; reject: (e: Error) => void }[];
  release: BarrierRelease | null;
  failure: ShardError | null;
  timer: unknown;
}

export interface ShardResult {
  readonly index: number;
  readonly bytes: number;
  readonly sha256: string;
}

export interface CoordinatorStatus {
  readonly runId: string;
  readonly count: number;
  readonly joined: readonly number[];
  readonly failed: Readonly<Record<string, string>>;
  readonly barriers: Readonly<
    Record<string, { arrived: number; releasedAtMs: number | null; failed: string | null }>
  >;
  readonly results: readonly ShardResult[];
}

const BARRIER_NAME = /^[a-z][a-z0-9-]{0,31}$/;
const MAX_BARRIERS = 16;

export class CoordinatorState {
  readonly runId: string;
  readonly count: number;
  readonly now: () => number;
  private readonly timers: Timers;
  private readonly leadMs: number;
  private readonly barrierTimeoutMs: number;
  private readonly joined = new Set<number>();
  private readonly failed = new Map<number, string>();
  private readonly barriers = new Map<string, Barrier>();
  private readonly results = new Map<number, ShardResult>();
  private readonly changeListeners = new Set<() => void>();

  constructor(options: CoordinatorOptions) {
    if (!Number.isInteger(options.count) || options.count < 1)
      throw new ShardError(`shard count must be a positive integer, got ${options.count}`, 'E_COORD_OPTIONS');
    this.runId = options.runId;
    this.count = options.count;
    this.now = options.now ?? epochNowMs;
    this.timers = options.timers ?? realTimers;
    this.leadMs = options.leadMs ?? 250;
    this.barrierTimeoutMs = options.barrierTimeoutMs ?? 300_000;
  }

  private checkIndex(index: unknown): number {
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= this.count)
      throw new ShardError(`shard index must be an integer 0..${this.count - 1}`, 'E_COORD_INDEX');
    return index;
  }

  join(input: { runId: unknown; index: unknown; count: unknown }): void {
    if (input.runId !== this.runId)
      throw new ShardError(
        `this coordinator serves run ${this.runId}, not ${String(input.runId)}`,
        'E_COORD_RUN',
      );
    if (input.count !== this.count)
      throw new ShardError(
        `this run has ${this.count} shards, the shard says ${String(input.count)}`,
        'E_COORD_COUNT',
      );
    const index = this.checkIndex(input.index);
    if (this.failed.has(index))
      throw new ShardError(`shard ${index} was marked failed: ${this.failed.get(index)}`, 'E_COORD_FAILED');
    // A restarted shard (a retried pod) may join again only while nothing has been released.
    if (this.joined.has(index) && [...this.barriers.values()].some((b) => b.release !== null))
      throw new ShardError(`shard ${index} joined again after the run started`, 'E_COORD_STARTED');
    this.joined.add(index);
    this.changed();
  }

  /** Resolves when all shards have arrived at `name` (or rejects when the barrier fails). */
  arrive(name: string, index: unknown): Promise<BarrierRelease> {
    if (!BARRIER_NAME.test(name)) throw new ShardError(`bad barrier name "${name}"`, 'E_COORD_BARRIER');
    const shard = this.checkIndex(index);
    if (!this.joined.has(shard)) throw new ShardError(`shard ${shard} has not joined`, 'E_COORD_NOT_JOINED');
    let barrier = this.barriers.get(name);
    if (barrier === undefined) {
      if (this.barriers.size >= MAX_BARRIERS) throw new ShardError('too many barriers', 'E_COORD_BARRIER');
      barrier = { arrived: new Set(), waiters: [], release: null, failure: null, timer: null };
      this.barriers.set(name, barrier);
      const b = barrier;
      b.timer = this.timers.setTimeout(() => {
        const missing = this.missing(b.arrived);
        this.breakBarrier(
          b,
          new ShardError(
            `barrier "${name}": shard${missing.length === 1 ? '' : 's'} ${missing.join(', ')} did not arrive within ${this.barrierTimeoutMs} ms`,
            'E_COORD_BARRIER_TIMEOUT',
            1,
          ),
        );
      }, this.barrierTimeoutMs);
    }
    if (barrier.failure !== null) return Promise.reject(barrier.failure);
    if (barrier.release !== null) {
      // A shard that arrives after the release (a retry of its request) gets the same instant.
      return barrier.arrived.has(shard)
        ? Promise.resolve(barrier.release)
        : Promise.reject(
            new ShardError(`shard ${shard} arrived after barrier "${name}" was released`, 'E_COORD_LATE', 1),
          );
    }
    const failure = this.failureFor(name);
    if (failure !== null) return Promise.reject(failure);
    barrier.arrived.add(shard);
    const promise = new Promise<BarrierRelease>((resolve, reject) =>
      barrier.waiters.push({ resolve, reject }),
    );
    if (barrier.arrived.size === this.count) {
      this.timers.clearTimeout(barrier.timer);
      barrier.release = { name, atMs: this.now() + this.leadMs };
      for (const w of barrier.waiters.splice(0)) w.resolve(barrier.release);
    }
    this.changed();
    return promise;
  }

  private failureFor(name: string): ShardError | null {
    const first = [...this.failed.entries()][0];
    return first === undefined
      ? null
      : new ShardError(`barrier "${name}": shard ${first[0]} failed: ${first[1]}`, 'E_COORD_SHARD_FAILED', 1);
  }

  private missing(arrived: ReadonlySet<number>): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.count && out.length < 16; i++) if (!arrived.has(i)) out.push(i);
    return out;
  }

  private breakBarrier(barrier: Barrier, failure: ShardError): void {
    if (barrier.release !== null || barrier.failure !== null) return;
    this.timers.clearTimeout(barrier.timer);
    barrier.failure = failure;
    for (const w of barrier.waiters.splice(0)) w.reject(failure);
    this.changed();
  }

  /** A shard reports that it cannot go on: every pending barrier fails at once (no one hangs). */
  fail(index: unknown, reason: string): void {
    const shard = this.checkIndex(index);
    this.failed.set(shard, reason.slice(0, 500));
    for (const [name, barrier] of this.barriers) {
      const failure = this.failureFor(name);
      if (failure !== null) this.breakBarrier(barrier, failure);
    }
    this.changed();
  }

  /** Checks an upload without recording it (the server stores the bytes, then calls addResult). */
  checkResult(index: unknown, body: Buffer): ShardResult {
    const shard = this.checkIndex(index);
    if (!this.joined.has(shard)) throw new ShardError(`shard ${shard} has not joined`, 'E_COORD_NOT_JOINED');
    const result = {
      index: shard,
      bytes: body.length,
      sha256: createHash('sha256').update(body).digest('hex'),
    };
    const previous = this.results.get(shard);
    if (previous !== undefined && previous.sha256 !== result.sha256)
      throw new ShardError(`shard ${shard} already uploaded a different result`, 'E_COORD_RESULT');
    return result;
  }

  addResult(index: unknown, body: Buffer): ShardResult {
    const result = this.checkResult(index, body);
    this.results.set(result.index, result);
    this.changed();
    return result;
  }

  /** True once every shard has uploaded; false while any is missing. */
  get complete(): boolean {
    return this.results.size === this.count;
  }

  get failedShards(): ReadonlyMap<number, string> {
    return this.failed;
  }

  status(): CoordinatorStatus {
    const barriers: Record<string, { arrived: number; releasedAtMs: number | null; failed: string | null }> =
      {};
    for (const [name, b] of this.barriers)
      barriers[name] = {
        arrived: b.arrived.size,
        releasedAtMs: b.release?.atMs ?? null,
        failed: b.failure?.message ?? null,
      };
    return {
      runId: this.runId,
      count: this.count,
      joined: [...this.joined].sort((a, b) => a - b),
      failed: Object.fromEntries([...this.failed].map(([i, r]) => [String(i), r])),
      barriers,
      results: [...this.results.values()].sort((a, b) => a.index - b.index),
    };
  }

  /** Calls fn after every change (join, arrival, release, failure, upload); returns an unsubscribe. */
  onChange(fn: () => void): () => void {
    this.changeListeners.add(fn);
    return () => this.changeListeners.delete(fn);
  }

  private changed(): void {
    for (const fn of this.changeListeners) fn();
  }

  close(): void {
    for (const barrier of this.barriers.values())
      this.breakBarrier(barrier, new ShardError('the coordinator is shutting down', 'E_COORD_CLOSED', 1));
  }
}

// ---------------------------------------------------------------- HTTP

export interface CoordinatorServerOptions extends CoordinatorOptions {
  readonly host?: string;
  readonly port?: number;
  /** Upload limit per shard result, bytes (default 1 GiB). */
  readonly maxResultBytes?: number;
  /** Where uploaded results go (default: kept nowhere; only their hash is recorded). */
  readonly onResult?: (index: number, body: Buffer) => Promise<void> | void;
}

export interface CoordinatorServer {
  readonly url: string;
  readonly state: CoordinatorState;
  close(): Promise<void>;
}

const JSON_LIMIT = 64 * 1024;

class HttpFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (declared > limit) {
      reject(new HttpFailure(413, 'E_COORD_TOO_LARGE', `body over ${limit} bytes`));
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new HttpFailure(413, 'E_COORD_TOO_LARGE', `body over ${limit} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const body = await readBody(req, JSON_LIMIT);
  try {
    const value: unknown = JSON.parse(body.toString('utf8'));
    if (value !== null && typeof value === 'object' && !Array.isArray(value))
      return value as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new HttpFailure(400, 'E_COORD_BAD_REQUEST', 'body must be a JSON object');
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const STATUS_OF: Record<string, number> = {
  E_COORD_INDEX: 400,
  E_COORD_BARRIER: 400,
  E_COORD_RUN: 409,
  E_COORD_COUNT: 409,
  E_COORD_STARTED: 409,
  E_COORD_RESULT: 409,
  E_COORD_LATE: 409,
  E_COORD_NOT_JOINED: 409,
  E_COORD_FAILED: 410,
  E_COORD_SHARD_FAILED: 410,
  E_COORD_BARRIER_TIMEOUT: 504,
  E_COORD_CLOSED: 503,
};

export async function startCoordinator(options: CoordinatorServerOptions): Promise<CoordinatorServer> {
  const state = new CoordinatorState(options);
  const maxResultBytes = options.maxResultBytes ?? 1024 ** 3;
  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const t2 = state.now();
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const method = req.method ?? 'GET';
    if (method === 'GET' && path === '/v1/time') {
      send(res, 200, { t2, t3: state.now() });
      return;
    }
    if (method === 'GET' && path === '/v1/status') {
      send(res, 200, state.status());
      return;
    }
    if (method === 'GET' && path === '/health') {
      send(res, 200, { ok: true });
      return;
    }
    if (method === 'POST' && path === '/v1/join') {
      const body = await readJson(req);
      state.join({ runId: body.run_id, index: body.index, count: body.count });
      send(res, 200, { run_id: state.runId, count: state.count, coordinator_ms: state.now() });
      return;
    }
    const barrier = /^\/v1\/barrier\/([^/]+)$/.exec(path);
    if (method === 'POST' && barrier !== null) {
      const body = await readJson(req);
      const release = await state.arrive(decodeURIComponent(barrier[1] as string), body.index);
      send(res, 200, { name: release.name, at_ms: release.atMs });
      return;
    }
    if (method === 'POST' && path === '/v1/fail') {
      const body = await readJson(req);
      state.fail(body.index, typeof body.reason === 'string' ? body.reason : 'no reason given');
      send(res, 200, { ok: true });
      return;
    }
    const result = /^\/v1\/results\/(\d{1,6})$/.exec(path);
    if (method === 'PUT' && result !== null) {
      const index = Number(result[1]);
      const body = await readBody(req, maxResultBytes);
      state.checkResult(index, body);
      // Stored before it counts: `complete` must mean every result is on disk.
      await options.onResult?.(index, body);
      send(res, 200, state.addResult(index, body));
      return;
    }
    throw new HttpFailure(404, 'E_COORD_NOT_FOUND', `no route ${method} ${path}`);
  };
  const server: Server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (error instanceof HttpFailure)
        send(res, error.status, { error: { code: error.code, message: error.message } });
      else if (error instanceof ShardError)
        send(res, STATUS_OF[error.code] ?? 400, { error: { code: error.code, message: error.message } });
      else send(res, 500, { error: { code: 'E_COORD_INTERNAL', message: (error as Error).message } });
    });
  });
  // Barrier requests are long polls: no request timeout; the barrier has its own.
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new ShardError(`coordinator cannot listen: ${error.code ?? error.message}`, 'E_COORD_LISTEN', 1),
      ),
    );
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    state,
    close: async () => {
      state.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
