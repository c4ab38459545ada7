// The phase machine of one load point: warm-up (first N requests discarded) → gate (CoV
// convergence, or gave up at its timeout) → measuring (the window) → draining (issuing stopped).
// It owns the phase, the measurement window and every timer of the point; the recorder and the
// snapshot read it (PhaseView). All time comes from the injected Clock, so every rule here runs
// on a VirtualClock in tests.
import type { Clock, TimerHandle } from '../clock.js';
import { gateMaxWaitS, type ConvergenceGate } from '../metrics/gate.js';
import type { Phase } from '../types.js';
import type { PointConfig } from './config.js';

/** How long the warm-up may take before the point gives up on an unresponsive server. */
export const WARMUP_DEADLINE_S = 60;

/** What the recorder and the snapshot read. */
export interface PhaseView {
  readonly phase: Phase;
  /** Monotonic bounds of the measurement window (null until it opens / closes). */
  readonly windowStartMs: number | null;
  readonly windowEndMs: number | null;
}

export interface PhaseMachineOptions {
  readonly clock: Clock;
  readonly config: PointConfig;
  readonly gate: ConvergenceGate;
  /** The window opened (start the audited span, clear live latency). */
  readonly onMeasuring: () => void;
  /** The window closed (stop the audit). */
  readonly onWindowClosed: () => void;
  /** Any visible change: publish a snapshot. */
  readonly onChange: () => void;
  readonly onWarning: (warning: string) => void;
  /**
   * Sharded runs: asked once the point is ready to measure (gate open or given up, ramp over);
   * resolves with the monotonic instant at which every shard opens its window (load keeps flowing
   * until then). A rejection ends the point as incomplete, with the reason as a warning.
   */
  readonly windowBarrier?: () => Promise<number>;
}

export class PhaseMachine implements PhaseView {
  phase: Phase = 'starting';
  windowStartMs: number | null = null;
  windowEndMs: number | null = null;
  /** Seconds between the gate opening its wait and the window opening (0 without a gate). */
  gateWaitedS = 0;
  /** True when the point was stopped from outside (user stop): results are incomplete. */
  incomplete = false;
  readonly pointStartMs: number;
  /** Aborted when the driver must stop issuing (window over, request cap, user stop). */
  readonly stopIssuing = new AbortController();
  private gateStartMs: number | null = null;
  private measuredSent = 0;
  private warmupCompleted = 0;
  private rampWaitArmed = false;
  private barrierAsked = false;
  private warmupTimer: TimerHandle | undefined;
  private readonly rampEndMs: number;
  private readonly timers = new Set<TimerHandle>();

  constructor(private readonly options: PhaseMachineOptions) {
    this.pointStartMs = options.clock.now();
    this.rampEndMs = this.pointStartMs + options.config.rampS * 1000;
  }

  /** Enters the first phase: warm-up, or straight to the gate when there is none. */
  begin(): void {
    if (this.options.config.warmupRequests > 0) {
      this.phase = 'warmup';
      this.armWarmupDeadline();
    } else this.startGate();
  }

  /**
   * A server that never answers must not hold the run for the whole request timeout: when no
   * warm-up request has finished by the deadline, the point stops (incomplete) with a clear warning.
   */
  private armWarmupDeadline(): void {
    const { warmupRequests } = this.options.config;
    const deadlineS = WARMUP_DEADLINE_S;
    this.warmupTimer = this.setTimer(() => {
      if (this.phase !== 'warmup' || this.warmupCompleted > 0 || this.windowEndMs !== null) return;
      this.options.onWarning(
        `no warm-up request finished within ${deadlineS} s (0 of ${warmupRequests}): the server is not responding; point stopped`,
      );
      this.userStop();
    }, deadlineS * 1000);
  }

  /** Is request number `id` (0-based, in send order) a warm-up request? */
  isWarmup(id: number): boolean {
    return id < this.options.config.warmupRequests;
  }

  /** A request is about to be sent: counts it against the request cap. */
  onSend(warmup: boolean): void {
    if (warmup || this.windowStartMs === null || this.windowEndMs !== null) return;
    this.measuredSent++;
    const cap = this.options.config.numRequests;
    // This request is the last one measured (the window ends after its t_sched).
    if (cap !== undefined && this.measuredSent >= cap) this.stopMeasuring();
  }

  /** A request finished. `openedGate`: its sample made the convergence gate open. */
  onDone(warmup: boolean, openedGate: boolean): void {
    if (this.windowEndMs !== null) return;
    if (warmup) {
      this.warmupCompleted++;
      // The server answers: a slow warm-up (long outputs on a slow model) is not a dead server.
      this.clearTimer(this.warmupTimer);
      if (this.warmupCompleted === this.options.config.warmupRequests) this.startGate();
    } else if (openedGate) {
      this.startMeasuring();
    }
  }

  /** Stop from outside (Ctrl-C, the console's stop key): the window ends now, marked incomplete. */
  userStop(): void {
    this.incomplete = true;
    this.stopMeasuring();
  }

