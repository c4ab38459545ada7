// The point runner: one load point (a concurrency or a rate) through its phases —
// warm-up (first N requests discarded) → gate (CoV convergence, or gave up at its timeout) →
// measuring (the window) → draining (stop issuing, wait in-flight up to the grace, then abort).
// Owns the clock, the recorder, the journal, the self-audit and the snapshot timer.
import { setMaxListeners } from 'node:events';
import { performance } from 'node:perf_hooks';
import type { StreamClient } from '../client/stream-client.js';
import { createClosedLoopDriver, type RequestSource } from '../drivers/closed.js';
import { createOpenLoopDriver } from '../drivers/open.js';
import type { Driver, DriverContext } from '../drivers/types.js';
import {
  DISTRIBUTION_NAMES,
  flattenMetrics,
  MetricsAccumulator,
  type PointMetrics,
  type SloTargetResult,
} from '../metrics/compute.js';
import { histogramViewOfSorted } from '../metrics/histogram-view.js';
import { forEachJournalRecord, JournalWriter } from '../metrics/journal.js';
import { percentileSorted } from '../metrics/percentile.js';
import { Recorder } from '../metrics/recorder.js';
import type { SortedSamples } from '../metrics/sample-sink.js';
import { describeSloTemplate } from '../metrics/slo.js';
import type {
  ClientHealth,
  GateState,
  HarnessSnapshot,
  HistogramView,
  PointLabel,
  RequestRecord,
  RequestSpec,
} from '../types.js';
import { SelfAudit } from './audit.js';
import { type PointConfig, validatePointConfig } from './config.js';
import { createPacer } from './pacer.js';

export interface PointDeps {
  readonly client: StreamClient;
  /** Single-turn request source for the built-in closed/open loop drivers. */
  readonly workload?: RequestSource;
  /** A custom driver (trace, multi-turn…) overriding the built-in choice. */
  readonly driver?: Driver;
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
}

export interface PointResult {
  readonly label: PointLabel;
  /** Envelope-style keys (ttft_p50_ms, throughput_tok_per_s, …); null where undefined. */
  readonly metrics: Record<string, number | null>;
  /** Bootstrap 95 % CIs keyed like `metrics`, each with its n. */
  readonly ci: Record<string, { lo: number; hi: number; n: number }>;
  /** The structured form of the same numbers. */
  readonly detail: PointMetrics;
  readonly counts: {
    readonly sent: number;
    readonly ok: number;
    readonly failed: number;
    readonly errorsByCode: Readonly<Record<string, number>>;
    readonly warmupDiscarded: number;
    readonly inWindow: number;
    /** Sent after warm-up but outside the window (gate phase, drain). */
    readonly outsideWindow: number;
  };
  readonly window: { readonly startMs: number; readonly endMs: number; readonly durationS: number };
  /** Monotonic ms (performance.now()) when the point started (before warm-up). */
  readonly startedAtMs: number;
  /** Wall-clock (epoch ms) of the window, for telemetry alignment. */
  readonly windowWall: { readonly startEpochMs: number; readonly endEpochMs: number };
  readonly gate: GateState & { readonly waitedS: number };
  readonly steadyState: { readonly required: number | null; readonly measured: number; readonly ok: boolean };
  readonly client: ClientHealth;
  readonly slo: {
    readonly template: string;
    readonly resolved: string;
    readonly perSloPassRate: Readonly<Record<string, number | null>>;
    readonly p99TargetsMet: boolean | null;
    readonly targets: readonly SloTargetResult[];
  } | null;
  readonly histograms: {
    readonly ttft: HistogramView;
    readonly tpot: HistogramView;
    readonly itl: HistogramView;
    readonly total: HistogramView;
  };
  readonly warnings: readonly string[];
  /** False when the generator's self-audit exceeded a budget. */
  readonly valid: boolean;
  /** True when the point was stopped early (stopSignal). */
  readonly incomplete: boolean;
  readonly records: number;
  readonly journalPath: string | null;
  readonly config: PointConfig;
}

export interface PointRun {
  readonly result: PointResult;
  /** The point's records when kept in memory (see PointDeps.keepRecords); otherwise empty. */
  readonly records: readonly RequestRecord[];
}

const wallOf = (monotonicMs: number): number => performance.timeOrigin + monotonicMs;

export async function runPoint(config: PointConfig, deps: PointDeps): Promise<PointResult> {
  return (await runPointDetailed(config, deps)).result;
}

