// One measured point: run it through the harness, summarise telemetry and server metrics, build,
// sign and write its envelope.
import { journalPathFor } from '../../harness/metrics/journal.js';
import {
  buildEnvelope,
  endpointHash,
  envelopeFileText,
  pointMetricsV1,
  signEnvelope,
  writeEnvelope,
  writeUnsignedEnvelope,
  ZERO_HASH,
  type CiRecord,
  type EnvelopeWrite,
  type SigningOptions,
} from '../../envelope/index.js';
import {
  createStreamClient,
  describeJournal,
  forEachJournalRecord,
  inWindow,
  describeSloTemplate,
  resolvePointConfig,
  runPoint,
  systemClock,
  type PointResult,
  type SloTemplate,
} from '../../harness/index.js';
import { createWorkerPoolClient, defaultWorkerCount } from '../../harness/client/worker-pool.js';
import { workloadToDriver } from '../../harness/plugins/index.js';
import type { BenchmarkSpec, BenchPlugin, Workload } from '../../harness/plugins/types.js';
import {
  loadTokenizer,
  OutputTokenAuditor,
  type OutputTokenAudit,
  type TokenCounter,
} from '../../harness/tokenizer/index.js';
import type { HarnessSnapshot, RequestRecord } from '../../harness/types.js';
import type { TelemetryWindowSummary } from '../../telemetry/types.js';
import { TIMELINE_COLUMNS, TimelineBuilder } from '../../lib/timeline.js';
import { ServerMetricsRecorder, type TelemetrySession } from '../../telemetry/index.js';
import type { ServerMetricsReading } from '../../telemetry/server-metrics.js';
import { serverLiveFrom, type ServerLive } from '../console/server-live.js';
import { calibrationPath, checkAgainstCeiling, readCalibration } from './calibration.js';
import { applyPointAnalysis, type RunAnalysis } from '../analysis/run-setup.js';
import {
  openShardSession,
  shardEnvelopeOf,
  shardSeed,
  shareRequests,
  sharePoint,
  shareWorkload,
} from '../shard/point-shard.js';
import { VERSION } from '../version.js';
import { metricsUrlOf } from './defaults.js';
import { driverOptionsFromTable } from './flags.js';
import type { RunConfig, SweepPoint } from './options.js';
import { traceRatePerS, traceSettings, type TraceSettings } from './trace-point.js';

export interface PointReport {
  /** Set when signing failed and the envelope was written unsigned (the run then exits 1). */
  readonly unsignedReason: string | null;
  readonly suiteId: string;
  readonly modelId: string;
  readonly telemetry: TelemetryWindowSummary;
  readonly point: SweepPoint;
  readonly envelopePath: string;
  readonly contentHash: string;
  readonly runId: string;
  readonly metrics: Record<string, unknown>;
  readonly ci: CiRecord;
  readonly warnings: readonly string[];
  readonly tier: string;
  readonly valid: boolean;
  readonly incomplete: boolean;
  /** The envelope as signed (for the %SoL, descriptor and server lines under the result tables). */
  readonly envelope: object;
}

export interface PointInput {
  readonly config: RunConfig;
  readonly plugin: BenchPlugin;
  readonly spec: BenchmarkSpec;
  readonly workload: Workload;
  readonly point: SweepPoint;
  readonly label: { index: number; total: number; label: string };
  readonly baseUrl: string;
  readonly modelId: string;
  readonly simulated: boolean;
  readonly engineVersion: string;
  readonly engineConfigHash: string;
  readonly hardwareFingerprint: EnvelopeWrite['hardware_fingerprint'];
  readonly provenance: EnvelopeWrite['software_provenance'];
  readonly idleBaselineW: number | null;
  readonly telemetry: TelemetrySession;
  readonly slo: SloTemplate;
  readonly signing: SigningOptions;
  readonly apiKey: string | undefined;
  readonly stopSignal: AbortSignal;
  readonly onSnapshot: (snapshot: HarnessSnapshot) => void;
  /** The engine's /metrics view after each scrape during the point (the console's Server pane). */
  readonly onServer?: (live: ServerLive) => void;
  readonly filePrefix: string;
  readonly runContext: Readonly<Record<string, unknown>>;
  readonly warnings: readonly string[];
  /** Cost, %SoL, judge inputs checked before the run (prepareRunAnalysis). */
  readonly analysis: RunAnalysis;
}

