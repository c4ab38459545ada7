// The composition root of `bench run`: plugin → endpoint (embedded engine or --base-url) → telemetry →
// one measured point after another → envelope → sign → write → report.
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEngine } from '../../engine/index.js';
import type { EngineHandle } from '../../engine/types.js';
import { fingerprintSha256, METRIC, sha256Hex, ZERO_HASH } from '../../envelope/index.js';
import {
  queueDelayMaterial,
  resolveSloTemplate,
  sloTemplateForHardware,
  type SloTemplate,
} from '../../harness/index.js';
import { discoverPlugins, resolveSuite, assertValid } from '../../harness/plugins/index.js';
import type { BenchmarkSpec, BenchPlugin } from '../../harness/plugins/types.js';
import {
  collectFingerprintParts,
  collectProvenance,
  measureIdleBaseline,
  probeEngineIdentity,
  probeEngineVersion,
  startTelemetry,
  type IdleBaseline,
  type TelemetrySession,
} from '../../telemetry/index.js';
import { bundledLockfileSha256 } from '../build-info.js';
import { UsageError } from '../errors.js';
import { VERSION } from '../version.js';

import {
  DEFAULTS,
  meetsOkRateFloor,
  metricsUrlOf,
  okRateFloorFailure,
  signingOptionsOf,
} from './defaults.js';
import { checkEndpoint, prepareOutputDir, preflightSigning } from './preflight.js';
import { USER_STOP_DRAIN_S } from '../../harness/run/point.js';
import { createPresenter, useLiveConsole, type Presenter } from './presenter.js';
import type { RunConfig, SweepPoint } from './options.js';
import { timeScaleOf, traceIgnoredFlags, tracePoint } from './trace-point.js';
import { resultBlock, sweepTable, type SweepRow } from './report.js';
import {
  judgeFlagWarnings,
  prepareRunAnalysis,
  renderRunAnalysis,
  solCellOf,
} from '../analysis/run-setup.js';
import { runOnePoint, type PointReport } from './point.js';
import { runTrials } from './trials.js';

export interface ExecuteContext {
  /** The CLI arguments as typed (trials re-run them in fresh processes). */
  readonly argv: readonly string[];
  /** Called with the envelope files this run wrote (`--report html` renders them; run ≠ report). */
  readonly onEnvelopes?: (paths: readonly string[]) => Promise<void>;
}

export interface PointsOptions {
  /** Added before every envelope's file-name prefix (profile: "profile-"). */
  readonly filePrefix?: string;
  readonly gpuIntervalMs?: number;
  readonly raplIntervalMs?: number;
  /** Merged into every envelope's run_context (replay/profile record their source). */
  readonly runContext?: Readonly<Record<string, unknown>>;
  readonly warnings?: readonly string[];
  /** Plugins already discovered by the caller (discovery runs once per run). */
  readonly plugins?: readonly BenchPlugin[];
}

export interface PointsOutcome {
  readonly reports: readonly PointReport[];
  readonly aborted: boolean;
}

/** Headless stop: say what happens and count the (capped) drain down, once a second. */
function startStopCountdown(): void {
  let left = USER_STOP_DRAIN_S;
  process.stderr.write(
    `stopping: in-flight requests drain for at most ${left} s, then an incomplete envelope is written (Ctrl-C again to exit now)\n`,
  );
  const timer = setInterval(() => {
    left -= 1;
    if (left <= 0) clearInterval(timer);
    else process.stderr.write(`stopping: ${left} s left to drain\n`);
  }, 1000);
  timer.unref();
}

