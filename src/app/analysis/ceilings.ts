// Speed-of-light ceilings by key path (`h100_sxm.hbm3_tbps`, `b200.bf16_tflops`): the shipped
// fixtures/catalog/ceilings.json (bundled as a module; the same peaks as the engine's hardware
// catalog), overridable per key by `--ceilings FILE` (YAML or JSON of the same shape). Peaks are
// only ever read from here and cited by key — never written inline.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import builtinJson from '../../../fixtures/catalog/ceilings.json' with { type: 'json' };

/** One GPU's ceilings: `<memory>_tbps` and `<dtype>_tflops` keys, plus the catalog id it matches. */
export interface CeilingEntry {
  readonly name: string;
  readonly catalogId?: string;
  readonly values: Readonly<Record<string, number>>;
}

export interface Ceilings {
  readonly source: string;
  readonly entries: readonly CeilingEntry[];
}

/** A ceiling as cited under a table: its key path and value. */
export interface CitedCeiling {
  readonly key: string;
  readonly value: number;
}

export class CeilingsError extends Error {
  readonly code: string;
  readonly exitCode = 2;
  constructor(message: string, code = 'E_CEILINGS_INVALID') {
    super(message);
    this.name = 'CeilingsError';
    this.code = code;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const VALUE_KEY = /^[a-z0-9]+_(tbps|tflops)$/;

export function parseCeilings(raw: unknown, label: string): CeilingEntry[] {
  if (!isRecord(raw))
    throw new CeilingsError(`${label}: expected a mapping of GPU → {<mem>_tbps, <dtype>_tflops}`);
  const out: CeilingEntry[] = [];
  for (const [name, value] of Object.entries(raw)) {
    if (name.startsWith('_')) continue;
    if (!isRecord(value)) throw new CeilingsError(`${label}: ${name}: expected a mapping`);
    const values: Record<string, number> = {};
    let catalogId: string | undefined;
    for (const [key, v] of Object.entries(value)) {
      if (key === 'catalog_id') {
        if (typeof v !== 'string') throw new CeilingsError(`${label}: ${name}.catalog_id must be a string`);
        catalogId = v;
        continue;
      }
      if (!VALUE_KEY.test(key))
        throw new CeilingsError(`${label}: ${name}.${key}: keys are <memory>_tbps or <dtype>_tflops`);
      if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0)
        throw new CeilingsError(`${label}: ${name}.${key} must be a positive number`);
      values[key] = v;
    }
    out.push({ name, ...(catalogId !== undefined ? { catalogId } : {}), values });
  }
  return out;
}

export function builtinCeilings(): Ceilings {
  return { source: 'builtin', entries: parseCeilings(builtinJson, 'built-in ceilings') };
}

/** Built-in ceilings with a user file laid over them key by key. */
export function loadCeilings(
  path?: string,
  read: (p: string) => string = (p) => readFileSync(p, 'utf8'),
): Ceilings {
  const base = builtinCeilings();
  if (path === undefined) return base;
  let text: string;
  try {
    text = read(path);
  } catch {
    throw new CeilingsError(`ceilings file ${path}: cannot be read`, 'E_CEILINGS_READ');
  }
  let raw: unknown;
  try {
    raw = parseYaml(text, { maxAliasCount: 100 });
  } catch (error) {
    const reason = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
    throw new CeilingsError(`ceilings file ${path}: invalid YAML: ${reason}`);
  }
  const extra = parseCeilings(raw, `ceilings file ${path}`);
  const entries = base.entries.map((e) => ({ ...e, values: { ...e.values } }));
  for (const entry of extra) {
    const at = entries.findIndex((e) => e.name === entry.name);
    if (at < 0) entries.push(entry);
    else
      entries[at] = {
        name: entry.name,
        ...((entry.catalogId ?? entries[at]!.catalogId) !== undefined
          ? { catalogId: entry.catalogId ?? entries[at]!.catalogId }
          : {}),
        values: { ...entries[at]!.values, ...entry.values },
      };
  }
  return { source: `file:${path}`, entries };
}

/** The entry for a hardware class: by ceiling name, catalog id, or the name without `_sxm` (case-insensitive). */
export function findCeilingEntry(ceilings: Ceilings, hardware: string): CeilingEntry | undefined {
  const wanted = hardware.toLowerCase().replace(/-/g, '_');
  return ceilings.entries.find(
    (e) =>
      e.name === wanted ||
      e.catalogId?.toLowerCase() === hardware.toLowerCase() ||
      e.name.replace(/_sxm$/, '') === wanted.replace(/_sxm$/, ''),
  );
}

/** The memory-bandwidth ceiling (the one `*_tbps` key), in bytes/s, cited by key path. */
export function memoryCeiling(entry: CeilingEntry): CitedCeiling | undefined {
  const key = Object.keys(entry.values).find((k) => k.endsWith('_tbps'));
  return key === undefined ? undefined : { key: `${entry.name}.${key}`, value: entry.values[key]! };
}

/** The tensor ceiling for a compute type (`bf16`, `fp8`, `fp4`), falling back to the next wider type. */
export function computeCeiling(entry: CeilingEntry, compute: string): CitedCeiling | undefined {
  const order = compute === 'fp4' ? ['fp4', 'fp8', 'bf16'] : compute === 'fp8' ? ['fp8', 'bf16'] : ['bf16'];
  for (const dtype of order) {
    const key = `${dtype}_tflops`;
    const value = entry.values[key];
    if (value !== undefined) return { key: `${entry.name}.${key}`, value };
  }
  return undefined;
}
