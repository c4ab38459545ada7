// Model, hardware and quantisation catalogs (built-in YAML embedded in catalog-data.ts, plus user files).
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { BUILTIN_CATALOG_YAML } from './catalog-data.js';
import type { ErrorCode } from '../lib/errors.js';
import { EngineError } from './errors.js';

const modelSchema = z.object({
  id: z.string().min(1),
  aliases: z.array(z.string()).default([]),
  paramsTotal: z.number().positive(),
  paramsActive: z.number().positive(),
  layers: z.number().int().positive(),
  hidden: z.number().int().positive(),
  heads: z.number().int().positive(),
  kvHeads: z.number().int().positive(),
  headDim: z.number().int().positive(),
  kvDimPerLayer: z.number().int().positive().optional(),
  contextLength: z.number().int().positive(),
});

const hardwareSchema = z.object({
  id: z.string().min(1),
  aliases: z.array(z.string()).default([]),
  gpuName: z.string().min(1),
  hbmGB: z.number().positive(),
  hbmBandwidthGBs: z.number().positive(),
  bf16Tflops: z.number().positive(),
  fp8Tflops: z.number().positive().nullable().default(null),
  fp4Tflops: z.number().positive().nullable().default(null),
  tdpW: z.number().positive(),
  idleW: z.number().nonnegative(),
  interconnectGBs: z.number().positive(),
  memEfficiency: z.number().positive().max(1),
  computeEfficiency: z.number().positive().max(1),
  stepOverheadMs: z.number().nonnegative(),
  perSeqOverheadMs: z.number().nonnegative(),
  frontendBaseMs: z.number().nonnegative(),
  frontendPerStreamMs: z.number().nonnegative(),
  allReduceBaseUs: z.number().nonnegative(),
  allReducePerPeerUs: z.number().nonnegative(),
});

const quantSchema = z.object({
  id: z.string().min(1),
  aliases: z.array(z.string()).default([]),
  bytesPerParam: z.number().positive(),
  compute: z.enum(['bf16', 'fp8', 'fp4']),
  kvBytes: z.number().positive(),
});

const fileSchema = z.object({
  models: z.array(modelSchema).optional(),
  hardware: z.array(hardwareSchema).optional(),
  quant: z.array(quantSchema).optional(),
});

export type ModelSpec = z.infer<typeof modelSchema>;
export type HardwareSpec = z.infer<typeof hardwareSchema>;
export type QuantSpec = z.infer<typeof quantSchema>;

export interface Catalog {
  readonly models: readonly ModelSpec[];
  readonly hardware: readonly HardwareSpec[];
  readonly quant: readonly QuantSpec[];
}

function readCatalogFile(path: string): z.infer<typeof fileSchema> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new EngineError(`cannot read catalog file ${path}`, 'E_CATALOG_READ');
  }
  return parseCatalogText(text, path);
}

function parseCatalogText(text: string, path: string): z.infer<typeof fileSchema> {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new EngineError(`catalog ${path}: invalid YAML: ${reason}`, 'E_CATALOG_INVALID');
  }
  const parsed = fileSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue ? issue.path.join('.') : '?';
    throw new EngineError(`catalog ${path}: ${where}: ${issue?.message ?? 'invalid'}`, 'E_CATALOG_INVALID');
  }
  return parsed.data;
}

function mergeById<T extends { id: string }>(base: T[], extra: readonly T[] | undefined): T[] {
  if (!extra) return base;
  const out = base.slice();
  for (const entry of extra) {
    const at = out.findIndex((e) => e.id === entry.id);
    if (at >= 0) out[at] = entry;
    else out.push(entry);
  }
  return out;
}

/** Loads the built-in catalog, then each extra YAML file (entries with the same id replace built-ins). */
export function loadCatalog(extraPaths: readonly string[] = []): Catalog {
  let models: ModelSpec[] = [];
  let hardware: HardwareSpec[] = [];
  let quant: QuantSpec[] = [];
  const files = [
    ...Object.entries(BUILTIN_CATALOG_YAML).map(([name, text]) => parseCatalogText(text, `built-in ${name}`)),
    ...extraPaths.map(readCatalogFile),
  ];
  for (const file of files) {
    models = mergeById(models, file.models);
    hardware = mergeById(hardware, file.hardware);
    quant = mergeById(quant, file.quant);
  }
  return { models, hardware, quant };
}

let cached: Catalog | undefined;
/** The built-in catalog, loaded once. */
export function builtinCatalog(): Catalog {
  cached ??= loadCatalog();
  return cached;
}

function lookup<T extends { id: string; aliases: string[] }>(
  entries: readonly T[],
  name: string,
  kind: string,
  code: ErrorCode,
): T {
  const exact = entries.find((e) => e.id === name);
  if (exact) return exact;
  const lower = name.toLowerCase();
  const match = entries.find(
    (e) => e.id.toLowerCase() === lower || e.aliases.some((a) => a.toLowerCase() === lower),
  );
  if (match) return match;
  const known = entries.map((e) => e.id).join(', ');
  throw new EngineError(`unknown ${kind} '${name}' (known: ${known})`, code);
}

export function findModel(catalog: Catalog, name: string): ModelSpec {
  return lookup(catalog.models, name, 'model', 'E_UNKNOWN_MODEL');
}

export function findHardware(catalog: Catalog, name: string): HardwareSpec {
  return lookup(catalog.hardware, name, 'hardware class', 'E_UNKNOWN_HARDWARE');
}

export function findQuant(catalog: Catalog, name: string): QuantSpec {
  return lookup(catalog.quant, name, 'quantization', 'E_UNKNOWN_QUANT');
}
