// The point runner: one load point (a concurrency or a rate) from first request to typed result.
// It wires the parts and owns nothing clever itself:
//   PhaseMachine (phases.ts)   warm-up → gate → measuring → draining; the window; every timer
//   Recorder                   live counters and the snapshot (reads the machine's phase/window)
//   SelfAudit (audit.ts)       event-loop delay, pacer lag, CPU, load-worker delay vs budgets
//   the driver                 when requests are sent (closed/open loop, or a workload's own)
//   buildPointResult           records (journal or memory) → metrics, warnings (warnings.ts)
// Time comes from deps.clock (system clock by default): see ARCHITECTURE.md, "Time".
import { setMaxListeners } from 'node:events';
import { systemClock, type Clock, type TimerHandle } from '../clock.js';
import type { StreamClient } from '../client/stream-client.js';
import { createClosedLoopDriver, type RequestSource } from '../drivers/closed.js';
import { createOpenLoopDriver } from '../drivers/open.js';
import type { ScheduleLagStats } from '../drivers/trace.js';
import type { Driver, DriverContext } from '../drivers/types.js';
import { ConvergenceGate, gateMaxWaitS } from '../metrics/gate.js';
import { JournalWriter } from '../metrics/journal.js';
import { Recorder } from '../metrics/recorder.js';
import type { HarnessSnapshot, PointLabel, RequestRecord, RequestSpec } from '../types.js';
import { SelfAudit } from './audit.js';
import { type PointConfig, validatePointConfig } from './config.js';
import { createPacer } from './pacer.js';
import type { TimelineBuilder } from '../../lib/timeline.js';
import { recordTimeline } from './timeline.js';
import { PhaseMachine } from './phases.js';
import { buildPointResult, type PointResult } from './result.js';

export type { PointResult } from './result.js';

/** The part of a client the runner uses (the stream client, the worker pool, or a test fake). */
export type PointClient = Pick<StreamClient, 'send' | 'stats'>;

/** After a user stop (Ctrl-C), in-flight requests get at most this long to finish. */
export const USER_STOP_DRAIN_S = 5;

export interface PointDeps {
  readonly client: PointClient;
  /** Single-turn request source for the built-in closed/open loop drivers. */
  readonly workload?: RequestSource;
  /**
   * A custom driver (trace, multi-turn…) overriding the built-in choice. A trace driver also
   * reports its schedule lag (PointResult.trace).
   */
  readonly driver?: Driver & { readonly scheduleLag?: () => ScheduleLagStats };
  readonly onSnapshot?: (snapshot: HarnessSnapshot) => void;
  /**
   * Streams every record to this JSONL file; the final metrics are then computed from the file,
   * so memory stays flat however many requests the point sends.
   */
  readonly journalPath?: string;
  /**
   * Also keep the records in memory and return them (PointRun.records). Default: only when there
   * is no journal (the metrics need them then).
   */
  readonly keepRecords?: boolean;
  /** Graceful stop: ends the point early (measured so far, incomplete: true). */
  readonly stopSignal?: AbortSignal;
  readonly pointLabel?: PointLabel;
  readonly snapshotIntervalMs?: number;
  /** Per-request headers passed to the client (tests: fault injection). */
  readonly requestHeaders?: (index: number) => Readonly<Record<string, string>> | undefined;
  /** Time source; default the system clock. Tests pass a VirtualClock. */
  readonly clock?: Clock;
  /**
   * Load-worker threads' worst event-loop delay p99 over the point (the worker pool reports it);
   * judged by the self-audit against the same budget as the main thread.
   */
  readonly workerLoopDelayP99Ms?: () => number | null;
  /**
   * The envelope's timeline block (origin: the point's start on deps.clock): the runner adds
   * tokens, finished requests, pacer lag and event-loop delay per second (harness/run/timeline.ts).
   */
  readonly timeline?: TimelineBuilder;
  /**
   * Sharded runs (`bench run --shard`): the measurement window opens at the instant this resolves
   * with (monotonic ms), agreed by every shard through the coordinator. See PhaseMachineOptions.
   */
  readonly windowBarrier?: () => Promise<number>;
}

export interface PointRun {
  readonly result: PointResult;
  /** The point's records when kept in memory (see PointDeps.keepRecords); otherwise empty. */
  readonly records: readonly RequestRecord[];
}