export async function runPointDetailed(config: PointConfig, deps: PointDeps): Promise<PointRun> {
  validatePointConfig(config);
  const now = (): number => performance.now();
  const label: PointLabel = deps.pointLabel ?? {
    index: 0,
    total: 1,
    label: config.mode === 'closed' ? `c${config.concurrency}` : `r${config.rps}`,
  };
  const warnings: string[] = [];
  const journal = deps.journalPath !== undefined ? await JournalWriter.open(deps.journalPath) : null;
  const keepRecords = deps.keepRecords ?? journal === null;
  const recorder = new Recorder({
    keepRecords,
    gate: { enabled: config.gate.enabled, window: config.gate.window, targetCov: config.gate.targetCov },
    point: label,
    durationS: config.durationS ?? null,
    now,
    live: deps.client.stats,
    journal,
  });
  const audit = new SelfAudit(config.budgets, now);
  const stopIssuing = new AbortController();
  const abortInFlight = new AbortController();
  // Every in-flight request listens on these: no listener cap.
  setMaxListeners(0, stopIssuing.signal, abortInFlight.signal);

  let driver: Driver;
  if (deps.driver !== undefined) driver = deps.driver;
  else if (deps.workload === undefined) throw new TypeError('runPoint needs deps.workload or deps.driver');
  else if (config.mode === 'closed') {
    driver = createClosedLoopDriver({
      concurrency: config.concurrency as number,
      rampS: config.rampS,
      workload: deps.workload,
    });
  } else {
    driver = createOpenLoopDriver({
      rps: config.rps as number,
      arrival: config.arrival ?? 'poisson',
      ...(config.burstiness !== undefined ? { burstiness: config.burstiness } : {}),
      ...(config.maxConcurrency !== undefined ? { maxConcurrency: config.maxConcurrency } : {}),
      rampS: config.rampS,
      workload: deps.workload,
    });
  }

  // ---- phase machine -------------------------------------------------------------------------
  const pointStartMs = now();
  let windowStartMs: number | null = null;
  let windowEndMs: number | null = null;
  let gateStartMs: number | null = null;
  let gateWaitedS = 0;
  let measuredSent = 0;
  let warmupCompleted = 0;
  let incomplete = false;
  let nextId = 0;
  let inFlight = 0;
  let drainedResolve: (() => void) | null = null;
  const timers: NodeJS.Timeout[] = [];

  const emitSnapshot = (): void => {
    void journal?.flush();
    if (deps.onSnapshot === undefined) return;
    recorder.tick();
    recorder.health = audit.health(false);
    deps.onSnapshot(recorder.buildSnapshot());
  };

  const stopMeasuring = (plannedEndMs?: number): void => {
    if (windowEndMs !== null) return;
    if (windowStartMs === null) {
      // Stopped before measurement began: an empty window.
      windowStartMs = now();
      gateWaitedS = gateStartMs === null ? 0 : (windowStartMs - gateStartMs) / 1000;
    }
    // A duration window ends at its absolute deadline, however late the timer fired.
    windowEndMs = plannedEndMs !== undefined ? Math.min(plannedEndMs, now()) : now();
    recorder.windowStartMs = windowStartMs;
    recorder.windowEndMs = windowEndMs;
    audit.stop();
    recorder.phase = 'draining';
    stopIssuing.abort();
    emitSnapshot();
  };

  const rampEndMs = pointStartMs + config.rampS * 1000;
  let rampWaitArmed = false;
  const startMeasuring = (): void => {
    if (windowStartMs !== null || windowEndMs !== null) return;
    if (now() < rampEndMs) {
      // The ramp is never part of the window: start measuring when it ends.
      if (!rampWaitArmed) {
        rampWaitArmed = true;
        timers.push(
          setTimeout(
            () => {
              rampWaitArmed = false; // timers may fire a fraction of a ms early: re-arm then
              startMeasuring();
            },
            Math.max(1, Math.ceil(rampEndMs - now())),
          ),
        );
      }
      return;
    }
    windowStartMs = now();
    recorder.windowStartMs = windowStartMs;
    gateWaitedS = gateStartMs === null ? 0 : (windowStartMs - gateStartMs) / 1000;
    recorder.phase = 'measuring';
    recorder.resetLiveLatency();
    audit.start();
    if (config.durationS !== undefined) {
      const plannedEndMs = windowStartMs + config.durationS * 1000;
      timers.push(setTimeout(() => stopMeasuring(plannedEndMs), config.durationS * 1000));
    }
    emitSnapshot();
  };

  const startGate = (): void => {
    if (!config.gate.enabled) {
      startMeasuring();
      return;
    }
    gateStartMs = now();
    recorder.phase = 'gate';
    timers.push(
      setTimeout(() => {
        if (windowStartMs !== null || recorder.gate.isOpen) return;
        recorder.gate.giveUp();
        const state = recorder.gate.state();
        const why =
          state.n < state.window || state.cov === null
            ? `only ${state.n} of the ${state.window} successful requests it needs had completed`
            : `CoV ${state.cov.toFixed(3)} over the last ${state.n} requests`;
        warnings.push(
          `convergence gate gave up after ${config.gate.timeoutS} s (${why}, target CoV < ${config.gate.targetCov}): measured anyway`,
        );
        startMeasuring();
      }, config.gate.timeoutS * 1000),
    );
    emitSnapshot();
  };

  if (config.warmupRequests > 0) recorder.phase = 'warmup';
  else startGate();

  const onUserStop = (): void => {
    incomplete = true;
    stopMeasuring();
  };
  if (deps.stopSignal !== undefined) {
    if (deps.stopSignal.aborted) onUserStop();
    else deps.stopSignal.addEventListener('abort', onUserStop, { once: true });
  }

  const pacer = createPacer(now, stopIssuing.signal, (lagMs) => audit.recordLag(lagMs));

  const send = async (spec: RequestSpec, tSchedMs: number): Promise<RequestRecord> => {
    const id = nextId++;
    const warmup = id < config.warmupRequests;
    if (windowStartMs !== null && windowEndMs === null && !warmup) {
      measuredSent++;
      if (config.numRequests !== undefined && measuredSent >= config.numRequests) {
        // This request is the last one measured (the window ends after its t_sched).
        stopMeasuring();
      }
    }
    inFlight++;
    recorder.onSend();
    const headers = deps.requestHeaders?.(id);
    const record = await deps.client.send(spec, tSchedMs, abortInFlight.signal, {
      id,
      warmup,
      ...(headers !== undefined ? { headers } : {}),
    });
    inFlight--;
    const opened = recorder.onRecord(record);
    if (warmup) {
      warmupCompleted++;
      if (warmupCompleted === config.warmupRequests && windowEndMs === null) startGate();
    } else if (opened && windowEndMs === null) {
      startMeasuring();
    }
    if (inFlight === 0 && drainedResolve !== null) drainedResolve();
    return record;
  };

  const context: DriverContext = {
    now,
    send,
    stopSignal: stopIssuing.signal,
    seed: config.seed,
    sleepUntil: (atMs) => pacer.sleepUntil(atMs),
  };

  const snapshotTimer = setInterval(emitSnapshot, deps.snapshotIntervalMs ?? 250);
  emitSnapshot();
  let graceTimer: NodeJS.Timeout | undefined;
  let driverError: unknown = null;
  try {
    const driverDone = driver(context);
    const issuingStopped = new Promise<void>((resolve) => {
      if (stopIssuing.signal.aborted) resolve();
      else stopIssuing.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await Promise.race([driverDone, issuingStopped]);
    // A driver that ran out of work (trace end) ends the window itself.
    stopMeasuring();
    recorder.phase = 'draining';
    // Drain: in-flight requests get the grace, then are aborted (recorded as 'aborted').
    graceTimer = setTimeout(() => {
      if (inFlight === 0) return;
      warnings.push(
        `drain grace of ${config.drainGraceS} s ran out: ${inFlight} in-flight request(s) aborted`,
      );
      abortInFlight.abort();
    }, config.drainGraceS * 1000);
    await driverDone;
    if (inFlight > 0) {
      await new Promise<void>((resolve) => {
        drainedResolve = resolve;
      });
    }
  } catch (error) {
    // A custom driver threw: stop, let in-flight requests finish (bounded), keep the journal.
    driverError = error;
    stopMeasuring();
    if (inFlight > 0) {
      abortInFlight.abort();
      await new Promise<void>((resolve) => {
        drainedResolve = resolve;
      });
    }
  } finally {
    clearTimeout(graceTimer);
    clearInterval(snapshotTimer);
    for (const timer of timers) clearTimeout(timer);
    deps.stopSignal?.removeEventListener('abort', onUserStop);
    audit.stop();
    audit.dispose();
  }
  recorder.phase = 'done';
  recorder.health = audit.health();
  if (deps.onSnapshot !== undefined) deps.onSnapshot(recorder.buildSnapshot());
  if (journal !== null) await journal.close();
  if (driverError !== null)
    throw driverError instanceof Error
      ? driverError
      : new Error(`driver failed: ${JSON.stringify(driverError)}`);

  // ---- results -------------------------------------------------------------------------------
  const window = { startMs: windowStartMs ?? pointStartMs, endMs: windowEndMs ?? now() };
  const accumulator = new MetricsAccumulator(window, {
    slo: config.sloTemplate,
    bootstrapResamples: config.bootstrapResamples,
    seed: config.seed,
  });
  if (journal !== null) await forEachJournalRecord(journal.path, (r) => accumulator.add(r));
  else for (const r of recorder.records) accumulator.add(r);
  const { metrics: detail, samples, warmup: warmupDiscarded, outsideWindow } = accumulator.finish();
  const { metrics, ci } = flattenMetrics(detail);
  const health = audit.health();
  metrics.event_loop_delay_p99_ms = health.eventLoopDelayP99Ms;
  metrics.pacer_lag_p99_ms = health.pacerLagP99Ms;
  metrics.client_cpu_percent = health.cpuPercent;
  for (const reason of health.reasons)
    warnings.push(`generator self-audit: ${reason}; results may be distorted`);

  const required =
    config.mode === 'closed' && deps.driver === undefined ? 2 * (config.concurrency as number) : null;
  const steadyOk = required === null || detail.counts.measured >= required;
  if (!steadyOk) {
    warnings.push(
      `steady-state rule: measured ${detail.counts.measured} requests, fewer than 2·c = ${required}; lengthen the duration`,
    );
  }
  if (incomplete) warnings.push('point stopped early by the user: results are incomplete');
  if (detail.counts.measured === 0) warnings.push('no request was measured in the window');
  else if (detail.counts.ok === 0) warnings.push('no successful request in the window');
  const ttftN = detail.distributions.ttft.n;
  if (ttftN > 0 && ttftN < 1000) {
    warnings.push(`p99 values rest on n = ${ttftN} requests (< 1000): read them with their CIs`);
  }
  if (detail.coalescedFraction !== null && detail.coalescedFraction > 0.1) {
    warnings.push(
      `${(detail.coalescedFraction * 100).toFixed(0)} % of token events arrived several per socket read and share a timestamp: gaps below the read interval are not resolvable (icl/itl low percentiles read 0)`,
    );
  }
  const binned = DISTRIBUTION_NAMES.filter((name) => !detail.distributions[name].exact);
  if (binned.length > 0) {
    warnings.push(
      `${binned.join(', ')}: more samples than are kept exactly; their percentiles come from a log histogram (values within 0.034 %)`,
    );
  }
  if (detail.counts.oslCounted > 0) {
    warnings.push(
      `the server sent no usage for ${detail.counts.oslCounted} request(s): their osl was counted from events`,
    );
  }

  const gateState = recorder.gate.state();
  const viewOf = (sorted: SortedSamples): HistogramView =>
    histogramViewOfSorted(sorted, percentileSorted(sorted, 50), percentileSorted(sorted, 99));

  const result: PointResult = {
    label,
    metrics,
    ci,
    detail,
    counts: {
      sent: recorder.sent,
      ok: recorder.ok,
      failed: recorder.failed,
      errorsByCode: { ...recorder.errorsByCode },
      warmupDiscarded,
      inWindow: detail.counts.measured,
      outsideWindow,
    },
    window: detail.window,
    startedAtMs: pointStartMs,
    windowWall: { startEpochMs: wallOf(window.startMs), endEpochMs: wallOf(window.endMs) },
    gate: { ...gateState, waitedS: gateWaitedS },
    steadyState: { required, measured: detail.counts.measured, ok: steadyOk },
    client: health,
    slo:
      config.sloTemplate === null || detail.slo === null
        ? null
        : {
            template: detail.slo.template,
            resolved: describeSloTemplate(config.sloTemplate),
            perSloPassRate: detail.slo.perSloPassRate,
            p99TargetsMet: detail.slo.p99TargetsMet,
            targets: detail.slo.targets,
          },
    histograms: {
      ttft: viewOf(samples.ttft),
      tpot: viewOf(samples.tpot),
      itl: viewOf(samples.itl),
      total: viewOf(samples.total),
    },
    warnings,
    valid: !health.distorted,
    incomplete,
    records: recorder.done,
    journalPath: deps.journalPath ?? null,
    config,
  };
  return { result, records: recorder.records };
}