  /**
   * Ends the window and stops issuing. A duration window passes its planned deadline: the window
   * ends there, however late the timer fired. Idempotent.
   */
  stopMeasuring(plannedEndMs?: number): void {
    if (this.windowEndMs !== null) return;
    const now = this.options.clock.now();
    if (this.windowStartMs === null) {
      // Stopped before measurement began: an empty window.
      this.windowStartMs = now;
      this.gateWaitedS = this.gateStartMs === null ? 0 : (now - this.gateStartMs) / 1000;
    }
    this.windowEndMs = plannedEndMs !== undefined ? Math.min(plannedEndMs, now) : now;
    this.options.onWindowClosed();
    this.phase = 'draining';
    this.stopIssuing.abort();
    this.options.onChange();
  }

  /** The window as measured; before it opened or closed, [point start | window start, now]. */
  window(): { startMs: number; endMs: number } {
    return {
      startMs: this.windowStartMs ?? this.pointStartMs,
      endMs: this.windowEndMs ?? this.options.clock.now(),
    };
  }

  setTimer(fn: () => void, ms: number): TimerHandle {
    const handle = this.options.clock.setTimeout(() => {
      this.timers.delete(handle);
      fn();
    }, ms);
    this.timers.add(handle);
    return handle;
  }

  clearTimer(handle: TimerHandle | undefined): void {
    if (handle === undefined) return;
    this.options.clock.clearTimeout(handle);
    this.timers.delete(handle);
  }

  /** Clears every timer the machine armed. */
  dispose(): void {
    for (const handle of this.timers) this.options.clock.clearTimeout(handle);
    this.timers.clear();
  }

  private startGate(): void {
    const { config, gate } = this.options;
    if (!config.gate.enabled) {
      this.startMeasuring();
      return;
    }
    this.gateStartMs = this.options.clock.now();
    gate.start(this.gateStartMs);
    this.phase = 'gate';
    // Bounded by time: never longer than the measurement it precedes (docs/methodology.md).
    const maxWaitS = gateMaxWaitS(config.durationS, config.gate.timeoutS);
    this.setTimer(() => {
      if (this.windowStartMs !== null || gate.isOpen) return;
      gate.giveUp();
      const state = gate.state();
      const requests =
        state.n < state.window || state.cov === null
          ? `only ${state.n} of the ${state.window} successful requests it needs had completed`
          : `CoV ${state.cov.toFixed(3)} over the last ${state.n} requests`;
      const intervals =
        state.intervalCov === null || state.intervalCov === undefined
          ? ''
          : `; token rate CoV ${state.intervalCov.toFixed(3)}, drift ${(state.intervalDrift ?? 0).toFixed(3)} over ${state.intervalN} intervals`;
      this.options.onWarning(
        `convergence gate gave up after ${formatSeconds(maxWaitS)} s (${requests}${intervals}, target CoV < ${config.gate.targetCov}): measured anyway`,
      );
      this.startMeasuring();
    }, maxWaitS * 1000);
    this.options.onChange();
  }

  /** A periodic look at the live token counter: the gate may converge on token-rate intervals. */
  observeTokens(totalTokens: number): void {
    if (this.phase !== 'gate' || this.windowStartMs !== null) return;
    if (this.options.gate.observeTokens(this.options.clock.now(), totalTokens)) this.startMeasuring();
  }

  private startMeasuring(): void {
    if (this.windowStartMs !== null || this.windowEndMs !== null) return;
    const clock = this.options.clock;
    if (clock.now() < this.rampEndMs) {
      // The ramp is never part of the window: start measuring when it ends.
      if (!this.rampWaitArmed) {
        this.rampWaitArmed = true;
        this.setTimer(
          () => {
            this.rampWaitArmed = false; // timers may fire a fraction of a ms early: re-arm then
            this.startMeasuring();
          },
          Math.max(1, Math.ceil(this.rampEndMs - clock.now())),
        );
      }
      return;
    }
    const barrier = this.options.windowBarrier;
    if (barrier !== undefined) {
      if (this.barrierAsked) return;
      this.barrierAsked = true;
      barrier().then(
        (atMs) => {
          if (this.windowEndMs !== null) return;
          // Opens at the agreed instant (planned, like the end: a late timer does not move it).
          this.setTimer(() => this.openWindow(atMs), Math.max(0, Math.ceil(atMs - clock.now())));
        },
        (error: unknown) => {
          this.options.onWarning(
            `shard window barrier failed: ${error instanceof Error ? error.message : String(error)}`,
          );
          this.userStop();
        },
      );
      return;
    }
    this.openWindow(clock.now());
  }

  private openWindow(startMs: number): void {
    if (this.windowStartMs !== null || this.windowEndMs !== null) return;
    const clock = this.options.clock;
    this.windowStartMs = startMs;
    this.gateWaitedS = this.gateStartMs === null ? 0 : (startMs - this.gateStartMs) / 1000;
    this.phase = 'measuring';
    this.options.onMeasuring();
    const durationS = this.options.config.durationS;
    if (durationS !== undefined) {
      const plannedEndMs = startMs + durationS * 1000;
      this.setTimer(() => this.stopMeasuring(plannedEndMs), Math.max(0, plannedEndMs - clock.now()));
    }
    this.options.onChange();
  }
}

const formatSeconds = (s: number): string => String(Number(s.toFixed(1)));
