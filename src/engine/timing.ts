// Timing drivers: decide WHEN each stream's tokens are written. 'sim' runs the continuous-batching model
// on real timers; 'fixed' gives every stream its own seeded TTFT/ITL; 'nodelay' writes as fast as the
// sockets take it.
import { performance } from 'node:perf_hooks';
import type { FixedTiming } from './types.js';
import type { SimModel } from './model.js';
import { PowerMeter, type GpuReading } from './power.js';
import type { Rng } from './rng.js';
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

export class FixedDriver implements TimingDriver {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly power: ActivityPower;
  private closed = false;

  constructor(
    private readonly timing: FixedTiming,
    private readonly rng: Rng,
    private readonly tokensPerChunk: number,
    power: { gpus: number; idleW: number; tdpW: number },
    private readonly hooks: DriverHooks,
  ) {
    this.power = new ActivityPower(power.gpus, power.idleW, power.tdpW);
  }

  private draw(meanMs: number, jitterMs: number): number {
    return Math.max(0, meanMs + jitterMs * this.rng.normal());
  }

  submit(stream: ResponseStream): void {
    this.power.change(1);
    this.hooks.onQueueTime(0);
    let target = nowMs() + this.draw(this.timing.ttftMs, this.timing.ttftJitterMs);
    const schedule = (): void => {
      const timer = setTimeout(
        () => {
          this.timers.delete(timer);
          if (this.closed || stream.state !== 'open') return;
          const k = this.tokensPerChunk;
          // Events that fell due while this timer was late go out in the same socket write.
          const now = nowMs();
          let events = 1;
          let next = target + k * this.draw(this.timing.itlMs, this.timing.itlJitterMs);
          while (next <= now && (events + 1) * k <= stream.remaining) {
            events += 1;
            next += k * this.draw(this.timing.itlMs, this.timing.itlJitterMs);
          }
          const more = stream.emit(k, events);
          if (stream.state !== 'open') return;
          if (!more) {
            stream.finish();
            return;
          }
          target = next;
          schedule();
        },
        Math.max(0, Math.round(target - nowMs())),
      );
      this.timers.add(timer);
    };
    schedule();
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
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
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
