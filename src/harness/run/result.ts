// The result builder: from a finished point's records (journal or memory), its phase machine and
// its self-audit to a typed PointResult. Metric names of the v1 envelope are not known here (they
// live in src/envelope/metrics.ts); the harness returns typed metrics only.
import {
  DISTRIBUTION_NAMES,
  MetricsAccumulator,
  type PointMetrics,
  type SloTargetResult,
} from '../metrics/compute.js';
import { histogramViewOfSorted } from '../metrics/histogram-view.js';
import { forEachJournalRecord } from '../metrics/journal.js';
import { percentileSorted } from '../metrics/percentile.js';
import type { Recorder } from '../metrics/recorder.js';
import type { SortedSamples } from '../metrics/sample-sink.js';
import { describeSloTemplate } from '../metrics/slo.js';
import { buildSampleBlock, type SampleBlock } from '../metrics/sample-block.js';
import { checkOfferedRate, queueDelayMaterial, type RateCheck } from '../metrics/statistics.js';
import type { ClientHealth, GateState, HistogramView, PointLabel, RequestRecord } from '../types.js';
import type { ScheduleLagStats } from '../drivers/trace.js';
import type { PointConfig } from './config.js';
import type { PhaseMachine } from './phases.js';
import { pointWarnings, steadyStateOk } from './warnings.js';

