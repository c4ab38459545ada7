// Token-length distributions for synthetic workloads, written as flag values:
//   "512" | "fixed:512"                 always 512
//   "uniform:100,200"                   integers in [100, 200]
//   "normal:512,64" | "normal:512,64,256,1024"   mean, std, optional [min, max] (default [1, mean+4·std])
//   "hist:<file.jsonl>"                 lines {"tokens": n, "weight": w} or {"min": a, "max": b, "weight": w}
import { DatasetFormatError, PluginError } from '../errors.js';
import type { Rng } from '../../../lib/rng.js';
import { isRecord, readJsonLines } from './files.js';

export type LengthDistribution =
  | { readonly type: 'fixed'; readonly tokens: number }
  | { readonly type: 'uniform'; readonly min: number; readonly max: number }
  | {
      readonly type: 'normal';
      readonly mean: number;
      readonly std: number;
      readonly min: number;
      readonly max: number;
    }
  | {
      readonly type: 'histogram';
      readonly file: string;
      readonly bins: readonly { readonly min: number; readonly max: number; readonly weight: number }[];
    };

export class DistributionError extends PluginError {
  override name = 'DistributionError';
  constructor(flag: string, value: string, reason: string) {
    super(`${flag} ${JSON.stringify(value)}: ${reason}`, 'E_DISTRIBUTION');
  }
}

const isPositiveInt = (n: number) => Number.isInteger(n) && n >= 1;

function numbers(flag: string, value: string, body: string, count: number[]): number[] {
  const parts = body.split(',').map((p) => p.trim());
  if (!count.includes(parts.length))
    throw new DistributionError(flag, value, `expected ${count.join(' or ')} comma-separated numbers`);
  const out = parts.map(Number);
  if (out.some((n) => !Number.isFinite(n))) throw new DistributionError(flag, value, 'not a number');
  return out;
}

/** Parses every form except hist: (which needs the file; see loadDistribution). */
export function parseDistribution(
  flag: string,
  value: string | number,
): LengthDistribution | { type: 'hist-file'; file: string } {
  const text = String(value).trim();
  const colon = text.indexOf(':');
  const kind = colon < 0 ? 'fixed' : text.slice(0, colon);
  const body = colon < 0 ? text : text.slice(colon + 1);
  switch (kind) {
    case 'fixed': {
      const [tokens] = numbers(flag, text, body, [1]) as [number];
      if (!isPositiveInt(tokens))
        throw new DistributionError(flag, text, 'tokens must be a positive integer');
      return { type: 'fixed', tokens };
    }
    case 'uniform': {
      const [min, max] = numbers(flag, text, body, [2]) as [number, number];
      if (!isPositiveInt(min) || !isPositiveInt(max) || min > max)
        throw new DistributionError(flag, text, 'need positive integers min ≤ max');
      return { type: 'uniform', min, max };
    }
    case 'normal': {
      const parts = numbers(flag, text, body, [2, 4]);
      const [mean, std] = parts as [number, number];
      const min = parts[2] ?? 1;
      const max = parts[3] ?? Math.ceil(mean + 4 * std);
      if (!(mean >= 1) || !(std >= 0)) throw new DistributionError(flag, text, 'need mean ≥ 1 and std ≥ 0');
      if (!isPositiveInt(min) || !isPositiveInt(max) || min > max || mean < min || mean > max)
        throw new DistributionError(flag, text, 'bounds must be positive integers with min ≤ mean ≤ max');
      return { type: 'normal', mean, std, min, max };
    }
    case 'hist':
      if (body.trim() === '') throw new DistributionError(flag, text, 'hist: needs a file path');
      return { type: 'hist-file', file: body.trim() };
    default:
      throw new DistributionError(
        flag,
        text,
        'use N, fixed:N, uniform:A,B, normal:MEAN,STD[,MIN,MAX] or hist:FILE',
      );
  }
}

export async function loadHistogram(file: string): Promise<LengthDistribution> {
  const rows = await readJsonLines(file, 'histogram file');
  const bins = rows.map(({ line, value }) => {
    if (!isRecord(value)) throw new DatasetFormatError(file, line, 'each line must be an object');
    const weight = value.weight ?? 1;
    if (typeof weight !== 'number' || !(weight > 0))
      throw new DatasetFormatError(file, line, '"weight" must be a positive number');
    const min = value.tokens ?? value.min;
    const max = value.tokens ?? value.max;
    if (
      !isPositiveInt(Number(min)) ||
      !isPositiveInt(Number(max)) ||
      typeof min !== 'number' ||
      typeof max !== 'number' ||
      min > max
    )
      throw new DatasetFormatError(
        file,
        line,
        'need "tokens": N or "min"/"max" positive integers (min ≤ max)',
      );
    return { min, max, weight };
  });
  return { type: 'histogram', file, bins };
}

export async function loadDistribution(flag: string, value: string | number): Promise<LengthDistribution> {
  const parsed = parseDistribution(flag, value);
  return parsed.type === 'hist-file' ? loadHistogram(parsed.file) : parsed;
}

export function sampleLength(dist: LengthDistribution, rng: Rng): number {
  switch (dist.type) {
    case 'fixed':
      return dist.tokens;
    case 'uniform':
      return rng.int(dist.min, dist.max);
    case 'normal':
      return Math.min(dist.max, Math.max(dist.min, Math.round(dist.mean + dist.std * rng.normal())));
    case 'histogram': {
      const total = dist.bins.reduce((sum, bin) => sum + bin.weight, 0);
      let pick = rng.next() * total;
      for (const bin of dist.bins) {
        pick -= bin.weight;
        if (pick < 0) return rng.int(bin.min, bin.max);
      }
      const last = dist.bins.at(-1)!;
      return rng.int(last.min, last.max);
    }
  }
}

/** Smallest value the distribution can produce (for validation against prefix lengths). */
export function minLength(dist: LengthDistribution): number {
  switch (dist.type) {
    case 'fixed':
      return dist.tokens;
    case 'uniform':
    case 'normal':
      return dist.min;
    case 'histogram':
      return Math.min(...dist.bins.map((b) => b.min));
  }
}

export function describeDistribution(dist: LengthDistribution): string {
  switch (dist.type) {
    case 'fixed':
      return `fixed:${dist.tokens}`;
    case 'uniform':
      return `uniform:${dist.min},${dist.max}`;
    case 'normal':
      return `normal:${dist.mean},${dist.std},${dist.min},${dist.max}`;
    case 'histogram':
      return `hist:${dist.bins.map((b) => `${b.min}-${b.max}x${b.weight}`).join(';')}`;
  }
}