export async function runPoint(config: PointConfig, deps: PointDeps): Promise<PointResult> {
  return (await runPointDetailed(config, deps)).result;
}

function builtInDriver(config: PointConfig, workload: RequestSource): Driver {
  switch (config.mode) {
    case 'closed':
      return createClosedLoopDriver({ concurrency: config.concurrency, rampS: config.rampS, workload });
    case 'open':
      return createOpenLoopDriver({
        rps: config.rps,
        arrival: config.arrival,
        ...(config.burstiness !== undefined ? { burstiness: config.burstiness } : {}),
        ...(config.maxConcurrency !== undefined ? { maxConcurrency: config.maxConcurrency } : {}),
        rampS: config.rampS,
        workload,
      });
    case 'trace':
      throw new TypeError("a trace point needs deps.driver (the workload's trace driver)");
  }
}

/** The window's planned length (the console's clock): a trace's span, capped by --duration. */
function plannedWindowS(config: PointConfig): number | null {
  if (config.mode !== 'trace') return config.durationS ?? null;
  const spanS = Math.min(config.spanS, config.durationS ?? Infinity);
  return spanS > 0 ? spanS : null;
}

function defaultLabel(config: PointConfig): string {
  switch (config.mode) {
    case 'closed':
      return `c${config.concurrency}`;
    case 'open':
      return `r${config.rps}`;
    case 'trace':
      return 'trace';
  }
}

