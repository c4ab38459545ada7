// SLO templates: loading (built-in YAML + user files), resolving by id, describing.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';

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

export class SloTemplateError extends Error {
  readonly code: string;
  readonly exitCode = 2;
  constructor(message: string, code = 'E_SLO_TEMPLATE') {
    super(message);
    this.name = 'SloTemplateError';
    this.code = code;
  }
}

const BUILTIN_RELATIVE = join('fixtures', 'slo', 'templates.yaml');

/** Finds fixtures/slo/templates.yaml walking up from this module (works from src/ and from dist/). */
export function builtinTemplatesPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 6; depth++) {
    const candidate = join(dir, BUILTIN_RELATIVE);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new SloTemplateError(
    `built-in SLO templates not found (${BUILTIN_RELATIVE})`,
    'E_SLO_BUILTIN_MISSING',
  );
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
  for (const template of loadSloTemplateFile(builtinTemplatesPath())) map.set(template.id, template);
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

/** "ttft p99 ≤ 300 ms, tpot p99 ≤ 50 ms" */
export function describeSloTemplate(template: SloTemplate): string {
  return template.slos.map((slo) => `${slo.metric} p${slo.percentile} <= ${slo.maxMs} ms`).join(', ');
}

/** The template with every limit multiplied (hardware-class scaling, e.g. ×0.85 on H200). */
export function scaleSloTemplate(template: SloTemplate, multiplier: number): SloTemplate {
  if (!(multiplier > 0) || !Number.isFinite(multiplier)) {
    throw new SloTemplateError(`SLO multiplier must be a positive number, got ${multiplier}`);
  }
  return {
    id: template.id,
    description: template.description,
    slos: template.slos.map((slo) => ({ ...slo, maxMs: slo.maxMs * multiplier })),
  };
}
