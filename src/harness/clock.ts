// The time seam. Everything in the measurement corridor (point runner, phase machine, recorder,
// self-audit, pacer, drivers, console publisher, state-file writer) reads time and arms timers
// through a Clock, never through performance.now()/setTimeout directly. Production uses
// systemClock; tests use VirtualClock and move time by hand, so phase and deadline rules run in
// milliseconds and deterministically (see ARCHITECTURE.md, "Time").

/** An opaque timer handle: only the clock that made it can clear it. */
export type TimerHandle = { readonly __timer: unique symbol } | NodeJS.Timeout;

export interface Clock {
  /** Monotonic milliseconds (performance.now() on the system clock). */
  now(): number;
  /** Epoch milliseconds of a monotonic instant (for telemetry alignment and timestamps). */
  epochMsOf(monotonicMs: number): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle | undefined): void;
  setInterval(fn: () => void, ms: number): TimerHandle;
  clearInterval(handle: TimerHandle | undefined): void;
  /**
   * How close to a deadline the pacer stops trusting timers and spins on setImmediate.
   * 0 = this clock's timers fire exactly on time (the virtual clock): never spin.
   */
  readonly spinMs: number;
}

export const SYSTEM_SPIN_MS = 1.5;

/** The real clock. Timers are unref'd only where the caller does so itself. */
export const systemClock: Clock = Object.freeze({
  now: () => performance.now(),
  epochMsOf: (monotonicMs: number) => performance.timeOrigin + monotonicMs,
  setTimeout: (fn: () => void, ms: number) => setTimeout(fn, ms),
  clearTimeout: (handle: TimerHandle | undefined) => clearTimeout(handle as NodeJS.Timeout | undefined),
  setInterval: (fn: () => void, ms: number) => setInterval(fn, ms),
  clearInterval: (handle: TimerHandle | undefined) => clearInterval(handle as NodeJS.Timeout | undefined),
  spinMs: SYSTEM_SPIN_MS,
});

interface VirtualTimer {
  readonly id: number;
  at: number;
  readonly fn: () => void;
  readonly everyMs: number | null;
}

/** Lets every queued promise continuation run (one macrotask turn drains the microtask queue). */
export function flushMicrotasks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * A hand-driven clock for tests. Time moves only in advance()/runUntil(); timers fire in deadline
 * order, each at its own instant, with pending promise continuations flushed after each one.
 * `timerLatenessMs` makes every timer armed from then on fire that much after its deadline (a
 * busy event loop), which is how tests check that deadlines, not wake-ups, define windows.
 */
export class VirtualClock implements Clock {
  readonly spinMs = 0;
  /** Added to every timer armed while it is set. */
  timerLatenessMs = 0;
  private t: number;
  private nextId = 1;
  private readonly timers = new Map<number, VirtualTimer>();

  constructor(
    startMs = 0,
    private readonly epochOriginMs = Date.UTC(2026, 0, 1),
  ) {
    this.t = startMs;
  }

  now(): number {
    return this.t;
  }

  epochMsOf(monotonicMs: number): number {
    return this.epochOriginMs + monotonicMs;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    return this.arm(fn, ms, null);
  }

  setInterval(fn: () => void, ms: number): TimerHandle {
    return this.arm(fn, ms, Math.max(1, ms));
  }

  clearTimeout(handle: TimerHandle | undefined): void {
    if (typeof handle === 'number') this.timers.delete(handle);
  }

  clearInterval(handle: TimerHandle | undefined): void {
    this.clearTimeout(handle);
  }

  /** Timers still armed (a finished point must leave none behind). */
  get pendingTimers(): number {
    return this.timers.size;
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way. */
  async advance(ms: number): Promise<void> {
    const target = this.t + Math.max(0, ms);
    await flushMicrotasks();
    for (;;) {
      const due = this.earliest();
      if (due === null || due.at > target) break;
      this.fire(due);
      await flushMicrotasks();
    }
    this.t = target;
    await flushMicrotasks();
  }

  /**
   * Advances in `stepMs` steps until `done` settles (or `limitMs` of virtual time passes, which
   * throws: a test that hangs in virtual time fails fast instead of timing out).
   */
  async runUntil<T>(done: Promise<T>, options: { stepMs?: number; limitMs?: number } = {}): Promise<T> {
    const stepMs = options.stepMs ?? 1;
    const limitMs = options.limitMs ?? 600_000;
    let settled = false;
    const tracked = done.then(
      (value) => {
        settled = true;
        return value;
      },
      (error: unknown) => {
        settled = true;
        throw error;
      },
    );
    tracked.catch(() => undefined);
    const start = this.t;
    await flushMicrotasks();
    while (!settled) {
      if (this.t - start > limitMs) throw new Error(`virtual clock: still pending after ${limitMs} ms`);
      await this.advance(stepMs);
    }
    return tracked;
  }

  private arm(fn: () => void, ms: number, everyMs: number | null): TimerHandle {
    const id = this.nextId++;
    const delay = Math.max(0, Number.isFinite(ms) ? ms : 0);
    this.timers.set(id, { id, at: this.t + delay + this.timerLatenessMs, fn, everyMs });
    return id as unknown as TimerHandle;
  }

  private earliest(): VirtualTimer | null {
    let best: VirtualTimer | null = null;
    for (const timer of this.timers.values()) if (best === null || timer.at < best.at) best = timer;
    return best;
  }

  private fire(timer: VirtualTimer): void {
    this.t = Math.max(this.t, timer.at);
    if (timer.everyMs === null) this.timers.delete(timer.id);
    else timer.at += timer.everyMs;
    timer.fn();
  }
}

/** Lets the process exit while a system timer is pending (no-op for virtual timers). */
export function unrefTimer(handle: TimerHandle): void {
  if (typeof handle === 'object' && handle !== null && 'unref' in handle) handle.unref();
}
