// Cost per million tokens, in the order the issue gives: a prices file (hosted endpoints), GPU-hours
// (self-hosted), the shipped snapshot. `cost_usd_per_million_tokens` is the blended rate a user pays
// for the run's own token mix; `cost_source` says which source priced it.
import type { PriceEntry, PriceTable } from './prices.js';

export interface ProviderRate {
  readonly provider: string;
  readonly model: string;
  readonly inputUsdPerMtok: number;
  readonly outputUsdPerMtok: number;
  readonly blendedUsdPerMtok: number;
}

const PER_MILLION = 1e6;

/** blended = share × input + (1 − share) × output ($/Mtok), share = input tokens' fraction of all tokens. */
export function blendedRate(
  inputUsdPerMtok: number,
  outputUsdPerMtok: number,
  inputTokenShare: number,
): number {
  return inputTokenShare * inputUsdPerMtok + (1 - inputTokenShare) * outputUsdPerMtok;
}

export function providerRate(entry: PriceEntry, inputTokenShare: number): ProviderRate {
  const inputUsdPerMtok = entry.inputUsdPerToken * PER_MILLION;
  const outputUsdPerMtok = entry.outputUsdPerToken * PER_MILLION;
  return {
    provider: entry.provider,
    model: entry.model,
    inputUsdPerMtok,
    outputUsdPerMtok,
    blendedUsdPerMtok: blendedRate(inputUsdPerMtok, outputUsdPerMtok, inputTokenShare),
  };
}

/** Rates sorted ascending by blended $/Mtok (provider name breaks ties). */
export function rankProviders(entries: readonly PriceEntry[], inputTokenShare: number): ProviderRate[] {
  return entries
    .map((e) => providerRate(e, inputTokenShare))
    .sort(
      (a, b) =>
        a.blendedUsdPerMtok - b.blendedUsdPerMtok ||
        (a.provider < b.provider ? -1 : a.provider > b.provider ? 1 : 0),
    );
}

/**
 * Self-hosted: what the GPUs cost per million output tokens at the measured throughput.
 * $/Mtok = gpuHourUsd × gpus ÷ (tok/s × 3600) × 1e6. Null when throughput is not positive.
 */
export function gpuHourCostPerMtok(
  gpuHourUsd: number,
  gpuCount: number,
  throughputTokPerS: number,
): number | null {
  if (!(throughputTokPerS > 0) || !(gpuCount > 0) || !(gpuHourUsd >= 0)) return null;
  return ((gpuHourUsd * gpuCount) / (throughputTokPerS * 3600)) * PER_MILLION;
}

export interface RunCost {
  readonly cost_usd_per_million_tokens: number | null;
  readonly cost_source: string;
  /** Why there is no number, when there is none. */
  readonly reason?: string;
}

export interface RunCostInput {
  readonly model: string;
  /** Tokens the run sent and received (their ratio is the blend). */
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly throughputTokPerS: number | null;
  readonly gpuCount: number;
  readonly pricesFile?: PriceTable;
  readonly gpuHourUsd?: number;
  readonly snapshot: PriceTable;
  /** Provider of the hosted endpoint, when known (picks among several prices for one model). */
  readonly provider?: string;
}

function priced(table: PriceTable, input: RunCostInput): RunCost | null {
  const wanted = input.model.toLowerCase();
  let matches = table.entries.filter(
    (e) => e.model.toLowerCase() === wanted || e.key.toLowerCase() === wanted,
  );
  if (input.provider !== undefined) {
    const atProvider = matches.filter((e) => e.provider === input.provider);
    if (atProvider.length > 0) matches = atProvider;
  }
  if (matches.length === 0) return null;
  const total = input.inputTokens + input.outputTokens;
  const share = total > 0 ? input.inputTokens / total : 0;
  const cheapest = rankProviders(matches, share)[0]!;
  return {
    cost_usd_per_million_tokens: cheapest.blendedUsdPerMtok,
    cost_source: `${table.source}#${cheapest.provider}`,
  };
}

/** The run's cost by the first source that prices it: prices file, GPU-hours, snapshot. */
export function runCost(input: RunCostInput): RunCost {
  if (input.pricesFile) {
    const fromFile = priced(input.pricesFile, input);
    if (fromFile) return fromFile;
  }
  if (input.gpuHourUsd !== undefined) {
    const value = gpuHourCostPerMtok(input.gpuHourUsd, input.gpuCount, input.throughputTokPerS ?? 0);
    if (value !== null) return { cost_usd_per_million_tokens: value, cost_source: 'gpu_hour' };
  }
  const fromSnapshot = priced(input.snapshot, input);
  if (fromSnapshot) return fromSnapshot;
  return {
    cost_usd_per_million_tokens: null,
    cost_source: 'none',
    reason: `no price for '${input.model}' (pass --prices-file or --gpu-hour-usd)`,
  };
}