export async function runOnePoint(input: PointInput): Promise<PointReport> {
  if (input.config.shard === null) return runPointOnce(input);
  // A shard of a sharded run (docs/scale-out.md): its share of the load and of the workload; the
  // coordinator agrees the start, the window and the end with the other shards.
  const shard = input.config.shard;
  const session = await openShardSession(shard);
  try {
    return await runPointOnce(input, {
      session,
      point: sharePoint(input.point, shard.shard),
      workload: shareWorkload(input.workload, shard.shard),
    });
  } catch (error) {
    await session?.fail(error instanceof Error ? error.message : String(error));
    throw error;
  }
}

interface ShardPart {
  readonly session: Awaited<ReturnType<typeof openShardSession>>;
  /** The shard's share of the point and of the workload. */
  readonly point: SweepPoint;
  readonly workload: Workload;
}

async function runPointOnce(input: PointInput, shardPart?: ShardPart): Promise<PointReport> {
  const { config } = input;
  const point = shardPart?.point ?? input.point;
  const workload = shardPart?.workload ?? input.workload;
  const shard = config.shard;
  const session = shardPart?.session ?? null;
  const connections = point.mode === 'closed' ? point.value : (config.maxConcurrency ?? 1024);
  const clientOptions = {
    baseUrl: input.baseUrl,
    endpointType: config.endpointType,
    model: input.modelId,
    ...(input.apiKey ? { apiKey: input.apiKey } : {}),
    connections,
    idleTimeoutMs: config.idleTimeoutS * 1000,
    requestTimeoutMs: config.requestTimeoutS * 1000,
    maxEventBytes: config.maxEventBytes,
    ...(config.cancel.rate > 0
      ? { cancel: { rate: config.cancel.rate, afterMs: config.cancel.afterMs, seed: config.seed } }
      : {}),
  };
  const trace = workload.kind === 'trace' ? traceSettings(config, workload) : null;
  if ((point.mode === 'trace') !== (trace !== null))
    throw new TypeError(`point ${point.label} does not fit a ${workload.kind} workload`);
  const outputTokens = config.maxTokens ?? input.spec.defaultMaxTokens;
  const workers =
    config.workers ??
    defaultWorkerCount(
      point.mode === 'closed'
        ? { concurrency: point.value }
        : // A trace's rate is its own (entries over its span), not the time scale in point.value.
          { rps: trace !== null ? traceRatePerS(trace) : point.value, outputTokens },
    );
  // One thread is the plain client; a pool only when asked for or when the expected rate needs it.
  const pool =
    workers > 1 || (config.workers !== null && workers >= 1)
      ? createWorkerPoolClient({ ...clientOptions, workers })
      : null;
  const client = pool ?? createStreamClient(clientOptions);
  if (pool) await pool.ready; // before the first scheduled send: start-up must not look like lag
  let windowOpened = false;
  const onSnapshot = (snapshot: HarnessSnapshot): void => {
    if (pool && !windowOpened && snapshot.phase === 'measuring') {
      windowOpened = true;
      pool.resetWorkerHealth();
    }
    input.onSnapshot(snapshot);
  };
  const metricsUrl = metricsUrlOf(config.metricsUrl, input.baseUrl);
  let previousReading: ServerMetricsReading | null = null;
  let scrapes = 0;
  const serverMetrics = new ServerMetricsRecorder(metricsUrl, {
    onReading: (reading, pre) => {
      scrapes += 1;
      input.onServer?.(serverLiveFrom(pre, previousReading ?? pre, reading, scrapes));
      previousReading = reading;
    },
  });
  const customDriver = workloadToDriver(workload, {
    timeScale: trace?.timeScale ?? 1,
    ...(point.mode === 'open' ? { sessionRatePerS: point.value } : { concurrency: point.value }),
  });
  // --tokenizer: keep each answer's text so its tokens can be counted both ways (docs/metrics.md).
  const tokenizer = config.tokenizerPath ? await loadTokenizer({ path: config.tokenizerPath }) : null;
  const runWorkload: Workload =
    tokenizer !== null && workload.kind === 'single-turn'
      ? {
          ...workload,
          request: (i: number) => ({ ...workload.request(i), collectText: true }),
        }
      : workload;
  // The envelope's timeline block: t = 0 now, on the clock the point runner and telemetry share.
  const originMs = systemClock.now();
  const timeline = new TimelineBuilder(originMs, TIMELINE_COLUMNS, {
    originEpochMs: systemClock.epochMsOf(originMs),
  });
  let result: PointResult;
  // Shards may share an output folder (one volume): each keeps its own journal.
  const shardTag = shard === null ? '' : `shard${shard.shard.index}of${shard.shard.count}-`;
  const journalPath = journalPathFor(config.outputDir, `${shardTag}${point.label}`);
  const numRequests = shard !== null ? shareRequests(config.numRequests, shard.shard) : config.numRequests;
  try {
    await serverMetrics.start();
    // Every shard starts its warm-up at the same instant.
    if (session !== null) await session.gate('start');
    const common = {
      ...(numRequests !== null ? { numRequests } : {}),
      drainGraceS: config.drainGraceS,
      seed: shard !== null ? shardSeed(config.seed, shard.shard) : config.seed,
      sloTemplate: input.slo,
    };
    result = await runPoint(
      trace !== null
        ? resolvePointConfig({
            // The window covers the trace: no gate, no ramp, warm-up only when asked for.
            mode: 'trace',
            timeScale: trace.timeScale,
            entries: trace.entries,
            spanS: trace.spanS,
            ...(trace.durationS !== undefined ? { durationS: trace.durationS } : {}),
            warmupRequests: trace.warmupRequests,
            gate: { ...config.gate, enabled: false },
            ...common,
          })
        : resolvePointConfig({
            ...(point.mode === 'closed'
              ? { mode: 'closed' as const, concurrency: point.value }
              : {
                  mode: 'open' as const,
                  rps: point.value,
                  arrival: config.arrival,
                  burstiness: config.burstiness,
                  ...(config.maxConcurrency !== null ? { maxConcurrency: config.maxConcurrency } : {}),
                }),
            durationS: config.durationS,
            warmupRequests: config.warmupRequests,
            gate: config.gate,
            rampS: config.rampS,
            ...common,
          }),
      {
        client,
        ...(runWorkload.kind === 'single-turn' ? { workload: runWorkload } : {}),
        ...(customDriver ? { driver: customDriver } : {}),
        onSnapshot,
        journalPath,
        stopSignal: input.stopSignal,
        pointLabel: input.label,
        timeline,
        ...(pool ? { workerLoopDelayP99Ms: () => pool.workerEventLoopDelayP99Ms() } : {}),
        // Every shard opens its window at one agreed instant once it is ready to measure.
        ...(session !== null ? { windowBarrier: () => session.barrier('measure') } : {}),
      },
    );
  } finally {
    await client.close();
  }
  // Every shard has finished its point; then the closing clock exchange (skew over the run). When a
  // peer died, the barrier fails: this shard still writes its own envelope (a merge must then refuse
  // the partial run, naming the missing shard) and fails after that.
  let endFailure: Error | null = null;
  if (session !== null) {
    try {
      await session.barrier('end');
      await session.finish();
    } catch (error) {
      endFailure = error instanceof Error ? error : new Error(String(error));
    }
  }
  const server = await serverMetrics.stop();
  const audit = tokenizer !== null ? await auditOutputTokens(result, tokenizer) : null;
  // bench diff bootstraps from this journal while it is still the one written for this envelope.
  const journal =
    result.journalPath !== null
      ? await describeJournal(result.journalPath, result.window, config.outputDir).catch(() => null)
      : null;
  const telemetrySummary = await input.telemetry.summarizeSettled(result.window.startMs, result.window.endMs);
  const endMs = systemClock.now();
  input.telemetry.timelineInto?.(timeline, originMs, endMs);
  serverMetrics.timelineInto(timeline);
  const timelineBlock = timeline.block({ startMs: result.window.startMs, endMs: result.window.endMs }, endMs);
  const suiteId = `${input.plugin.id}.${input.spec.id}`;
  const tier = 'DRAFT';
  const ceilingWarning = await ceilingCheck(result);
  const unsigned = buildEnvelope(
    {
      suiteId,
      suiteVersion: input.plugin.version,
      model: {
        id: input.modelId,
        provider: input.simulated ? 'sim' : config.engine,
        // Keyed (per-user HMAC): the hash cannot be tested against guessed addresses.
        endpointHash: input.simulated ? ZERO_HASH : endpointHash(input.baseUrl),
      },
      engine: {
        name: input.simulated ? 'sim' : config.engine,
        version: input.engineVersion,
        configHash: input.engineConfigHash,
      },
      quant: config.quant,
      hardwareClass: config.hardware,
      hardwareFingerprint: input.hardwareFingerprint,
      provenance: input.provenance,
      dataset: { id: workload.datasetId, hash: workload.datasetHash },
      seed: config.seed,
      driverOptions: driverOptions(config, point, trace),
      sloTemplate: config.sloTemplate,
      sloResolved: describeSloTemplate(input.slo),
      pointLabel: point.label,
      runContext: {
        tool: { name: 'inferencebench', version: VERSION },
        simulated: input.simulated,
        endpoint_type: config.endpointType,
        workers,
        driver: DRIVER_NAMES[point.mode],
        concurrency: point.mode === 'closed' ? point.value : null,
        rps: point.mode === 'open' ? point.value : null,
        duration_s: trace !== null ? (trace.durationS ?? null) : config.durationS,
        ...(result.trace !== null ? { trace: traceContext(result.trace) } : {}),
        measurement_window_s: result.window.durationS,
        warmup_requests: trace?.warmupRequests ?? config.warmupRequests,
        warm_start: input.label.index > 0,
        tier,
        trials: { count: 1, index: 0, seeds: [config.seed] },
        point_index: input.label.index,
        point_total: input.label.total,
        ...(journal ? { journal } : {}),
        ...(audit
          ? {
              output_token_audit: {
                tokenizer: audit.tokenizer,
                requests: audit.n,
                with_usage: audit.nBoth,
                osl_source: { usage: audit.sourceCounts.usage, tokenizer: audit.sourceCounts.tokenizer },
                tokenizer_total: audit.tokenizerTotal,
                usage_total: audit.usageTotal,
                rel_diff: audit.relDiff,
                over_2pct: audit.overThreshold,
              },
            }
          : {}),
        // Simulated: engine.name says sim; the name the user asked for is kept beside it.
        ...(input.simulated ? { engine_requested: config.engine } : {}),
        ...input.runContext,
      },
      warnings: [
        ...(input.simulated
          ? ['results are simulated: the embedded engine models a GPU; they say nothing about real hardware']
          : []),
        ...input.warnings,
        ...(ceilingWarning ? [ceilingWarning] : []),
        ...(audit?.warning ? [audit.warning] : []),
      ],
    },
    { result, workers },
    {
      window: telemetrySummary,
      idleBaselineW: input.idleBaselineW,
      serverMetrics: { ...server },
      timeline: timelineBlock,
    },
  );
  const analysed = await applyPointAnalysis(unsigned, {
    analysis: input.analysis,
    config,
    spec: input.spec,
    journalPath,
    baseUrl: input.baseUrl,
    metricsUrl,
    apiKey: input.apiKey,
    modelId: input.modelId,
    log: (line) => process.stderr.write(`${line}\n`),
  });
  const toSign =
    shard === null
      ? analysed
      : await shardEnvelopeOf({
          unsigned: analysed,
          config,
          shard,
          session,
          runDriverOptions: driverOptions(config, input.point, trace),
          window: result.window,
          journalPath,
          slo: input.slo,
          bootstrapResamples: result.config.bootstrapResamples,
          sloBasis: point.mode === 'closed' ? 'sent' : 'scheduled',
        });
  const prefix = `${input.filePrefix}${shardTag}${point.prefix}`;
  let envelopePath: string;
  let contentHash: string;
  let unsignedReason: string | null = null;
  let signedText: string | null = null;
  try {
    const signed = await signEnvelope(toSign, input.signing);
    contentHash = signed.contentHash;
    envelopePath = await writeEnvelope(config.outputDir, prefix, signed.envelope);
    signedText = envelopeFileText(signed.envelope);
  } catch (error) {
    // A measurement is never thrown away: when signing fails (an expired token, Fulcio down), the
    // envelope is written unsigned and marked so, and the run exits 1.
    if (!isSigningFailure(error)) throw error;
    unsignedReason = `signing failed: ${error instanceof Error ? error.message : String(error)}`;
    ({ path: envelopePath, contentHash } = await writeUnsignedEnvelope(
      config.outputDir,
      prefix,
      toSign,
      unsignedReason,
    ));
  }
  if (endFailure !== null) throw endFailure;
  if (session !== null && signedText !== null) await session.upload(signedText);
  return {
    unsignedReason,
    suiteId,
    modelId: input.modelId,
    telemetry: telemetrySummary,
    point,
    envelopePath,
    contentHash,
    runId: unsigned.run_id,
    metrics: analysed.metrics,
    ci: pointMetricsV1(result).ci,
    warnings: analysed.warnings,
    tier,
    valid: result.valid,
    incomplete: result.incomplete,
    envelope: analysed,
  };
}

