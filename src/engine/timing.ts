// Timing drivers: decide WHEN each stream's tokens are written. 'sim' runs the continuous-batching model
// on real timers; 'fixed' gives every stream its own seeded TTFT/ITL; 'nodelay' writes as fast as the
// sockets take it.
import { performance } from 'node:perf_hooks';
import type { FixedTiming } from './types.js';
import type { SimModel } from './model.js';
import { PowerMeter, type GpuReading } from './power.js';
import type { Rng } from '../lib/rng.js';
import { Scheduler, type StepPlan } from './scheduler.js';
import type { ResponseStream } from './stream.js';

export interface DriverStats {
  readonly running: number;
  readonly waiting: number;
  readonly kvUsage: number;
  readonly prefixQueriesTokens: number;
  readonly prefixHitsTokens: number;
  readonly preemptions: number;
}

export interface SubmitInfo {
  readonly promptTokens: number;
  readonly blockHashes: readonly number[];
}

export interface TimingDriver {
  submit(stream: ResponseStream, info: SubmitInfo): void;
  /** The stream ended without finishing: free what it holds. */
  gone(stream: ResponseStream): void;
  /** Called by the server when a stream finished normally. */
  finished(stream: ResponseStream): void;
  stats(): DriverStats;
  gpuReadings(): GpuReading[];
  close(): void;
}

export interface DriverHooks {
  onQueueTime(seconds: number): void;
}

const nowMs = (): number => performance.now();

/** A step that starts late is shortened to make up for it, but never below this share of its time. */
const MIN_STEP_FRACTION = 0.6;

/** Load-proportional power for the non-simulated modes, so the GPU panel still moves. */
class ActivityPower {
  private readonly meter: PowerMeter;
  private active = 0;
  constructor(
    private readonly gpus: number,
    private readonly idleW: number,
    private readonly tdpW: number,
  ) {
    this.meter = new PowerMeter(gpus, idleW, nowMs());
  }
  change(delta: number): void {
    this.active = Math.max(0, this.active + delta);
    const util = Math.min(1, this.active / 16);
    this.meter.set(nowMs(), util, this.idleW + (this.tdpW - this.idleW) * 0.6 * util);
  }
  get activeStreams(): number {
    return this.active;
  }
  read(): GpuReading[] {
    return this.meter.read(nowMs());
  }
}

export class SimDriver implements TimingDriver {
  private readonly scheduler: Scheduler;
  private readonly meter: PowerMeter;
  private readonly streams = new Map<number, ResponseStream>();
  private readonly readyAt = new Map<number, number>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private nextId = 0;
  private active = 0;
  private stepping = false;
  private anchorMs: number | null = null;
  private closed = false;

  constructor(
    private readonly model: SimModel,
    private readonly hooks: DriverHooks,
  ) {
    this.scheduler = new Scheduler(model.limits);
    this.meter = new PowerMeter(model.deployment.tensorParallel, model.deployment.hardware.idleW, nowMs());
  }

  maxSequenceTokens(): number {
    return this.scheduler.maxSequenceTokens();
  }

  submit(stream: ResponseStream, info: SubmitInfo): void {
    const delayMs = this.model.frontendDelayMs(this.active);
    this.active += 1;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (this.closed || stream.state !== 'open') return;
      const id = this.nextId;
      this.nextId += 1;
      stream.simId = id;
      this.streams.set(id, stream);
      this.readyAt.set(id, nowMs());
      this.scheduler.add({
        id,
        promptTokens: info.promptTokens,
        outputTokens: stream.init.outputTokens,
        blockHashes: info.blockHashes,
      });
      this.kick();
    }, Math.round(delayMs));
    this.timers.add(timer);
  }

  gone(stream: ResponseStream): void {
    this.active = Math.max(0, this.active - 1);
    if (stream.simId >= 0 && this.streams.has(stream.simId)) {
      this.scheduler.abort(stream.simId);
      this.streams.delete(stream.simId);
      this.readyAt.delete(stream.simId);
    }
  }

  finished(_stream: ResponseStream): void {
    this.active = Math.max(0, this.active - 1);
  }

  stats(): DriverStats {
    return this.scheduler.stats();
  }

  gpuReadings(): GpuReading[] {
    return this.meter.read(nowMs());
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private kick(): void {
    if (this.stepping || this.closed) return;
    const now = nowMs();
    const plan = this.scheduler.plan();
    if (!plan) {
      this.anchorMs = null;
      this.meter.idle(now);
      return;
    }
    for (const id of plan.firstScheduled) {
      const ready = this.readyAt.get(id);
      if (ready !== undefined) this.hooks.onQueueTime(Math.max(0, now - ready) / 1000);
      this.readyAt.delete(id);
    }
    const cost = this.model.stepCost(plan);
    // Steps run back to back on a virtual timeline: lateness of a timer is repaid by the following
    // steps (each shortened to no less than 60 % of its simulated time, so token gaps stay smooth), so
    // the average step time stays exact; after an idle gap (or a lag over 50 ms) it restarts at now.
    const start = this.anchorMs !== null && now - this.anchorMs < 50 ? this.anchorMs : now;
    const end = start + cost.stepMs;
    this.anchorMs = end;
    const delayMs = Math.max(end - now, MIN_STEP_FRACTION * cost.stepMs);
    this.meter.set(now, 1, this.model.stepPowerW(cost));
    this.stepping = true;
    const timer = setTimeout(
      () => {
        this.timers.delete(timer);
        this.onStepEnd(plan);
      },
      Math.max(0, Math.floor(delayMs)),
    );
    this.timers.add(timer);
  }

  private onStepEnd(plan: StepPlan): void {
    this.stepping = false;
    if (this.closed) return;
    const result = this.scheduler.commit(plan);
    for (const e of result.emissions) {
      const stream = this.streams.get(e.id);
      if (!stream) continue;
      const alive = stream.emit(e.tokens, 1);
      if (e.finished) {
        this.streams.delete(e.id);
        stream.finish();
      } else if (!alive) {
        this.scheduler.abort(e.id);
        this.streams.delete(e.id);
      }
    }
    this.kick();
  }
}

