// Token prices: a prices file in LiteLLM's model_prices shape (YAML or JSON: model key →
// {input_cost_per_token, output_cost_per_token, litellm_provider}) or the snapshot shipped in the
// package (fixtures/prices/snapshot.json, bundled as a module).
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import snapshotJson from '../../../fixtures/prices/snapshot.json' with { type: 'json' };
import { UsageError } from '../errors.js';

/** One model at one provider, in USD per token as LiteLLM lists them. */
export interface PriceEntry {
  /** The key as written in the file, e.g. `together_ai/meta-llama/Llama-3.1-8B-Instruct`. */
  readonly key: string;
  /** The model id without the provider prefix. */
  readonly model: string;
  readonly provider: string;
  readonly inputUsdPerToken: number;
  readonly outputUsdPerToken: number;
}

export interface PriceTable {
  /** `prices_file:<path>` or `snapshot:<date>`. */
  readonly source: string;
  readonly entries: readonly PriceEntry[];
}

export class PricesError extends Error {
  readonly code: string;
  readonly exitCode = 2;
  constructor(message: string, code = 'E_PRICES_INVALID') {
    super(message);
    this.name = 'PricesError';
    this.code = code;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// LiteLLM's file starts with a documentation entry; it prices nothing.
const SKIPPED_KEYS = new Set(['sample_spec']);

function rate(where: string, field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
    throw new PricesError(`${where}: ${field} must be a non-negative number (USD per token)`);
  return value;
}

/** Parses a LiteLLM-shaped mapping; entries without both per-token costs (images, embeddings…) are skipped. */
export function parsePriceMapping(raw: unknown, label: string): PriceEntry[] {
  if (!isRecord(raw))
    throw new PricesError(
      `${label}: expected a mapping of model → {input_cost_per_token, output_cost_per_token}`,
    );
  const entries: PriceEntry[] = [];
  for (const [key, value] of Object.entries(raw)) {
    if (SKIPPED_KEYS.has(key)) continue;
    const where = `${label}: ${key}`;
    if (!isRecord(value)) throw new PricesError(`${where}: expected a mapping`);
    if (value.input_cost_per_token === undefined && value.output_cost_per_token === undefined) continue;
    const inputUsdPerToken = rate(where, 'input_cost_per_token', value.input_cost_per_token);
    const outputUsdPerToken = rate(where, 'output_cost_per_token', value.output_cost_per_token);
    const slash = key.indexOf('/');
    const declared = typeof value.litellm_provider === 'string' ? value.litellm_provider : undefined;
    const prefix = slash > 0 ? key.slice(0, slash) : undefined;
    // `together_ai/meta-llama/…`: the prefix is the provider when it names it (or no provider is declared).
    const prefixIsProvider = prefix !== undefined && (declared === undefined || declared === prefix);
    entries.push({
      key,
      model: prefixIsProvider ? key.slice(slash + 1) : key,
      provider: declared ?? prefix ?? 'unknown',
      inputUsdPerToken,
      outputUsdPerToken,
    });
  }
  if (entries.length === 0) throw new PricesError(`${label}: no model has input/output_cost_per_token`);
  return entries;
}

/** Reads `--prices-file`; every problem is a PricesError (exit 2) naming the file. */
export function loadPricesFile(
  path: string,
  read: (p: string) => string = (p) => readFileSync(p, 'utf8'),
): PriceTable {
  let text: string;
  try {
    text = read(path);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new PricesError(
      `prices file ${path}: ${code === 'ENOENT' ? 'not found' : 'cannot be read'}`,
      'E_PRICES_READ',
    );
  }
  let raw: unknown;
  try {
    raw = parseYaml(text, { maxAliasCount: 100 });
  } catch (error) {
    const reason = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
    throw new PricesError(`prices file ${path}: invalid YAML: ${reason}`);
  }
  return { source: `prices_file:${path}`, entries: parsePriceMapping(raw, `prices file ${path}`) };
}

export const PRICE_SNAPSHOT_DATE: string = snapshotJson.snapshot_date;

/** The snapshot shipped in the package. */
export function snapshotPrices(): PriceTable {
  return {
    source: `snapshot:${PRICE_SNAPSHOT_DATE}`,
    entries: parsePriceMapping(snapshotJson.prices, 'price snapshot'),
  };
}

/** Entries for `model` (the bare id or a provider-prefixed key; case-insensitive). */
export function pricesFor(table: PriceTable, model: string): PriceEntry[] {
  const wanted = model.toLowerCase();
  return table.entries.filter((e) => e.model.toLowerCase() === wanted || e.key.toLowerCase() === wanted);
}

/** Levenshtein distance (small strings: model ids). */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** Up to `limit` known model ids closest to `model` (substring matches first, then edit distance). */
export function closeMatches(table: PriceTable, model: string, limit = 3): string[] {
  const wanted = model.toLowerCase();
  const ids = [...new Set(table.entries.map((e) => e.model))];
  const scored = ids.map((id) => {
    const lower = id.toLowerCase();
    const contains = lower.includes(wanted) || wanted.includes(lower.split('/').pop() ?? lower);
    // Every word of the query inside the id ("llama-70b" → "meta-llama/Llama-3.1-70B-Instruct").
    const words = wanted.split(/[^a-z0-9]+/).filter((w) => w !== '');
    const allWords = words.length > 0 && words.every((w) => lower.includes(w));
    const score = contains ? 0 : allWords ? 1 : editDistance(wanted, lower.split('/').pop() ?? lower);
    return { id, score };
  });
  const threshold = Math.max(3, Math.floor(wanted.length / 2));
  return scored
    .filter((s) => s.score <= threshold)
    .sort((a, b) => a.score - b.score || (a.id < b.id ? -1 : 1))
    .slice(0, limit)
    .map((s) => s.id);
}

export class UnknownModelPriceError extends UsageError {
  constructor(model: string, suggestions: readonly string[]) {
    super(
      `no price for model '${model}'${suggestions.length > 0 ? ` (did you mean: ${suggestions.join(', ')}?)` : ''}`,
      'E_COST_UNKNOWN_MODEL',
      1,
    );
    this.name = 'UnknownModelPriceError';
  }
}