/** Errors of the signing step itself (not a full disk or a bad envelope): keep the data unsigned. */
function isSigningFailure(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^E_(KEYLESS|KEY_)/.test(code);
}

/** Warns when the point drove more than half of the client ceiling measured by `bench doctor --calibrate`. */
async function ceilingCheck(result: PointResult): Promise<string | null> {
  const ceiling = await readCalibration(calibrationPath());
  if (!ceiling) return null;
  const { reqPerSAll, throughputTokPerS } = result.detail;
  const check = checkAgainstCeiling(ceiling, {
    ...(reqPerSAll !== null ? { reqPerS: reqPerSAll } : {}),
    ...(throughputTokPerS !== null ? { tokPerS: throughputTokPerS } : {}),
  });
  return check.status === 'WARN' ? check.detail : null;
}

const DRIVER_NAMES = { closed: 'closed_loop', open: 'open_loop', trace: 'trace' } as const;

/**
 * driver_options: the load point, then every flag-table row with a driver key, then plugin flags.
 * A trace point records what it ran with: no gate, its warm-up, and --duration only as a cap.
 */
function driverOptions(
  config: RunConfig,
  point: SweepPoint,
  trace: TraceSettings | null,
): Record<string, unknown> {
  const table = driverOptionsFromTable(config);
  return {
    mode: DRIVER_NAMES[point.mode],
    concurrency: point.mode === 'closed' ? point.value : null,
    rps: point.mode === 'open' ? point.value : null,
    arrival: point.mode === 'open' ? config.arrival : null,
    burstiness: point.mode === 'open' ? config.burstiness : null,
    ...table,
    ...(trace !== null
      ? {
          duration_s: trace.durationS ?? null,
          warmup_requests: trace.warmupRequests,
          ramp_s: 0,
          gate: { ...(table.gate as object), enabled: false },
        }
      : {}),
    ...Object.fromEntries(
      Object.entries(config.extra).map(([k, v]) => [k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), v]),
    ),
  };
}

/** run_context.trace: the trace, how much of it was sent, and the schedule lag (docs/envelope.md). */
function traceContext(trace: NonNullable<PointResult['trace']>): Record<string, unknown> {
  const lag = trace.scheduleLag;
  return {
    entries: trace.entries,
    sent: lag.n,
    skipped: lag.skipped,
    span_s: trace.spanS,
    time_scale: trace.timeScale,
    offered_rps: trace.offeredRps,
    schedule_lag_ms: { n: lag.n, p50: lag.p50Ms, p99: lag.p99Ms, max: lag.maxMs, mean: lag.meanMs },
  };
}

/** Output tokens of the measured, successful requests counted with --tokenizer vs the server's usage. */
async function auditOutputTokens(result: PointResult, tokenizer: TokenCounter): Promise<OutputTokenAudit> {
  const auditor = new OutputTokenAuditor(tokenizer);
  const take = (r: RequestRecord): void => {
    if (r.errorCode === null && inWindow(r, result.window)) auditor.add(r);
  };
  if (result.journalPath !== null) await forEachJournalRecord(result.journalPath, take);
  return auditor.finish();
}
