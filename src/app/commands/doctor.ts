// bench doctor [--strict] [--show-slo] [--base-url URL] [--calibrate] [--concurrency N]
// Gathers host facts (NVML through src/telemetry, /proc and /sys, the endpoint) and judges them.
import { readFile } from 'node:fs/promises';
import { InvalidArgumentError, type Command } from 'commander';
import { openNvml, queryGpuHealth } from '../../telemetry/index.js';
import { renderTable } from '../report/format.js';
import { redactText } from '../redact.js';
import {
  calibrationPath,
  readCalibration,
  writeCalibration,
  type CalibrationFile,
  type ClientCeiling,
} from '../run/calibration.js';
import { doctorVerdict, evaluateDoctor, type CheckResult } from '../report/doctor/checks.js';
import type { GpuFact, GpuFacts, HostFacts } from '../report/doctor/facts.js';
import {
  probeEndpoint,
  readCpuGovernors,
  readOpenFileLimit,
  readPortRange,
  readSwap,
} from '../report/doctor/gather.js';
import {
  HARDWARE_CLASSES,
  SLO_TEMPLATES,
  detectHardwareClass,
  scaleSlo,
  sloResolvedText,
  type SloLimit,
} from '../report/doctor/slo.js';
import { resolveSloTemplate } from '../../harness/index.js';
import { UsageError } from '../errors.js';
import type { CommandOutput } from './compare.js';
import { CodedError, type ErrorCode } from '../../lib/errors.js';
import { interopSloNotes, theirsOnlyTemplateNote } from '../report/doctor/slo-notes.js';

interface DoctorFlags {
  strict?: boolean;
  showSlo?: boolean;
  baseUrl?: string;
  calibrate?: boolean;
  concurrency: number;
  sloTemplate: string;
  json?: boolean;
}

/** Measures this host's client ceiling against the embedded engine. Installed by the composition root. */
export type CeilingMeasurer = (onProgress: (line: string) => void) => Promise<ClientCeiling>;

let ceilingMeasurer: CeilingMeasurer | undefined;

/** Hook for `--calibrate`: the run plumbing registers the real measurement here. */
export function setCeilingMeasurer(measure: CeilingMeasurer | undefined): void {
  ceilingMeasurer = measure;
}

export class CalibrationUnavailableError extends CodedError {
  override name = 'CalibrationUnavailableError';
  constructor(
    message = 'client-ceiling measurement is not available in this build (no measurer registered)',
    code: ErrorCode = 'E_CALIBRATE_UNAVAILABLE',
    exitCode = 1,
  ) {
    super(message, code, exitCode);
  }
}

async function processName(pid: number): Promise<string | undefined> {
  try {
    return (await readFile(`/proc/${pid}/comm`, 'utf8')).trim() || undefined;
  } catch {
    return undefined;
  }
}

export async function gatherGpuFacts(libPath?: string): Promise<GpuFacts> {
  const nvml = openNvml(libPath);
  if (!nvml.available) return { available: false, reason: nvml.reason };
  try {
    const gpus: GpuFact[] = [];
    for (const h of queryGpuHealth(nvml)) {
      const device = nvml.devices[h.index];
      if ('error' in h) {
        gpus.push({
          index: h.index,
          name: device?.name ?? '?',
          persistenceMode: null,
          eccEnabled: null,
          eccUncorrected: null,
          eccCorrected: null,
          throttleReasons: [],
          tempC: null,
          slowdownTempC: null,
          powerLimitW: null,
          defaultPowerLimitW: null,
          processes: [],
          queryError: h.error,
        });
        continue;
      }
      const processes = await Promise.all(
        (h.processes ?? []).map(async (p) => {
          const name = await processName(p.pid);
          return { pid: p.pid, usedMemoryMiB: p.usedMemMiB, ...(name ? { name } : {}) };
        }),
      );
      gpus.push({
        index: h.index,
        name: h.name,
        persistenceMode: h.persistenceMode,
        eccEnabled: h.eccEnabled,
        eccUncorrected: h.eccErrors?.uncorrected ?? null,
        eccCorrected: h.eccErrors?.corrected ?? null,
        throttleReasons: h.throttleReasons,
        tempC: h.tempC,
        slowdownTempC: h.slowdownTempC,
        powerLimitW: h.powerLimitW,
        defaultPowerLimitW: h.defaultPowerLimitW,
        processes,
      });
    }
    return { available: true, driverVersion: nvml.driverVersion || null, gpus };
  } finally {
    nvml.close();
  }
}