export async function executeRun(config: RunConfig, context: ExecuteContext): Promise<number> {
  const plugins = await discoverOnce();
  resolveSuite(plugins, config.suiteId);
  if (config.detach) {
    const { startDetached } = await import('./detach.js');
    return startDetached(config, context.argv);
  }
  if (config.trials > 1) return runTrials(config, context.argv, context.onEnvelopes);
  const { reports, aborted } = await runPoints(config, { plugins });
  printResults(config, reports);
  if (reports.length > 0) await context.onEnvelopes?.(reports.map((r) => r.envelopePath));
  if (aborted) return 130;
  const unsignedReports = reports.filter((r) => r.unsignedReason !== null);
  for (const r of unsignedReports)
    process.stderr.write(`bench: ${r.envelopePath} written UNSIGNED (${r.unsignedReason ?? ''})\n`);
  const failing = reports.filter((r) => !meetsOkRateFloor(r.metrics[METRIC.okRate]));
  if (failing.length > 0) process.stderr.write(`bench: exit 1: ${okRateFloorFailure(failing)}\n`);
  return unsignedReports.length > 0 || failing.length > 0 ? 1 : 0;
}

/** Discovers the installed plugins (reporting the ones that fail to load). Once per run. */
export async function discoverOnce(): Promise<readonly BenchPlugin[]> {
  const { plugins, failures } = await discoverPlugins({});
  for (const failure of failures)
    process.stderr.write(`bench: plugin at ${failure.path} failed to load: ${failure.reason}\n`);
  return plugins;
}