export interface PointResult {
  readonly label: PointLabel;
  /** The point's metrics, typed (src/envelope/metrics.ts names them for the envelope). */
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
  /** Monotonic ms (clock.now()) when the point started (before warm-up). */
  readonly startedAtMs: number;
  /** Wall-clock (epoch ms) of the window, for telemetry alignment. */
  readonly windowWall: { readonly startEpochMs: number; readonly endEpochMs: number };
  readonly gate: GateState & { readonly waitedS: number };
  readonly steadyState: { readonly required: number | null; readonly measured: number; readonly ok: boolean };
  /** The generator's self-audit (main thread, pacer, CPU, load workers). */
  readonly client: ClientHealth;
  readonly slo: {
    readonly template: string;
    /** 'scheduled' in open loop: ttft/total judged from t_sched (user-perceived). */
    readonly basis: 'sent' | 'scheduled';
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
  /** Open loop: offered vs achieved rate (null in closed loop). */
  readonly rate: RateCheck | null;
  /** Trace replay: the trace, how much of it was sent, and its schedule lag (null otherwise). */
  readonly trace: TraceResult | null;
  /** Client queue delay p99 > 1 ms or > 10 % of TTFT p99: the headline shows ttft_sched too. */
  readonly queueDelayMaterial: boolean;
  /** The bounded per-request samples for the envelope (docs/metrics.md "Sample block"). */
  readonly sampleBlock: SampleBlock;
  readonly warnings: readonly string[];
  /** False when the generator's self-audit exceeded a budget. */
  readonly valid: boolean;
  /** True when the point was stopped early (stopSignal). */
  readonly incomplete: boolean;
  readonly records: number;
  readonly journalPath: string | null;
  readonly config: PointConfig;
}

export interface TraceResult {
  readonly entries: number;
  /** First to last scheduled send, seconds (after timeScale). */
  readonly spanS: number;
  readonly timeScale: number;
  /** The trace's own rate: entries over its span (null for a single-instant trace). */
  readonly offeredRps: number | null;
  /** Schedule lag = actual − scheduled send, over every request sent (warm-up included). */
  readonly scheduleLag: ScheduleLagStats;
}

export interface ResultInput {
  readonly config: PointConfig;
  readonly label: PointLabel;
  readonly machine: PhaseMachine;
  readonly recorder: Recorder;
  readonly health: ClientHealth;
  /** Warnings raised while the point ran (gate, drain). */
  readonly runWarnings: readonly string[];
  /** The built-in closed loop ran (the steady-state rule applies to it only). */
  readonly builtInClosedLoop: boolean;
  readonly journalPath: string | null;
  /** The trace driver's schedule lag (trace points). */
  readonly scheduleLag: ScheduleLagStats | null;
  readonly epochMsOf: (monotonicMs: number) => number;
}

export async function buildPointResult(input: ResultInput): Promise<PointResult> {
  const { config, machine, recorder, health } = input;
  const window = machine.window();
  const accumulator = new MetricsAccumulator(window, {
    slo: config.sloTemplate,
    // Open loop: the SLO verdict and goodput use the user-perceived times (from t_sched).
    sloBasis: config.mode === 'closed' ? 'sent' : 'scheduled',
    bootstrapResamples: config.bootstrapResamples,
    seed: config.seed,
  });
  if (input.journalPath !== null) await forEachJournalRecord(input.journalPath, (r) => accumulator.add(r));
  else for (const r of recorder.records) accumulator.add(r);
  const { metrics: detail, samples, warmup: warmupDiscarded, outsideWindow } = accumulator.finish();

  const required = config.mode === 'closed' && input.builtInClosedLoop ? 2 * config.concurrency : null;
  const rate =
    config.mode === 'open'
      ? checkOfferedRate({
          offeredRps: config.rps,
          windowS: detail.window.durationS,
          scheduledInWindow: detail.counts.measured,
          sentInWindow: detail.counts.sentInWindow,
        })
      : null;
  const queueMaterial = queueDelayMaterial(
    detail.distributions.client_queue_delay.p99,
    detail.distributions.ttft.p99,
  );
  const trace = traceResultOf(config, input.scheduleLag);
  const facts = {
    rateWarning: rate?.warning ?? null,
    traceSkipped:
      trace !== null && trace.scheduleLag.skipped > 0
        ? { skipped: trace.scheduleLag.skipped, entries: trace.entries, windowS: detail.window.durationS }
        : null,
    queueDelay:
      config.mode !== 'closed' && queueMaterial
        ? {
            p99Ms: detail.distributions.client_queue_delay.p99 as number,
            ttftP99Ms: detail.distributions.ttft.p99,
            ttftSchedP99Ms: detail.distributions.ttft_sched.p99,
          }
        : null,
    auditReasons: health.reasons,
    steadyStateRequired: required,
    measured: detail.counts.measured,
    ok: detail.counts.ok,
    incomplete: machine.incomplete,
    ttftN: detail.distributions.ttft.n,
    coalescedFraction: detail.coalescedFraction,
    binned: DISTRIBUTION_NAMES.filter((name) => !detail.distributions[name].exact),
    oslCounted: detail.counts.oslCounted,
  };
  const viewOf = (sorted: SortedSamples): HistogramView =>
    histogramViewOfSorted(sorted, percentileSorted(sorted, 50), percentileSorted(sorted, 99));

  return {
    label: input.label,
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
    startedAtMs: machine.pointStartMs,
    windowWall: { startEpochMs: input.epochMsOf(window.startMs), endEpochMs: input.epochMsOf(window.endMs) },
    gate: { ...recorder.gate.state(), waitedS: machine.gateWaitedS },
    steadyState: { required, measured: detail.counts.measured, ok: steadyStateOk(facts) },
    client: health,
    slo:
      config.sloTemplate === null || detail.slo === null
        ? null
        : {
            template: detail.slo.template,
            basis: detail.slo.basis,
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
    rate,
    trace,
    queueDelayMaterial: queueMaterial,
    sampleBlock: buildSampleBlock(samples),
    warnings: [...input.runWarnings, ...pointWarnings(facts)],
    valid: !health.distorted,
    incomplete: machine.incomplete,
    records: recorder.done,
    journalPath: input.journalPath,
    config,
  };
}

function traceResultOf(config: PointConfig, lag: ScheduleLagStats | null): TraceResult | null {
  if (config.mode !== 'trace') return null;
  return {
    entries: config.entries,
    spanS: config.spanS,
    timeScale: config.timeScale,
    offeredRps: config.spanS > 0 ? config.entries / config.spanS : null,
    scheduleLag: lag ?? { n: 0, p50Ms: null, p99Ms: null, maxMs: null, meanMs: null, skipped: 0 },
  };
}

/** The records a point kept in memory (PointDeps.keepRecords). */
export type KeptRecords = readonly RequestRecord[];