export async function gatherHostFacts(options: {
  baseUrl?: string;
  concurrency: number;
  root?: string;
}): Promise<HostFacts> {
  const root = options.root ?? '/';
  const [gpu, cpuGovernors, swap, openFiles, portRange, endpoint] = await Promise.all([
    gatherGpuFacts(),
    readCpuGovernors(root),
    readSwap(root),
    readOpenFileLimit(root),
    readPortRange(root),
    options.baseUrl ? probeEndpoint(options.baseUrl) : Promise.resolve(undefined),
  ]);
  return {
    gpu,
    cpuGovernors,
    swap,
    openFiles,
    portRange,
    plannedConcurrency: options.concurrency,
    ...(endpoint ? { endpoint } : {}),
  };
}

function calibrationRow(calibration: CalibrationFile | null): CheckResult {
  if (calibration === null)
    return { check: 'Client ceiling', status: 'SKIP', detail: 'not calibrated (bench doctor --calibrate)' };
  return {
    check: 'Client ceiling',
    status: 'PASS',
    detail: `${calibration.reqPerS.toFixed(1)} req/s, ${calibration.tokPerS.toFixed(0)} tok/s at c=${calibration.concurrency} (${calibration.measuredAt.slice(0, 10)}); runs above half of it warn`,
  };
}

export function renderDoctor(
  facts: HostFacts,
  results: readonly CheckResult[],
  strict: boolean,
): { text: string; exitCode: number } {
  const lines: string[] = [];
  if (!facts.gpu.available) {
    // Loader errors can carry a multi-line "Require stack": keep one line.
    const reason = facts.gpu.reason.split('\n')[0]?.trim() ?? '';
    lines.push(`No NVIDIA GPU visible (${reason}): GPU checks skipped.`, '');
  }
  lines.push(
    renderTable(
      [{ header: 'Check' }, { header: 'Status' }, { header: 'Detail' }],
      results.map((r) => [r.check, r.status, r.detail]),
    ),
  );
  const fixes = results.filter((r) => r.fix && (r.status === 'FAIL' || r.status === 'WARN'));
  if (fixes.length > 0) {
    lines.push('', 'Fixes:');
    for (const r of fixes) lines.push(`  ${r.status} ${r.check}: ${r.fix ?? ''}`);
  }
  const verdict = doctorVerdict(results, strict);
  lines.push('', verdict.trailer);
  return { text: `${lines.join('\n')}\n`, exitCode: verdict.exitCode };
}

/** The template's limits from the harness (built-in templates or a YAML path), else seed 004's. */
export function templateLimits(templateId: string): SloLimit[] {
  try {
    return resolveSloTemplate(templateId).slos.map((slo) => ({
      metric: slo.metric,
      percentile: slo.percentile,
      maxMs: slo.maxMs,
    }));
  } catch (error) {
    const builtin = SLO_TEMPLATES[templateId];
    if (builtin) return [...builtin];
    const message = error instanceof Error ? error.message : String(error);
    const theirs = theirsOnlyTemplateNote(templateId);
    throw new UsageError(theirs ? `${message} (${theirs})` : message, 'E_SLO_TEMPLATE');
  }
}

export function sloJson(facts: HostFacts, templateId: string): unknown {
  const limits = templateLimits(templateId);
  const cls = detectHardwareClass(facts.gpu.available ? facts.gpu.gpus.map((g) => g.name) : []);
  const resolved = scaleSlo(limits, cls.multiplier);
  return {
    template: templateId,
    hardware_class: cls.id,
    multiplier: cls.multiplier,
    anchor: limits,
    resolved,
    slo_template_resolved: sloResolvedText(resolved),
    notes: interopSloNotes(templateId),
  };
}