/** Runs every point of the config (× every benchmark with --all-benchmarks) and writes one envelope each. */
export async function runPoints(config: RunConfig, options: PointsOptions = {}): Promise<PointsOutcome> {
  const { plugin, spec } = resolveSuite(options.plugins ?? (await discoverOnce()), config.suiteId);
  const specs = config.allBenchmarks ? plugin.benchmarks : [spec];
  const signing = signingOptionsOf(config);
  // Everything that can be wrong with the user's input is checked before the first request.
  await preflightSigning(signing);
  await prepareOutputDir(config.outputDir);
  if (config.isSweep && spec.kind === 'trace')
    throw new UsageError(
      `${config.suiteId} replays a timestamped trace: --sweep and --rps-sweep do not apply (use --time-scale to change its speed)`,
      'E_TRACE_SWEEP',
    );
  const contexts = specs.map((s) => ({ spec: s, context: pluginContext(config, s) }));
  const validationWarnings: string[] = [];
  for (const { spec: s, context: ctx } of contexts) {
    const validation = plugin.validate(s, ctx);
    assertValid(validation, config.strict);
    for (const warning of validation.warnings) {
      process.stderr.write(`bench: warning: ${plugin.id}.${s.id}: ${warning}\n`);
      validationWarnings.push(`${plugin.id}.${s.id}: ${warning}`);
    }
  }
  const slo = runSloTemplate(config);
  // A missing or malformed --prices-file / --ceilings exits 2 here, before any request.
  const analysis = prepareRunAnalysis(config);
  for (const { spec: s } of contexts) {
    for (const warning of judgeFlagWarnings(s, `${plugin.id}.${s.id}`, config)) {
      process.stderr.write(`bench: warning: ${warning}\n`);
      validationWarnings.push(`${plugin.id}.${s.id}: ${warning}`);
    }
  }

  // A --base-url endpoint is input too: checked before anything is shown or written.
  const endpointModel =
    config.baseUrl === null ? null : await checkEndpoint(config.baseUrl, config.model, apiKey(config));

  let engine: EngineHandle | null = null;
  let telemetry: TelemetrySession | null = null;
  let presenter: Presenter | null = null;
  const stop = new AbortController();
  let interrupts = 0;
  const onSignal = (): void => {
    interrupts += 1;
    if (interrupts > 1) process.exit(130);
    stop.abort();
    if (!useLiveConsole(config)) startStopCountdown();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const suiteLabel = specs.length === 1 ? `${plugin.id}.${specs[0]?.id ?? ''}` : plugin.id;
  try {
    // The console (or the headless [setup] line) comes first, so something shows at once; set-up
    // (engine or endpoint check, telemetry, fingerprint, idle baseline) takes a second or more.
    presenter = await createPresenter(
      config,
      {
        suite: suiteLabel,
        model: endpointModel ?? (config.model || DEFAULTS.embeddedModel),
        engine: config.baseUrl === null ? 'sim (embedded)' : config.engine,
        endpointHost: config.baseUrl === null ? 'embedded' : new URL(config.baseUrl).host,
        simulated: config.baseUrl === null,
        onStopRequest: () => stop.abort(),
      },
      config.baseUrl === null ? 'embedded engine, telemetry, idle baseline …' : 'telemetry, idle baseline …',
    );
    let baseUrl = config.baseUrl;
    let modelId = config.model;
    if (baseUrl === null) {
      engine = await startEngine({
        seed: config.seed,
        model: config.model || DEFAULTS.embeddedModel,
        hardware: config.hardware,
        quant: config.quant,
        timing: config.simTiming,
        faults:
          config.simFaultRate > 0
            ? {
                http500: config.simFaultRate / 4,
                http429: config.simFaultRate / 4,
                reset: config.simFaultRate / 4,
                malformed: config.simFaultRate / 4,
              }
            : {},
      });
      baseUrl = engine.baseUrl;
      modelId = engine.modelId;
    } else {
      modelId = endpointModel ?? modelId;
    }
    // `bench engine serve` behind --base-url names itself (x-inferencebench-engine, /version).
    const identity = engine === null ? await probeEngineIdentity(baseUrl) : null;
    const simulated = engine !== null || identity?.simulated === true;
    const simWarnings: string[] = [];
    if (identity?.simulated) {
      simWarnings.push(
        'the endpoint identified itself as the simulated engine' +
          `${identity.engineId ? ` (x-inferencebench-engine: ${identity.engineId})` : ' (/version)'}: results are simulated`,
      );
    }
    if (simulated && config.engine !== DEFAULTS.engine && config.engine !== 'sim') {
      simWarnings.push(
        `--engine ${config.engine} names a real engine, but the endpoint is the simulated engine: ` +
          `engine.name is recorded as sim, run_context.engine_requested as ${config.engine}`,
      );
    }
    simWarnings.push(...(config.flagWarnings ?? []));
    for (const { spec: s } of contexts)
      if (s.kind === 'trace') simWarnings.push(...traceIgnoredFlags(config, `${plugin.id}.${s.id}`));
    if (config.concurrencyGiven)
      for (const { spec: s } of contexts)
        if (s.driver === 'open_loop' && s.kind !== 'trace')
          simWarnings.push(
            `--concurrency turns ${plugin.id}.${s.id}, an open-loop benchmark, into a closed loop: ` +
              'its arrival process is not used (pass --rps for open loop)',
          );
    for (const w of simWarnings) process.stderr.write(`bench: warning: ${w}\n`);
    const metricsUrl = metricsUrlOf(config.metricsUrl, baseUrl);
    telemetry = await startTelemetry({
      gpuIntervalMs: options.gpuIntervalMs ?? 100,
      raplIntervalMs: options.raplIntervalMs ?? 100,
      // The simulated engine's DCGM series are simulated, wherever it runs (source 'engine').
      ...(config.dcgmUrl
        ? { dcgmUrl: config.dcgmUrl, dcgmSource: 'dcgm' as const }
        : simulated
          ? { dcgmUrl: metricsUrl, dcgmSource: 'engine' as const }
          : {}),
    });
    const [fingerprintParts, provenance, engineVersion] = await Promise.all([
      collectFingerprintParts(),
      collectProvenance({ cwd: process.cwd(), ...lockfileFacts() }),
      engine !== null
        ? Promise.resolve(VERSION)
        : probeEngineVersion(baseUrl).then((v) => v.version ?? 'unknown'),
    ]);
    const hardwareFingerprint = {
      fingerprint_sha256: fingerprintSha256(fingerprintParts),
      ...fingerprintParts,
    };
    const idle = await measureIdleBaseline(telemetry, simulated ? 0.5 : 2);
    const idleBaselineW = idle.available ? idle.powerAvgW : null;
    const busyIdle = idleBaselineWarning(idle);
    if (busyIdle) {
      process.stderr.write(`bench: warning: ${busyIdle}\n`);
      validationWarnings.push(busyIdle);
    }

    presenter.ready({
      suite: suiteLabel,
      model: modelId,
      engine: engine !== null ? 'sim (embedded)' : simulated ? 'sim (remote)' : config.engine,
      endpointHost: new URL(baseUrl).host,
      simulated,
    });
    const telemetryTimer = setInterval(() => {
      if (telemetry) presenter?.telemetry(telemetry.snapshot());
    }, 500);
    telemetryTimer.unref();

    const reports: PointReport[] = [];
    const total = contexts.reduce((n, { spec: s }) => n + pointsOf(config, s).length, 0);
    try {
      for (const { spec: s, context: ctx } of contexts) {
        const workload = await plugin.loadWorkload(s, ctx);
        for (const point of pointsOf(config, s)) {
          if (stop.signal.aborted) break;
          const report = await runOnePoint({
            config,
            plugin,
            spec: s,
            workload,
            point,
            label: { index: reports.length, total, label: point.label },
            baseUrl,
            modelId,
            simulated,
            engineVersion,
            engineConfigHash: simulated
              ? sha256Hex(JSON.stringify([config.hardware, config.quant, config.simTiming, config.seed]))
              : ZERO_HASH,
            hardwareFingerprint,
            provenance,
            idleBaselineW,
            telemetry,
            slo,
            signing,
            apiKey: apiKey(config),
            stopSignal: stop.signal,
            onSnapshot: (snapshot) => presenter?.harness(snapshot),
            onServer: (view) => presenter?.server(view),
            filePrefix: options.filePrefix ?? '',
            runContext: options.runContext ?? {},
            analysis,
            warnings: [
              ...simWarnings,
              ...(options.warnings ?? []),
              ...validationWarnings.filter((w) => w.startsWith(`${plugin.id}.${s.id}: `) || w === busyIdle),
            ],
          });
          reports.push(report);
          presenter.pointDone(rowOf(report), report.telemetry);
        }
      }
    } finally {
      clearInterval(telemetryTimer);
    }
    await presenter.close();
    presenter = null;
    return { reports, aborted: stop.signal.aborted };
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await presenter?.close();
    await telemetry?.stop();
    await engine?.close();
  }
}

/** The load points of one benchmark: a timestamped trace is its own single point. */
function pointsOf(config: RunConfig, spec: BenchmarkSpec): readonly SweepPoint[] {
  return spec.kind === 'trace' ? [tracePoint(timeScaleOf(config))] : config.points;
}

/**
 * The thresholds a run is judged by and records (slo_template_resolved): the template, scaled by
 * the --hardware class multiplier (H100 anchor ×1; e.g. a100 ×1.4), as --help and docs promise.
 */
export function runSloTemplate(config: Pick<RunConfig, 'sloTemplate' | 'hardware'>): SloTemplate {
  return sloTemplateForHardware(resolveSloTemplate(config.sloTemplate), config.hardware);
}

/** GPU utilisation above this during the idle baseline means the GPU was not idle. */
const IDLE_UTIL_MAX_PCT = 10;

export function idleBaselineWarning(idle: IdleBaseline): string | null {
  if (!idle.available || idle.utilGpuAvgPct <= IDLE_UTIL_MAX_PCT) return null;
  return (
    `idle baseline (${idle.powerAvgW.toFixed(1)} W) was measured while the GPU was busy ` +
    `(util ${idle.utilGpuAvgPct.toFixed(0)}%): another process is using it, and power/energy include its load`
  );
}

/**
 * The tool's own lockfile, whose hash is the envelope's pip_freeze_hash analogue: the bundle carries
 * the hash of the lockfile it was built from (an installed package ships none); the sources read
 * the package-lock.json of their checkout.
 */
function lockfileFacts(): { lockfileSha256: string } | { lockfilePath: string } {
  const bundled = bundledLockfileSha256();
  if (bundled !== undefined) return { lockfileSha256: bundled };
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package-lock.json'))) return { lockfilePath: join(dir, 'package-lock.json') };
    dir = dirname(dir);
  }
  return { lockfilePath: join(process.cwd(), 'package-lock.json') };
}

