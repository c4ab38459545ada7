// `bench replay` and `bench profile`: re-run the benchmark an envelope records against a new endpoint.
import { basename } from 'node:path';
import { contentHashOfLossless, METRIC } from '../../envelope/index.js';
import { loadTrustStore, TRUST_LABELS } from '../../envelope/trust.js';
import { readAndVerifyEnvelope } from '../../envelope/verify.js';
import {
  inferenceBenchResolvedText,
  inferenceBenchThresholds,
} from '../../harness/metrics/slo-inferencebench.js';
import { currentDatasetId } from '../../harness/plugins/llm-inference/specs.js';
import { discoverPlugins } from '../../harness/plugins/index.js';
import { tracePoint } from './trace-point.js';
import { UsageError } from '../errors.js';
import { runPoints } from './execute.js';
import type { PointReport } from './point.js';
import { DEFAULTS, meetsOkRateFloor } from './defaults.js';
import { parseChoice, parseNumber } from './flags.js';
import { closedPoint, defaultRunConfig, normaliseBaseUrl, openPoint, type RunConfig } from './options.js';
import { fmt, textTable } from './report.js';

export interface ReplayFlags {
  readonly baseUrl?: string;
  readonly output: string;
  readonly duration?: string;
  readonly signingMode?: string;
  readonly devKey?: string;
  readonly verify: boolean;
  readonly tui?: boolean;
  readonly json?: boolean;
  readonly gate?: boolean;
  readonly maxTokens?: string;
  readonly datasetPath?: string;
  readonly trustedKey?: string[];
  readonly requireTrusted?: boolean;
  readonly maxFileBytes?: number;
}

export interface ReplayMode {
  readonly kind: 'replay' | 'profile';
  readonly defaultDurationS: number | null;
}

type Json = Record<string, unknown>;

const str = (v: unknown, fallback = ''): string => (typeof v === 'string' ? v : fallback);
const obj = (v: unknown): Json => (v !== null && typeof v === 'object' ? (v as Json) : {});

/** Concurrency the source ran at: driver_options → run_context → the sweep file-name prefix → 1. */
export function recordedPoint(
  envelope: Json,
  path: string,
): { mode: 'closed' | 'open' | 'trace'; value: number; source: string } {
  const driver = obj(envelope.driver_options);
  const context = obj(envelope.run_context);
  if (driver.mode === 'trace') {
    const scale = typeof driver.time_scale === 'number' && driver.time_scale > 0 ? driver.time_scale : 1;
    return { mode: 'trace', value: scale, source: 'driver_options' };
  }
  if (typeof driver.rps === 'number' && driver.rps > 0)
    return { mode: 'open', value: driver.rps, source: 'driver_options' };
  if (typeof driver.concurrency === 'number')
    return { mode: 'closed', value: driver.concurrency, source: 'driver_options' };
  if (typeof context.concurrency === 'number')
    return { mode: 'closed', value: context.concurrency, source: 'run_context' };
  const prefix = /^c(\d+)-[0-9a-f]{12}\.json$/.exec(basename(path));
  if (prefix?.[1]) return { mode: 'closed', value: Number(prefix[1]), source: 'file name' };
  return { mode: 'closed', value: 1, source: 'default' };
}