/** Longest run of token writes before the engine's loop gets back to its sockets (ms). */
export const WRITE_SLICE_MS = 0.25;
/** A write due this soon is done now (setTimeout has 1 ms steps; the per-stream timers rounded too). */
const EARLY_MS = 0.5;

/** A stream's next token write, due at `dueMs` (monotonic ms). One object per stream, reused. */
export interface DueWrite {
  dueMs: number;
  /** Does the write; returns when the next one is due, or null when the stream needs no more. */
  fire(nowMs: number): number | null;
}

/**
 * All of a driver's timed writes on ONE timer (the earliest due) instead of one setTimeout per token,
 * done in due order in slices of at most `sliceMs`: after a slice with writes still due it yields
 * through setImmediate, so the loop's poll phase runs first — a request that arrives while tokens go
 * out is read (and receive-stamped) within a slice, not after every write that fell due (Node runs
 * every expired timer in one go; at 32k token writes/s, an engine that fell behind kept the sockets
 * waiting for milliseconds).
 */
export class WriteScheduler {
  private readonly heap: DueWrite[] = [];
  private timer: NodeJS.Timeout | null = null;
  private timerDueMs = Infinity;
  private immediate: NodeJS.Immediate | null = null;
  private closed = false;

  constructor(
    private readonly clock: () => number = nowMs,
    private readonly sliceMs: number = WRITE_SLICE_MS,
  ) {}

  get pending(): number {
    return this.heap.length;
  }

  add(write: DueWrite): void {
    if (this.closed) return;
    this.push(write);
    this.arm();
  }

  /** Does the writes that are due, earliest first, for at most one slice; true when more are due. */
  drain(): boolean {
    const start = this.clock();
    let now = start;
    const heap = this.heap;
    while (heap.length > 0 && (heap[0] as DueWrite).dueMs <= now + EARLY_MS) {
      const write = this.pop();
      const next = write.fire(now);
      if (next !== null) {
        write.dueMs = next;
        this.push(write);
      }
      now = this.clock();
      if (now - start >= this.sliceMs) break;
    }
    return heap.length > 0 && (heap[0] as DueWrite).dueMs <= now + EARLY_MS;
  }

  close(): void {
    this.closed = true;
    if (this.timer !== null) clearTimeout(this.timer);
    if (this.immediate !== null) clearImmediate(this.immediate);
    this.timer = null;
    this.immediate = null;
    this.heap.length = 0;
  }

  private readonly run = (): void => {
    this.timer = null;
    this.timerDueMs = Infinity;
    this.immediate = null;
    if (this.closed) return;
    if (this.drain()) this.immediate = setImmediate(this.run);
    else this.arm();
  };

  /** (Re)arms the one timer for the earliest due write, unless a slice is already queued. */
  private arm(): void {
    if (this.immediate !== null || this.heap.length === 0) return;
    const due = (this.heap[0] as DueWrite).dueMs;
    if (this.timer !== null) {
      if (due >= this.timerDueMs) return;
      clearTimeout(this.timer);
    }
    this.timerDueMs = due;
    this.timer = setTimeout(this.run, Math.max(0, Math.round(due - this.clock())));
  }

