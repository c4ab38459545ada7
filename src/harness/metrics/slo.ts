// SLO templates: loading (built-in YAML embedded in slo-templates.ts + user files), resolving by id,
// hardware-class scaling, and their text forms. The one home of all of it (ARCHITECTURE.md).
import { CodedError, type ErrorCode } from '../../lib/errors.js';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { BUILTIN_SLO_TEMPLATES_YAML } from './slo-templates.js';

export type SloMetric = 'ttft' | 'tpot' | 'itl' | 'total' | 'ttft_sched' | 'total_sched' | 'ttfo';
export const SLO_METRICS: readonly SloMetric[] = [
  'ttft',
  'tpot',
  'itl',
  'total',
  'ttft_sched',
  'total_sched',
  'ttfo',
];

export interface Slo {
  readonly metric: SloMetric;
  /** The percentile whose value must meet maxMs for the template's p-target (e.g. 99). */
  readonly percentile: number;
  /** Per-request limit, inclusive (value ≤ maxMs passes). */
  readonly maxMs: number;
}

export interface SloTemplate {
  readonly id: string;
  readonly description: string;
  readonly slos: readonly Slo[];
}

export class SloTemplateError extends CodedError {
  override name = 'SloTemplateError';
  constructor(message: string, code: ErrorCode = 'E_SLO_TEMPLATE', exitCode = 2) {
    super(message, code, exitCode);
  }
}

/** Parses a templates YAML document: `templates: {id: {description, slos: [{metric, percentile, max_ms}]}}`. */
export function parseSloTemplates(text: string, source: string): SloTemplate[] {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (error) {
    throw new SloTemplateError(`${source}: not valid YAML (${(error as Error).message.split('\n')[0]})`);
  }
  const templates = (doc as { templates?: unknown } | null)?.templates;
  if (templates === null || typeof templates !== 'object' || Array.isArray(templates)) {
    throw new SloTemplateError(`${source}: expected a top-level "templates:" mapping`);
  }
  const out: SloTemplate[] = [];
  for (const [id, raw] of Object.entries(templates as Record<string, unknown>)) {
    const entry = raw as { description?: unknown; slos?: unknown } | null;
    if (entry === null || typeof entry !== 'object' || !Array.isArray(entry.slos)) {
      throw new SloTemplateError(`${source}: template "${id}" needs a "slos:" list`);
    }
    const slos = entry.slos.map((item: unknown, index: number): Slo => {
      const slo = item as { metric?: unknown; percentile?: unknown; max_ms?: unknown } | null;
      const where = `${source}: template "${id}" slo #${index + 1}`;
      if (slo === null || typeof slo !== 'object') throw new SloTemplateError(`${where} is not a mapping`);
      if (typeof slo.metric !== 'string' || !SLO_METRICS.includes(slo.metric as SloMetric)) {
        throw new SloTemplateError(`${where}: metric must be one of ${SLO_METRICS.join(', ')}`);
      }
      const percentile = slo.percentile ?? 99;
      if (typeof percentile !== 'number' || !(percentile > 0 && percentile <= 100)) {
        throw new SloTemplateError(`${where}: percentile must be a number in (0, 100]`);
      }
      if (typeof slo.max_ms !== 'number' || !(slo.max_ms > 0) || !Number.isFinite(slo.max_ms)) {
        throw new SloTemplateError(`${where}: max_ms must be a positive number`);
      }
      return { metric: slo.metric as SloMetric, percentile, maxMs: slo.max_ms };
    });
    out.push({ id, description: typeof entry.description === 'string' ? entry.description : '', slos });
  }
  return out;
}

export function loadSloTemplateFile(path: string): SloTemplate[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new SloTemplateError(`cannot read SLO template file: ${path}`, 'E_SLO_TEMPLATE_READ');
  }
  return parseSloTemplates(text, path);
}

/** Built-in templates plus those of the extra files (later definitions override earlier ones). */
export function loadSloTemplates(extraPaths: readonly string[] = []): Map<string, SloTemplate> {
  const map = new Map<string, SloTemplate>();
  for (const template of parseSloTemplates(BUILTIN_SLO_TEMPLATES_YAML, 'built-in SLO templates'))
    map.set(template.id, template);
  for (const path of extraPaths) {
    for (const template of loadSloTemplateFile(resolve(path))) map.set(template.id, template);
  }
  return map;
}

/**
 * Resolves `--slo-template VALUE`: a template id (built-in), or a path to a YAML file. A file with
 * one template resolves to it; with several, use `PATH#id`.
 */