function apiKey(config: RunConfig): string | undefined {
  return process.env[config.apiKeyEnv] || undefined;
}

function pluginContext(config: RunConfig, spec: BenchmarkSpec) {
  return {
    seed: config.seed,
    model: config.model,
    engine: config.engine,
    endpointType: config.endpointType,
    ...(config.datasetId ? { datasetId: config.datasetId } : {}),
    ...(config.datasetPath ? { datasetPath: config.datasetPath } : {}),
    ...(config.tokenizerPath ? { tokenizerPath: config.tokenizerPath } : {}),
    maxTokens: config.maxTokens ?? spec.defaultMaxTokens,
    extra: config.extra,
  };
}

function rowOf(report: PointReport): SweepRow {
  const num = (key: string): number | null => {
    const v = report.metrics[key];
    return typeof v === 'number' ? v : null;
  };
  const material = queueDelayMaterial(num('client_queue_delay_p99_ms'), num('ttft_p99_ms'));
  return {
    point: report.point.label,
    throughputTokPerS: num('throughput_tok_per_s'),
    ttftP50Ms: num('ttft_p50_ms'),
    ...(material ? { ttftSchedP50Ms: num('ttft_sched_p50_ms') } : {}),
    tpotP50Ms: num('tpot_p50_ms'),
    okRate: num('ok_rate'),
    joulesPerToken: num('joules_per_token'),
    envelope: basename(report.envelopePath),
    sol: solCellOf(report.envelope),
  };
}