export async function replayEnvelope(
  sourcePath: string,
  flags: ReplayFlags,
  mode: ReplayMode,
): Promise<number> {
  if (!flags.baseUrl) {
    throw new UsageError(
      `--base-url is required: envelopes do not record endpoints (e.g. bench ${mode.kind} ${sourcePath} --base-url http://localhost:8000/v1)`,
    );
  }
  // One read: the bytes verified are the bytes replayed (a named pipe or a file swapped between
  // two reads cannot run other numbers than those checked).
  const trustStore = await loadTrustStore({ keyPaths: flags.trustedKey ?? [] });
  const { loaded, result: verdict } = await readAndVerifyEnvelope(sourcePath, {
    trustStore,
    ...(flags.maxFileBytes !== undefined ? { maxBytes: flags.maxFileBytes } : {}),
  });
  if (flags.verify || flags.requireTrusted) {
    if (!verdict.ok) {
      process.stderr.write(`FAIL  ${sourcePath}\n  reason: ${verdict.reason ?? 'verification failed'}\n`);
      process.stderr.write(
        `bench: refusing to ${mode.kind} an envelope that does not verify (use --no-verify for local unsigned fixtures)\n`,
      );
      return 1;
    }
    process.stderr.write(`source ${sourcePath}: ${TRUST_LABELS[verdict.trust]}\n`);
  }
  if (flags.requireTrusted && verdict.trust !== 'trusted') {
    process.stderr.write(
      `bench: --require-trusted: ${sourcePath} is ${TRUST_LABELS[verdict.trust]}; add its signer to ${trustStore.dir} or pass --trusted-key\n`,
    );
    return 1;
  }
  const source = loaded.envelope as unknown as Json;
  const suiteId = str(source.suite_id);
  const { plugins } = await discoverPlugins({});
  const plugin = plugins
    .filter((p) => suiteId === p.id || suiteId.startsWith(`${p.id}.`))
    .sort((a, b) => b.id.length - a.id.length)[0];
  const benchId = plugin ? suiteId.slice(plugin.id.length + 1) : '';
  if (!plugin || (benchId && !plugin.benchmarks.some((b) => b.id === benchId))) {
    process.stderr.write(
      `bench: no installed plugin ships benchmark "${suiteId}" (the envelope was made with suite_version ${str(source.suite_version, '?')}); ` +
        `install and pin the plugin version that produced it\n`,
    );
    return 1;
  }
  const point = recordedPoint(source, sourcePath);
  const driver = obj(source.driver_options);
  const recordedDurationS = typeof driver.duration_s === 'number' ? driver.duration_s : null;
  // Recorded values are checked like typed ones: an envelope is input too.
  const durationS = parseNumber(
    'duration',
    flags.duration ?? String(mode.defaultDurationS ?? recordedDurationS ?? DEFAULTS.durationS),
  );
  const maxTokens =
    flags.maxTokens !== undefined && flags.maxTokens !== ''
      ? parseNumber('max-tokens', flags.maxTokens)
      : typeof driver.max_tokens === 'number'
        ? parseNumber('max-tokens', String(driver.max_tokens))
        : null;
  const metrics = obj(source.metrics);
  // The recorded run, as a RunConfig: the defaults, then what the envelope says, then the flags.
  const defaults = defaultRunConfig(suiteId);
  const config: RunConfig = {
    ...defaults,
    model: str(obj(source.model).id),
    engine: str(obj(source.engine).name) || DEFAULTS.engine,
    hardware: str(metrics[METRIC.sloHardwareClass]) || DEFAULTS.hardware,
    quant: str(obj(source.quantization).format) || DEFAULTS.quant,
    points: [
      point.mode === 'closed'
        ? closedPoint(point.value, false)
        : point.mode === 'open'
          ? openPoint(point.value, false)
          : tracePoint(point.value),
    ],
    ...(point.mode === 'trace' ? { extra: { timeScale: point.value } } : {}),
    // A trace replays whole unless a duration caps it (the source's cap, or --duration).
    flagsGiven: flags.duration !== undefined || recordedDurationS !== null ? ['duration'] : [],
    datasetId: str(obj(source.dataset).id) || null,
    datasetPath: flags.datasetPath || null,
    seed: typeof source.seed === 'number' ? parseNumber('seed', String(source.seed)) : DEFAULTS.seed,
    sloTemplate: str(source.slo_template) || DEFAULTS.sloTemplate,
    baseUrl: normaliseBaseUrl(flags.baseUrl),
    outputDir: flags.output,
    durationS,
    maxTokens,
    gate: { ...defaults.gate, enabled: flags.gate !== false },
    signingMode: flags.signingMode
      ? parseChoice<'dev' | 'keyless'>('signing-mode', flags.signingMode)
      : 'dev',
    devKeyPath: flags.devKey || DEFAULTS.devKeyPath,
    tui: flags.tui !== false,
  };
  const shortened = recordedDurationS !== null && config.durationS < recordedDurationS;
  const { reports, aborted } = await runPoints(config, {
    plugins,
    ...(mode.kind === 'profile' ? { filePrefix: 'profile-', gpuIntervalMs: 10, raplIntervalMs: 25 } : {}),
    runContext: {
      [mode.kind]: {
        source_content_hash: contentHashOfLossless(loaded.lossless as object),
        source_run_id: str(source.run_id),
        recorded_duration_s: recordedDurationS,
        duration_s: config.durationS,
        shortened,
        point_source: point.source,
      },
    },
    warnings: [
      ...(shortened
        ? [`${mode.kind} shortened: ${config.durationS} s instead of the recorded ${recordedDurationS} s`]
        : []),
      ...foreignSloWarning(source, config.sloTemplate),
    ],
  });
  const report = reports[0];
  if (!report) return aborted ? 130 : 1;
  if (flags.json) {
    process.stdout.write(
      `${JSON.stringify({ source: sourcePath, [mode.kind]: report.envelopePath, metrics: report.metrics }, null, 2)}\n`,
    );
  } else {
    process.stdout.write(`${summaryTables(mode, sourcePath, source, report, config)}\n`);
  }
  const mismatch = datasetMismatch(source, report);
  if (mismatch !== null) process.stderr.write(`${mismatch}\n`);
  if (aborted) return 130;
  return meetsOkRateFloor(report.metrics[METRIC.okRate]) ? 0 : 1;
}