export function resolveSloTemplate(value: string, extraPaths: readonly string[] = []): SloTemplate {
  const [pathPart, idPart] = value.includes('#')
    ? (value.split('#', 2) as [string, string])
    : [value, undefined];
  if (/\.ya?ml$/i.test(pathPart) || existsSync(pathPart)) {
    const templates = loadSloTemplateFile(resolve(pathPart));
    if (idPart !== undefined) {
      const found = templates.find((template) => template.id === idPart);
      if (found === undefined) {
        throw new SloTemplateError(
          `SLO template "${idPart}" not in ${pathPart} (has: ${templates.map((t) => t.id).join(', ')})`,
        );
      }
      return found;
    }
    if (templates.length !== 1) {
      throw new SloTemplateError(
        `${pathPart} defines ${templates.length} templates; pick one with ${pathPart}#ID`,
      );
    }
    return templates[0] as SloTemplate;
  }
  const templates = loadSloTemplates(extraPaths);
  const found = templates.get(value);
  if (found === undefined) {
    throw new SloTemplateError(
      `unknown SLO template "${value}" (known: ${[...templates.keys()].join(', ')})`,
      'E_SLO_TEMPLATE_UNKNOWN',
    );
  }
  return found;
}

// ---------------------------------------------------------------- text forms

/** The envelope's slo_template_resolved: "ttft p99 <= 300 ms, tpot p99 <= 50 ms". */
export function describeSloTemplate(template: SloTemplate): string {
  return template.slos.map((slo) => `${slo.metric} p${slo.percentile} <= ${slo.maxMs} ms`).join(', ');
}

/** InferenceBench's compact form, as `bench doctor --show-slo` prints it: "ttft<300ms, tpot<50ms". */
export function compactSloText(slos: readonly { readonly metric: string; readonly maxMs: number }[]): string {
  return slos.map((slo) => `${slo.metric}<${slo.maxMs}ms`).join(', ');
}

// ---------------------------------------------------------------- hardware classes

/**
 * Templates are anchored to an H100 (×1.0); slower classes get proportionally looser latency
 * targets so an SLO means "as good as this hardware can reasonably do" (docs/commands.md, doctor).
 */
export interface HardwareClass {
  readonly id: string;
  readonly label: string;
  /** Matched against a GPU name (NVML) or a --hardware value, case-insensitive. */
  readonly pattern: RegExp;
  readonly multiplier: number;
}

/** Order matters: first match wins (H200 before H100, etc.). */
export const HARDWARE_CLASSES: readonly HardwareClass[] = [
  { id: 'gb200', label: 'GB200', pattern: /gb200/i, multiplier: 0.6 },
  { id: 'b200', label: 'B200', pattern: /\bb200\b/i, multiplier: 0.6 },
  { id: 'h200', label: 'H200', pattern: /h200/i, multiplier: 0.85 },
  { id: 'h100', label: 'H100', pattern: /h100|h800|gh200/i, multiplier: 1.0 },
  { id: 'a100', label: 'A100', pattern: /a100|a800/i, multiplier: 1.4 },
  { id: 'l40s', label: 'L40S', pattern: /l40s/i, multiplier: 1.8 },
  { id: 'rtx4090', label: 'RTX 4090', pattern: /4090/i, multiplier: 1.8 },
  { id: 'a10g', label: 'A10G', pattern: /a10g?\b/i, multiplier: 2.5 },
  { id: 'l4', label: 'L4', pattern: /\bl4\b/i, multiplier: 3.0 },
];

export const UNKNOWN_CLASS: HardwareClass = {
  id: 'unknown',
  label: 'unknown (H100 anchor used)',
  pattern: /$^/,
  multiplier: 1.0,
};

/** The class of the first GPU name that matches one (doctor: detected GPUs). */
export function detectHardwareClass(gpuNames: readonly string[]): HardwareClass {
  for (const name of gpuNames) {
    const found = HARDWARE_CLASSES.find((c) => c.pattern.test(name));
    if (found) return found;
  }
  return UNKNOWN_CLASS;
}

/** The class of a --hardware value: its id, else a name that matches a pattern, else unknown (×1). */
export function hardwareClassOf(hardware: string): HardwareClass {
  return HARDWARE_CLASSES.find((c) => c.id === hardware.toLowerCase()) ?? detectHardwareClass([hardware]);
}

/** Every limit multiplied (hardware-class scaling, e.g. ×0.85 on H200), rounded to 0.1 ms. */
export function scaleLimits<T extends { readonly maxMs: number }>(
  limits: readonly T[],
  multiplier: number,
): T[] {
  if (!(multiplier > 0) || !Number.isFinite(multiplier)) {
    throw new SloTemplateError(`SLO multiplier must be a positive number, got ${multiplier}`);
  }
  return limits.map((limit) => ({ ...limit, maxMs: Math.round(limit.maxMs * multiplier * 10) / 10 }));
}

/** The template with every limit multiplied (see scaleLimits). */
export function scaleSloTemplate(template: SloTemplate, multiplier: number): SloTemplate {
  return { id: template.id, description: template.description, slos: scaleLimits(template.slos, multiplier) };
}

/** The thresholds a run on `hardware` is judged by: the template scaled by the class multiplier. */
export function sloTemplateForHardware(template: SloTemplate, hardware: string): SloTemplate {
  return scaleSloTemplate(template, hardwareClassOf(hardware).multiplier);
}