function printResults(config: RunConfig, reports: readonly PointReport[]): void {
  if (config.json) {
    const out = reports.map((r) => ({
      suite_id: r.suiteId,
      point: r.point.label,
      envelope: r.envelopePath,
      content_hash: r.contentHash,
      run_id: r.runId,
      tier: r.tier,
      valid: r.valid,
      incomplete: r.incomplete,
      metrics: r.metrics,
      metric_ci: r.ci,
      warnings: r.warnings,
    }));
    process.stdout.write(
      `${JSON.stringify(config.isSweep || out.length > 1 ? { points: out } : out[0], null, 2)}\n`,
    );
    return;
  }
  if (config.isSweep) {
    for (const suite of new Set(reports.map((r) => r.suiteId))) {
      const rows = reports.filter((r) => r.suiteId === suite).map(rowOf);
      process.stdout.write(
        `${suite}\n${sweepTable(config.points[0]?.mode === 'open' ? 'open' : 'closed', rows)}\n`,
      );
    }
    process.stdout.write(`\n${renderRunAnalysis(reports.map(pointOutput), config)}\n\n`);
    process.stdout.write(`One signed envelope per point under ${config.outputDir}\n`);
    return;
  }
  for (const r of reports) {
    process.stdout.write(
      `${resultBlock({
        runId: r.runId,
        suiteId: r.suiteId,
        model: r.modelId,
        quant: config.quant,
        hardware: config.hardware,
        engine: config.baseUrl === null ? 'sim (embedded)' : config.engine,
        metrics: r.metrics,
        ci: r.ci,
        warnings: r.warnings,
        envelopePath: r.envelopePath,
        tier: r.tier,
        trace: traceContextOf(r.envelope),
      })}\n`,
    );
    process.stdout.write(`${renderRunAnalysis([pointOutput(r)], config)}\n`);
  }
}

function traceContextOf(envelope: object): Record<string, unknown> | null {
  const trace = (envelope as { run_context?: { trace?: unknown } }).run_context?.trace;
  return trace !== null && typeof trace === 'object' ? (trace as Record<string, unknown>) : null;
}

function pointOutput(r: PointReport): { label: string; path: string; envelope: object } {
  return { label: r.point.label, path: r.envelopePath, envelope: r.envelope };
}