/**
 * A source written by the Python InferenceBench names its own template: the same id means other
 * thresholds there, so the replay says it judges with ours (docs/envelope.md, "SLO templates").
 */
function foreignSloWarning(source: Json, sloTemplate: string): string[] {
  if (str(obj(obj(source.run_context).tool).name) === 'inferencebench') return []; // ours
  const recorded = str(obj(source.metrics)[METRIC.sloTemplateResolved]);
  const limits = inferenceBenchThresholds(
    sloTemplate,
    str(obj(source.metrics)[METRIC.sloHardwareClass]) || 'h100',
  );
  const theirs = recorded || (limits ? inferenceBenchResolvedText(limits) : 'thresholds we do not know');
  return [
    `the source is an InferenceBench envelope: its ${sloTemplate} means ${theirs} there; this run judges with ours, so compliance and goodput are not comparable with the source`,
  ];
}

const short = (hash: string): string => (hash.length > 12 ? hash.slice(0, 12) : hash || '?');

/** A replay that sent other requests than its source says so (the tables show `no` too). */
function datasetMismatch(source: Json, report: PointReport): string | null {
  const a = obj(source.dataset);
  const b = obj((report.envelope as Json).dataset);
  if (str(a.hash) === str(b.hash)) return null;
  return (
    `bench: warning: the replay sent dataset ${str(b.id, '?')} (hash ${short(str(b.hash))}), not the source's ` +
    `${str(a.id, '?')} (hash ${short(str(a.hash))}): its requests differ from the source's (a trace, ShareGPT or custom ` +
    "file: pass the source's file with --dataset-path)"
  );
}

function match(a: string, b: string): string {
  return a === b ? 'yes' : 'no';
}