export function renderSlo(facts: HostFacts, templateId: string): string {
  const limits = templateLimits(templateId);
  const names = facts.gpu.available ? facts.gpu.gpus.map((g) => g.name) : [];
  const cls = detectHardwareClass(names);
  const resolved = scaleSlo(limits, cls.multiplier);
  const source = names[0] ? ` from "${names[0]}"` : facts.gpu.available ? '' : ' (no GPU visible)';
  return [
    `SLO template ${templateId}: hardware class ${cls.label} (×${cls.multiplier})${source}`,
    renderTable(
      [
        { header: 'Threshold' },
        { header: 'H100 anchor', align: 'right' },
        { header: `Resolved (×${cls.multiplier})`, align: 'right' },
      ],
      limits.map((l, i) => [
        `${l.metric.toUpperCase()} p${l.percentile}`,
        `${l.maxMs} ms`,
        `${resolved[i]?.maxMs ?? '?'} ms`,
      ]),
    ),
    `slo_hardware_class=${cls.id}  slo_template_resolved="${sloResolvedText(resolved)}"`,
    `multipliers: ${HARDWARE_CLASSES.map((c) => `${c.id} ×${c.multiplier}`).join(', ')}`,
    ...interopSloNotes(templateId).map((note) => `note: ${note}`),
  ].join('\n');
}

/** The doctor report; endpoint URLs in it never carry credentials or secret query values. */
export async function runDoctor(flags: DoctorFlags, facts?: HostFacts): Promise<CommandOutput> {
  const out = await doctorReport(flags, facts);
  return { ...out, stdout: redactText(out.stdout), stderr: redactText(out.stderr) };
}

async function doctorReport(flags: DoctorFlags, facts?: HostFacts): Promise<CommandOutput> {
  let stderr = '';
  if (flags.calibrate) {
    if (!ceilingMeasurer) throw new CalibrationUnavailableError();
    const ceiling = await ceilingMeasurer((line) => {
      stderr += `${line}\n`;
    });
    await writeCalibration(ceiling, calibrationPath());
    stderr += `calibration written to ${calibrationPath()}\n`;
  }
  const gathered =
    facts ??
    (await gatherHostFacts({
      concurrency: flags.concurrency,
      ...(flags.baseUrl ? { baseUrl: flags.baseUrl } : {}),
    }));
  const results = [...evaluateDoctor(gathered), calibrationRow(await readCalibration(calibrationPath()))];
  const { text, exitCode } = renderDoctor(gathered, results, flags.strict ?? false);
  if (flags.json) {
    const verdict = doctorVerdict(results, flags.strict ?? false);
    const body = {
      gpu: gathered.gpu.available
        ? { available: true, driver_version: gathered.gpu.driverVersion, count: gathered.gpu.gpus.length }
        : { available: false, reason: gathered.gpu.reason },
      checks: results.map((r) => ({
        check: r.check,
        status: r.status,
        detail: r.detail,
        fix: r.fix ?? null,
      })),
      fails: verdict.fails,
      warns: verdict.warns,
      verdict: verdict.trailer,
      ...(flags.showSlo ? { slo: sloJson(gathered, flags.sloTemplate) } : {}),
    };
    return { stdout: `${JSON.stringify(body, null, 2)}\n`, stderr, exitCode };
  }
  const slo = flags.showSlo ? `\n${renderSlo(gathered, flags.sloTemplate)}\n` : '';
  return { stdout: text + slo, stderr, exitCode };
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive integer');
  return n;
}

export function register(program: Command): void {
  program
    .command('doctor')
    .summary('check that this host and an endpoint are fit to benchmark')
    .description('Check that this host (GPUs, CPU, limits) and an endpoint are fit to benchmark.')
    .option('--strict', 'exit 1 on WARN as well as FAIL')
    .option('--show-slo', 'print the detected hardware class and the resolved SLO thresholds')
    .option('--slo-template <id>', 'template for --show-slo', 'llm.standard')
    .option('--base-url <url>', 'also check an endpoint: <base>/models, /health, /metrics')
    .option('--concurrency <n>', 'planned concurrency (sizes the open-file and port checks)', positiveInt, 64)
    .option('--calibrate', "measure this host's client ceiling and store it in the user cache")
    .option('--json', 'machine-readable checks and verdict')
    .action(async (flags: DoctorFlags) => {
      const out = await runDoctor(flags);
      process.stderr.write(out.stderr);
      process.stdout.write(out.stdout);
      if (out.exitCode !== 0) process.exitCode = out.exitCode;
    });
}