export async function runPointDetailed(config: PointConfig, deps: PointDeps): Promise<PointRun> {
  validatePointConfig(config);
  const clock = deps.clock ?? systemClock;
  const label: PointLabel = deps.pointLabel ?? {
    index: 0,
    total: 1,
    label: defaultLabel(config),
  };
  let driver: Driver;
  if (deps.driver !== undefined) driver = deps.driver;
  else if (deps.workload === undefined) throw new TypeError('runPoint needs deps.workload or deps.driver');
  else driver = builtInDriver(config, deps.workload);

  const warnings: string[] = [];
  const journal = deps.journalPath !== undefined ? await JournalWriter.open(deps.journalPath) : null;
  const audit = new SelfAudit(config.budgets, clock);
  let recorder: Recorder | null = null;
  const emitSnapshot = (): void => {
    void journal?.flush();
    // The gate converges on token-rate intervals too (long requests): feed it the live counter.
    machine.observeTokens(deps.client.stats.tokensReceived);
    if (deps.onSnapshot === undefined || recorder === null) return;
    recorder.tick();
    recorder.health = audit.health(false);
    deps.onSnapshot(recorder.buildSnapshot());
  };
  const gate = new ConvergenceGate({
    enabled: config.gate.enabled,
    window: config.gate.window,
    targetCov: config.gate.targetCov,
    maxWaitMs: gateMaxWaitS(config.durationS, config.gate.timeoutS) * 1000,
  });
  const machine: PhaseMachine = new PhaseMachine({
    clock,
    config,
    gate,
    onMeasuring: () => {
      recorder?.resetLiveLatency();
      audit.start();
    },
    onWindowClosed: () => audit.stop(),
    onChange: emitSnapshot,
    onWarning: (warning) => warnings.push(warning),
    ...(deps.windowBarrier !== undefined ? { windowBarrier: deps.windowBarrier } : {}),
  });
  recorder = new Recorder({
    keepRecords: deps.keepRecords ?? journal === null,
    gate,
    point: label,
    durationS: plannedWindowS(config),
    clock,
    phases: machine,
    live: deps.client.stats,
    journal,
  });
  const rec: Recorder = recorder;
  const abortInFlight = new AbortController();
  // Every in-flight request listens on these: no listener cap.
  setMaxListeners(0, machine.stopIssuing.signal, abortInFlight.signal);

  const timeline = deps.timeline !== undefined ? recordTimeline(deps.timeline, clock) : null;
  machine.begin();
  const onUserStop = (): void => machine.userStop();
  if (deps.stopSignal !== undefined) {
    if (deps.stopSignal.aborted) onUserStop();
    else deps.stopSignal.addEventListener('abort', onUserStop, { once: true });
  }

  let nextId = 0;
  let inFlight = 0;
  let drainedResolve: (() => void) | null = null;
  const send = async (spec: RequestSpec, tSchedMs: number): Promise<RequestRecord> => {
    const id = nextId++;
    const warmup = machine.isWarmup(id);
    machine.onSend(warmup);
    inFlight++;
    rec.onSend();
    const headers = deps.requestHeaders?.(id);
    const record = await deps.client.send(spec, tSchedMs, abortInFlight.signal, {
      id,
      warmup,
      ...(headers !== undefined ? { headers } : {}),
    });
    inFlight--;
    machine.onDone(warmup, rec.onRecord(record));
    timeline?.onRecord(record);
    if (inFlight === 0 && drainedResolve !== null) drainedResolve();
    return record;
  };
  let backoffCount = 0;
  let backoffTotalMs = 0;
  const pacer = createPacer(clock, machine.stopIssuing.signal, (lagMs) => {
    audit.recordLag(lagMs);
    timeline?.onLag(lagMs);
  });
  const context: DriverContext = {
    now: () => clock.now(),
    send,
    stopSignal: machine.stopIssuing.signal,
    seed: config.seed,
    sleepUntil: (atMs) => pacer.sleepUntil(atMs),
    onBackoff: (waitMs) => {
      backoffCount++;
      backoffTotalMs += waitMs;
    },
  };
  const waitDrained = (): Promise<void> =>
    inFlight === 0
      ? Promise.resolve()
      : new Promise<void>((resolve) => {
          drainedResolve = resolve;
        });

  const snapshotTimer = clock.setInterval(emitSnapshot, deps.snapshotIntervalMs ?? 250);
  emitSnapshot();
  let graceTimer: TimerHandle | undefined;
  let driverError: unknown = null;
  try {
    const driverDone = driver(context);
    const issuingStopped = new Promise<void>((resolve) => {
      const signal = machine.stopIssuing.signal;
      if (signal.aborted) resolve();
      else signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await Promise.race([driverDone, issuingStopped]);
    // A driver that ran out of work (trace end) ends the window itself.
    machine.stopMeasuring();
    // Drain: in-flight requests get the grace, then are aborted (recorded as 'aborted').
    // A user stop (Ctrl-C) drains for at most USER_STOP_DRAIN_S: the user is waiting.
    const graceS = machine.incomplete ? Math.min(config.drainGraceS, USER_STOP_DRAIN_S) : config.drainGraceS;
    graceTimer = machine.setTimer(() => {
      if (inFlight === 0) return;
      warnings.push(`drain grace of ${graceS} s ran out: ${inFlight} in-flight request(s) aborted`);
      abortInFlight.abort();
    }, graceS * 1000);
    await driverDone;
    await waitDrained();
    if (backoffCount > 0)
      warnings.push(
        `the server pushed back (429/5xx/refused) ${backoffCount} time(s): closed-loop slots waited ${(backoffTotalMs / 1000).toFixed(1)} s in total before retrying (Retry-After, capped at 10 s, else backoff from 50 ms); throughput is below what was asked`,
      );
  } catch (error) {
    // A custom driver threw: stop, let in-flight requests finish (bounded), keep the journal.
    driverError = error;
    machine.stopMeasuring();
    if (inFlight > 0) abortInFlight.abort();
    await waitDrained();
  } finally {
    machine.clearTimer(graceTimer);
    clock.clearInterval(snapshotTimer);
    timeline?.stop();
    machine.dispose();
    deps.stopSignal?.removeEventListener('abort', onUserStop);
    audit.stop();
    audit.dispose();
  }
  machine.phase = 'done';
  audit.recordWorkerLoopDelay(deps.workerLoopDelayP99Ms?.() ?? null);
  const health = audit.health();
  rec.health = health;
  if (deps.onSnapshot !== undefined) deps.onSnapshot(rec.buildSnapshot());
  if (journal !== null) await journal.close();
  if (driverError !== null)
    throw driverError instanceof Error
      ? driverError
      : new Error(`driver failed: ${JSON.stringify(driverError)}`);

  const result = await buildPointResult({
    config,
    label,
    machine,
    recorder: rec,
    health,
    runWarnings: warnings,
    builtInClosedLoop: deps.driver === undefined,
    scheduleLag: deps.driver?.scheduleLag?.() ?? null,
    journalPath: deps.journalPath ?? null,
    epochMsOf: (ms) => clock.epochMsOf(ms),
  });
  return { result, records: rec.records };
}