export function summaryTables(
  mode: ReplayMode,
  sourcePath: string,
  source: Json,
  report: PointReport,
  config: RunConfig,
): string {
  const title = mode.kind === 'replay' ? 'Replay' : 'Profile';
  const replayDataset = obj((report.envelope as Json).dataset);
  const sourceModel = str(obj(source.model).id);
  const sourceDataset = str(obj(source.dataset).id);
  const fields: [string, string, string][] = [
    ['suite_id', str(source.suite_id), report.suiteId],
    ['model.id', sourceModel, report.modelId],
    ['engine.name', str(obj(source.engine).name), config.engine],
    ...(mode.kind === 'profile'
      ? ([['quantization', str(obj(source.quantization).format), config.quant]] as [string, string, string][])
      : []),
    // the dataset this run used (its envelope's): an old or foreign id (builtin-chatbot-short) runs
    // ours under our id; equal hashes mean the same requests were sent
    [
      'dataset.id',
      sourceDataset,
      str(replayDataset.id) || currentDatasetId(config.datasetId ?? sourceDataset),
    ],
    ['dataset.hash', short(str(obj(source.dataset).hash)), short(str(replayDataset.hash))],
    ['seed', String(source.seed), String(config.seed)],
  ];
  const rows = fields.map(([f, a, b]) => [f, a, b, match(a, b)]);
  if (mode.kind === 'profile') rows.unshift(['envelope', sourcePath, basename(report.envelopePath), 'no']);
  const sm = obj(source.metrics);
  const metric = (k: string, digits = 2): string[] => {
    const a = sm[k];
    const b = report.metrics[k];
    const show = (v: unknown): string =>
      typeof v === 'number' ? (k === 'ok_rate' ? v.toFixed(3) : fmt(v, digits)) : 'n/a';
    return [k, show(a), show(b)];
  };
  const headline = [
    metric('throughput_tok_per_s'),
    metric('ttft_p50_ms'),
    metric('ok_rate'),
    metric('joules_per_token', 3),
  ];
  const out = [
    `${title} summary`,
    textTable(['field', 'source', mode.kind, 'match'], rows),
    '',
    `Headline metrics (source vs ${mode.kind})`,
    textTable(['metric', 'source', mode.kind], headline),
  ];
  if (mode.kind === 'profile') out.push('', 'Profiling breakdown', profilingBreakdown(report));
  out.push(
    '',
    `${title} envelope: ${report.envelopePath}`,
    'Use bench compare or bench diff for the full Pareto / regression view.',
  );
  return out.join('\n');
}

export function profilingBreakdown(report: PointReport): string {
  const t = report.telemetry;
  const rows: string[][] = [];
  if (t.gpu.available) {
    const hostPct = 100 - t.gpu.utilGpuAvgPct;
    rows.push([
      '% time on host',
      `${hostPct.toFixed(2)}%`,
      `100 - avg GPU util (${t.gpu.utilGpuAvgPct.toFixed(2)}%)`,
    ]);
  } else {
    rows.push(['% time on host', 'n/a', `not available: ${t.gpu.reason}`]);
  }
  if (t.gpu.available && t.rapl.available) {
    const cpuJ = t.rapl.packageJoules + (t.rapl.dramJoules ?? 0);
    rows.push([
      'Energy GPU vs CPU+DRAM',
      (t.gpu.energyJoulesTotal / Math.max(cpuJ, 1e-9)).toFixed(3),
      `${(t.gpu.energyJoulesTotal / 1000).toFixed(2)} kJ / ${(cpuJ / 1000).toFixed(2)} kJ`,
    ]);
  } else {
    const gpuPart = t.gpu.available ? `${(t.gpu.energyJoulesTotal / 1000).toFixed(2)} kJ GPU` : 'GPU n/a';
    const reason = t.rapl.available ? '' : `; CPU+DRAM not available: ${t.rapl.reason}`;
    rows.push(['Energy GPU vs CPU+DRAM', 'n/a', `${gpuPart}${reason}`]);
  }
  rows.push(
    t.gpu.available && t.gpu.powerUnderLoadAvgW !== null
      ? ['Avg power under load', `${t.gpu.powerUnderLoadAvgW.toFixed(1)} W`, 'samples where util_gpu > 50%']
      : ['Avg power under load', 'n/a', 'no samples with util_gpu > 50%'],
  );
  rows.push(
    t.gpu.available
      ? [
          'NVML sample count',
          String(t.gpu.sampleCount),
          `interval=${Number(t.gpu.intervalMs.toFixed(2))} ms (source: ${t.source})`,
        ]
      : ['NVML sample count', '0', `not available: ${t.gpu.reason}`],
  );
  rows.push(
    t.rapl.available
      ? [
          'RAPL sample count',
          String(t.rapl.sampleCount),
          `interval=${Number(t.rapl.intervalMs.toFixed(2))} ms`,
        ]
      : ['RAPL sample count', '0', `not available: ${t.rapl.reason}`],
  );
  return textTable(['metric', 'value', 'note'], rows);
}
