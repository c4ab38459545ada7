// One measured point: run it through the harness, summarise telemetry and server metrics, build,
// sign and write its envelope.
import {
  buildEnvelope,
  endpointHash,
  pointMetricsV1,
  signEnvelope,
  writeEnvelope,
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
  type PointResult,
  type SloTemplate,
} from '../../harness/index.js';
import { createWorkerPoolClient, defaultWorkerCount } from '../../harness/client/worker-pool.js';
import { workloadToDriver } from '../../harness/plugins/index.js';
import type { BenchmarkSpec, BenchPlugin, Workload } from '../../harness/plugins/types.js';
import type { SingleTurnWorkload } from '../../harness/plugins/types.js';
import {
  loadTokenizer,
  OutputTokenAuditor,
  type OutputTokenAudit,
  type TokenCounter,
} from '../../harness/tokenizer/index.js';
import type { HarnessSnapshot, RequestRecord } from '../../harness/types.js';
import type { TelemetryWindowSummary } from '../../telemetry/types.js';
import { ServerMetricsRecorder, type TelemetrySession } from '../../telemetry/index.js';
import { calibrationPath, checkAgainstCeiling, readCalibration } from '../report/doctor/calibration.js';
import { VERSION } from '../version.js';
import { metricsUrlOf } from './defaults.js';
import { driverOptionsFromTable } from './flags.js';
import type { RunConfig, SweepPoint } from './options.js';

export interface PointReport {
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
  readonly filePrefix: string;
  readonly runContext: Readonly<Record<string, unknown>>;
  readonly warnings: readonly string[];
}

export async function runOnePoint(input: PointInput): Promise<PointReport> {
  const { config, point } = input;
  const connections = point.mode === 'closed' ? point.value : (config.maxConcurrency ?? 1024);
  const clientOptions = {
    baseUrl: input.baseUrl,
    endpointType: config.endpointType,
    model: input.modelId,
    ...(input.apiKey ? { apiKey: input.apiKey } : {}),
    connections,
    idleTimeoutMs: config.idleTimeoutS * 1000,
    requestTimeoutMs: config.requestTimeoutS * 1000,
  };
  const workers =
    config.workers ??
    defaultWorkerCount(
      point.mode === 'closed'
        ? { concurrency: point.value }
        : { rps: point.value, outputTokens: config.maxTokens ?? input.spec.defaultMaxTokens },
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
  const serverMetrics = new ServerMetricsRecorder(metricsUrlOf(config.metricsUrl, input.baseUrl));
  const customDriver = workloadToDriver(input.workload, {
    timeScale: Number(config.extra.timeScale ?? 1),
    ...(point.mode === 'open' ? { sessionRatePerS: point.value } : { concurrency: point.value }),
  });
  // --tokenizer: keep each answer's text so its tokens can be counted both ways (docs/metrics.md).
  const tokenizer = config.tokenizerPath ? await loadTokenizer({ path: config.tokenizerPath }) : null;
  const workload =
    tokenizer !== null && input.workload.kind === 'single-turn'
      ? {
          ...input.workload,
          request: (i: number) => ({
            ...(input.workload as SingleTurnWorkload).request(i),
            collectText: true,
          }),
        }
      : input.workload;
  let result: PointResult;
  try {
    await serverMetrics.start();
    result = await runPoint(
      resolvePointConfig({
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
        ...(config.numRequests !== null ? { numRequests: config.numRequests } : {}),
        warmupRequests: config.warmupRequests,
        gate: config.gate,
        rampS: config.rampS,
        drainGraceS: config.drainGraceS,
        seed: config.seed,
        sloTemplate: input.slo,
      }),
      {
        client,
        ...(workload.kind === 'single-turn' ? { workload } : {}),
        ...(customDriver ? { driver: customDriver } : {}),
        onSnapshot,
        journalPath: `${config.outputDir}/.bench-journal-${point.label}.jsonl`,
        stopSignal: input.stopSignal,
        pointLabel: input.label,
        ...(pool ? { workerLoopDelayP99Ms: () => pool.workerEventLoopDelayP99Ms() } : {}),
      },
    );
  } finally {
    await client.close();
  }
  const server = await serverMetrics.stop();
  const audit = tokenizer !== null ? await auditOutputTokens(result, tokenizer) : null;
  // bench diff bootstraps from this journal while it is still the one written for this envelope.
  const journal =
    result.journalPath !== null
      ? await describeJournal(result.journalPath, result.window).catch(() => null)
      : null;
  const telemetrySummary = await input.telemetry.summarizeSettled(result.window.startMs, result.window.endMs);
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
      dataset: { id: input.workload.datasetId, hash: input.workload.datasetHash },
      seed: config.seed,
      driverOptions: driverOptions(config, point),
      sloTemplate: config.sloTemplate,
      sloResolved: describeSloTemplate(input.slo),
      pointLabel: point.label,
      runContext: {
        tool: { name: 'inferencebench', version: VERSION },
        simulated: input.simulated,
        endpoint_type: config.endpointType,
        workers,
        driver: point.mode === 'closed' ? 'closed_loop' : 'open_loop',
        concurrency: point.mode === 'closed' ? point.value : null,
        rps: point.mode === 'open' ? point.value : null,
        duration_s: config.durationS,
        measurement_window_s: result.window.durationS,
        warmup_requests: config.warmupRequests,
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
    { window: telemetrySummary, idleBaselineW: input.idleBaselineW, serverMetrics: { ...server } },
  );
  const { envelope, contentHash } = await signEnvelope(unsigned, input.signing);
  const envelopePath = await writeEnvelope(config.outputDir, `${input.filePrefix}${point.prefix}`, envelope);
  return {
    suiteId,
    modelId: input.modelId,
    telemetry: telemetrySummary,
    point,
    envelopePath,
    contentHash,
    runId: unsigned.run_id,
    metrics: unsigned.metrics,
    ci: pointMetricsV1(result).ci,
    warnings: unsigned.warnings,
    tier,
    valid: result.valid,
    incomplete: result.incomplete,
  };
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

/** driver_options: the load point, then every flag-table row with a driver key, then plugin flags. */
function driverOptions(config: RunConfig, point: SweepPoint): Record<string, unknown> {
  return {
    mode: point.mode === 'closed' ? 'closed_loop' : 'open_loop',
    concurrency: point.mode === 'closed' ? point.value : null,
    rps: point.mode === 'open' ? point.value : null,
    arrival: point.mode === 'open' ? config.arrival : null,
    burstiness: point.mode === 'open' ? config.burstiness : null,
    ...driverOptionsFromTable(config),
    ...Object.fromEntries(
      Object.entries(config.extra).map(([k, v]) => [k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), v]),
    ),
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