  private push(write: DueWrite): void {
    const heap = this.heap;
    let i = heap.length;
    heap.push(write);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent] as DueWrite;
      if (p.dueMs <= write.dueMs) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = write;
  }

  private pop(): DueWrite {
    const heap = this.heap;
    const top = heap[0] as DueWrite;
    const last = heap.pop() as DueWrite;
    const n = heap.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && (heap[r] as DueWrite).dueMs < (heap[l] as DueWrite).dueMs ? r : l;
        if ((heap[c] as DueWrite).dueMs >= last.dueMs) break;
        heap[i] = heap[c] as DueWrite;
        i = c;
      }
      heap[i] = last;
    }
    return top;
  }
}

/** One stream under fixed timing: its next write is due at its own drawn schedule (not re-anchored). */
class FixedWrite implements DueWrite {
  constructor(
    private readonly driver: FixedDriver,
    private readonly stream: ResponseStream,
    public dueMs: number,
  ) {}

  fire(now: number): number | null {
    return this.driver.write(this.stream, this.dueMs, now);
  }
}

export class FixedDriver implements TimingDriver {
  private readonly writes: WriteScheduler;
  private readonly power: ActivityPower;
  private closed = false;

  constructor(
    private readonly timing: FixedTiming,
    private readonly rng: Rng,
    private readonly tokensPerChunk: number,
    power: { gpus: number; idleW: number; tdpW: number },
    private readonly hooks: DriverHooks,
    writes: WriteScheduler = new WriteScheduler(),
  ) {
    this.power = new ActivityPower(power.gpus, power.idleW, power.tdpW);
    this.writes = writes;
  }

  private draw(meanMs: number, jitterMs: number): number {
    return Math.max(0, meanMs + jitterMs * this.rng.normal());
  }

  submit(stream: ResponseStream): void {
    this.power.change(1);
    this.hooks.onQueueTime(0);
    const first = nowMs() + this.draw(this.timing.ttftMs, this.timing.ttftJitterMs);
    this.writes.add(new FixedWrite(this, stream, first));
  }

  /** The write due at `dueMs`, done at `now`; returns the next due time or null when done. */
  write(stream: ResponseStream, dueMs: number, now: number): number | null {
    if (this.closed || stream.state !== 'open') return null;
    const k = this.tokensPerChunk;
    // Events that fell due while the engine was late go out in the same socket write.
    let events = 1;
    let next = dueMs + k * this.draw(this.timing.itlMs, this.timing.itlJitterMs);
    while (next <= now && (events + 1) * k <= stream.remaining) {
      events += 1;
      next += k * this.draw(this.timing.itlMs, this.timing.itlJitterMs);
    }
    const more = stream.emit(k, events);
    if (stream.state !== 'open') return null;
    if (!more) {
      stream.finish();
      return null;
    }
    return next;
  }

  gone(): void {
    this.power.change(-1);
  }

  finished(): void {
    this.power.change(-1);
  }

  stats(): DriverStats {
    return activityStats(this.power.activeStreams);
  }

  gpuReadings(): GpuReading[] {
    return this.power.read();
  }

  close(): void {
    this.closed = true;
    this.writes.close();
  }
}

/** Events written per socket write in no-delay mode. */
const NODELAY_EVENTS_PER_WRITE = 32;

export class NoDelayDriver implements TimingDriver {
  private readonly power: ActivityPower;
  private closed = false;

  constructor(
    private readonly tokensPerChunk: number,
    power: { gpus: number; idleW: number; tdpW: number },
    private readonly hooks: DriverHooks,
  ) {
    this.power = new ActivityPower(power.gpus, power.idleW, power.tdpW);
  }

  submit(stream: ResponseStream): void {
    this.power.change(1);
    this.hooks.onQueueTime(0);
    const pump = (): void => {
      if (this.closed || stream.state !== 'open') return;
      const more = stream.emit(this.tokensPerChunk, NODELAY_EVENTS_PER_WRITE);
      if (stream.state !== 'open') return;
      if (!more) {
        stream.finish();
        return;
      }
      if (stream.writable) setImmediate(pump);
      else stream.init.res.once('drain', pump);
    };
    setImmediate(pump);
  }

  gone(): void {
    this.power.change(-1);
  }

  finished(): void {
    this.power.change(-1);
  }

  stats(): DriverStats {
    return activityStats(this.power.activeStreams);
  }

  gpuReadings(): GpuReading[] {
    return this.power.read();
  }

  close(): void {
    this.closed = true;
  }
}

function activityStats(active: number): DriverStats {
  return {
    running: active,
    waiting: 0,
    kvUsage: 0,
    prefixQueriesTokens: 0,
    prefixHitsTokens: 0,
    preemptions: 0,
  };
}
