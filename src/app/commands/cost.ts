// bench cost <model> [--providers a,b] [--input-token-share 0.75] [--prices-file PATH] [--json]
import type { Command } from 'commander';
import { rankProviders, type ProviderRate } from '../analysis/cost.js';
import {
  closeMatches,
  loadPricesFile,
  pricesFor,
  snapshotPrices,
  UnknownModelPriceError,
  type PriceTable,
} from '../analysis/prices.js';
import { UsageError } from '../errors.js';
import { formatNumber, renderTable } from '../report/format.js';

interface CostFlags {
  providers?: string;
  inputTokenShare: string;
  pricesFile?: string;
  json?: boolean;
}

export interface CostReport {
  readonly model: string;
  readonly source: string;
  readonly inputTokenShare: number;
  readonly rates: readonly ProviderRate[];
}

export function parseShare(text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < 0 || value > 1)
    throw new UsageError(`--input-token-share must be a number in [0, 1] (got '${text}')`, 'E_COST_SHARE');
  return value;
}

export function costReport(model: string, flags: CostFlags, table: PriceTable): CostReport {
  const inputTokenShare = parseShare(flags.inputTokenShare);
  let entries = pricesFor(table, model);
  if (entries.length === 0) throw new UnknownModelPriceError(model, closeMatches(table, model));
  if (flags.providers !== undefined) {
    const wanted = flags.providers
      .split(',')
      .map((p) => p.trim())
      .filter((p) => p !== '');
    const known = new Set(entries.map((e) => e.provider));
    const missing = wanted.filter((p) => !known.has(p));
    if (missing.length > 0)
      throw new UsageError(
        `no price for '${model}' at ${missing.join(', ')} (priced at: ${[...known].sort().join(', ')})`,
        'E_COST_PROVIDER',
        1,
      );
    entries = entries.filter((e) => wanted.includes(e.provider));
  }
  return { model, source: table.source, inputTokenShare, rates: rankProviders(entries, inputTokenShare) };
}

export function renderCostText(report: CostReport): string {
  const rows = report.rates.map((r) => [
    r.provider,
    formatNumber(r.inputUsdPerMtok),
    formatNumber(r.outputUsdPerMtok),
    formatNumber(r.blendedUsdPerMtok),
  ]);
  const table = renderTable(
    [
      { header: 'Provider' },
      { header: 'Input $/Mtok', align: 'right' },
      { header: 'Output $/Mtok', align: 'right' },
      { header: 'Blended $/Mtok', align: 'right' },
    ],
    rows,
  );
  const share = report.inputTokenShare;
  return [
    `${report.model} — blended = ${share} × input + ${Number((1 - share).toFixed(6))} × output`,
    table,
    `source: ${report.source}`,
  ].join('\n');
}

export function costJson(report: CostReport): object {
  return {
    model: report.model,
    source: report.source,
    input_token_share: report.inputTokenShare,
    providers: report.rates.map((r) => ({
      provider: r.provider,
      input_usd_per_million_tokens: r.inputUsdPerMtok,
      output_usd_per_million_tokens: r.outputUsdPerMtok,
      blended_usd_per_million_tokens: r.blendedUsdPerMtok,
    })),
  };
}

export function runCostCommand(model: string, flags: CostFlags): string {
  const table = flags.pricesFile !== undefined ? loadPricesFile(flags.pricesFile) : snapshotPrices();
  const report = costReport(model, flags, table);
  return flags.json ? JSON.stringify(costJson(report), null, 2) : renderCostText(report);
}

export function register(program: Command): void {
  program
    .command('cost')
    .summary('per-provider $/Mtok and the blended rate for a model')
    .description('Per-provider input/output $/Mtok and the blended rate for a model, cheapest first')
    .argument('<model>', 'model id (e.g. meta-llama/Llama-3.1-8B-Instruct)')
    .option('--providers <list>', 'only these providers (comma-separated)')
    .option('--input-token-share <share>', 'input tokens as a fraction of all tokens, for the blend', '0.75')
    .option(
      '--prices-file <path>',
      "prices YAML/JSON in LiteLLM's model_prices shape (default: the shipped snapshot)",
    )
    .option('--json', 'print JSON')
    .action((model: string, flags: CostFlags) => {
      process.stdout.write(`${runCostCommand(model, flags)}\n`);
    });
}
