// Cost: prices files in LiteLLM's shape, the blend, GPU-hours and the source order — values by hand.
import { writeFile } from 'node:fs/promises';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { blendedRate, gpuHourCostPerMtok, rankProviders, runCost } from '../../../src/app/analysis/cost.js';
import {
  closeMatches,
  loadPricesFile,
  parsePriceMapping,
  PricesError,
  pricesFor,
  snapshotPrices,
} from '../../../src/app/analysis/prices.js';
import { costReport, renderCostText, runCostCommand } from '../../../src/app/commands/cost.js';

async function pricesFile(text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-prices-'));
  const path = join(dir, 'prices.yaml');
  await writeFile(path, text);
  return path;
}

const YAML = `
sample_spec:
  max_tokens: "set to max"
  input_cost_per_token: 0
my-org/llama-8b:
  litellm_provider: acme
  input_cost_per_token: 1.0e-7
  output_cost_per_token: 4.0e-7
hosty/my-org/llama-8b:
  litellm_provider: hosty
  input_cost_per_token: 2.0e-7
  output_cost_per_token: 2.0e-7
dall-e-3:
  litellm_provider: openai
  output_cost_per_image: 0.04
`;

describe('prices file (LiteLLM model_prices shape)', () => {
  it('parses per-token costs, strips a provider prefix, skips sample_spec and non-token entries', async () => {
    const table = loadPricesFile(await pricesFile(YAML));
    expect(table.source).toMatch(/^prices_file:/);
    expect(table.entries.map((e) => [e.provider, e.model])).toEqual([
      ['acme', 'my-org/llama-8b'],
      ['hosty', 'my-org/llama-8b'],
    ]);
    expect(pricesFor(table, 'MY-ORG/llama-8b')).toHaveLength(2);
  });

  it.each([
    ['missing', null, /prices file .*: not found/],
    ['bad YAML', 'a: [1, 2\n', /invalid YAML/],
    ['not a mapping', '- 1\n- 2\n', /expected a mapping/],
    [
      'negative cost',
      'm:\n  input_cost_per_token: -1\n  output_cost_per_token: 1\n',
      /input_cost_per_token must be/,
    ],
    ['one cost missing', 'm:\n  input_cost_per_token: 1e-7\n', /output_cost_per_token must be/],
    [
      'string cost',
      'm:\n  input_cost_per_token: "cheap"\n  output_cost_per_token: 1\n',
      /must be a non-negative/,
    ],
    ['nothing priced', 'x:\n  mode: chat\n', /no model has/],
  ])('%s → PricesError, exit 2', async (_label, text, message) => {
    const path = text === null ? '/nonexistent/prices.yaml' : await pricesFile(text);
    let caught: unknown;
    try {
      loadPricesFile(path);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(PricesError);
    expect((caught as PricesError).exitCode).toBe(2);
    expect((caught as PricesError).message).toMatch(message);
  });

  it('the shipped snapshot is dated and parses', () => {
    const snap = snapshotPrices();
    expect(snap.source).toMatch(/^snapshot:\d{4}-\d{2}-\d{2}$/);
    expect(pricesFor(snap, 'meta-llama/Llama-3.1-8B-Instruct').length).toBeGreaterThanOrEqual(3);
    expect(() => parsePriceMapping([], 'x')).toThrow(PricesError);
  });
});

describe('rates', () => {
  it('blend = share × input + (1 − share) × output', () => {
    // 0.75 × 0.1 + 0.25 × 0.4 = 0.175
    expect(blendedRate(0.1, 0.4, 0.75)).toBeCloseTo(0.175, 12);
    expect(blendedRate(0.1, 0.4, 1)).toBeCloseTo(0.1, 12);
  });

  it('providers sorted ascending by blended $/Mtok', async () => {
    const table = loadPricesFile(await pricesFile(YAML));
    // acme: 0.75×0.1 + 0.25×0.4 = 0.175; hosty: 0.2 → acme first. share 0: acme 0.4, hosty 0.2 → hosty first.
    expect(
      rankProviders(table.entries, 0.75).map((r) => [r.provider, Number(r.blendedUsdPerMtok.toFixed(6))]),
    ).toEqual([
      ['acme', 0.175],
      ['hosty', 0.2],
    ]);
    expect(rankProviders(table.entries, 0).map((r) => r.provider)).toEqual(['hosty', 'acme']);
  });

  it('GPU-hours: $2.50 × 8 GPUs at 10 000 tok/s = 20 / 36e6 × 1e6 = 0.5556 $/Mtok', () => {
    expect(gpuHourCostPerMtok(2.5, 8, 10_000)).toBeCloseTo(20 / 36, 12);
    expect(gpuHourCostPerMtok(2.5, 8, 0)).toBeNull();
  });

  it('run cost: prices file first, then GPU-hours, then the snapshot; never a guess', async () => {
    const file = loadPricesFile(await pricesFile(YAML));
    const snapshot = snapshotPrices();
    const base = { inputTokens: 300, outputTokens: 100, throughputTokPerS: 1000, gpuCount: 1, snapshot };
    // 300 in / 100 out → share 0.75 → acme 0.175, the cheapest.
    const fromFile = runCost({ ...base, model: 'my-org/llama-8b', pricesFile: file, gpuHourUsd: 3.6 });
    expect(fromFile.cost_source).toBe(`${file.source}#acme`);
    expect(fromFile.cost_usd_per_million_tokens).toBeCloseTo(0.175, 12);
    // Not in the file: GPU-hours. 3.6 $/h × 1 GPU / (1000 tok/s × 3600 s) × 1e6 = 1.0
    const fromGpu = runCost({ ...base, model: 'other', pricesFile: file, gpuHourUsd: 3.6 });
    expect(fromGpu).toEqual({ cost_usd_per_million_tokens: 1, cost_source: 'gpu_hour' });
    // Snapshot: deepinfra 0.03 in / 0.05 out at share 0.75 = 0.035.
    const fromSnap = runCost({ ...base, model: 'meta-llama/Llama-3.1-8B-Instruct' });
    expect(fromSnap.cost_source).toBe(`${snapshot.source}#deepinfra`);
    expect(fromSnap.cost_usd_per_million_tokens).toBeCloseTo(0.035, 12);
    const none = runCost({ ...base, model: 'unknown/x' });
    expect(none.cost_usd_per_million_tokens).toBeNull();
    expect(none.reason).toMatch(/no price/);
  });
});

describe('bench cost', () => {
  it('table: cheapest first, with the source', () => {
    const text = renderCostText(
      costReport('meta-llama/Llama-3.1-8B-Instruct', { inputTokenShare: '0.75' }, snapshotPrices()),
    );
    const rows = text
      .split('\n')
      .slice(3, 6)
      .map((l) => l.split(/\s+/)[0]);
    expect(rows).toEqual(['deepinfra', 'together_ai', 'fireworks_ai']);
    expect(text).toMatch(/source: snapshot:/);
  });

  it('--providers filters; an unknown provider or model exits 1 with suggestions', () => {
    const snap = snapshotPrices();
    const r = costReport(
      'meta-llama/Llama-3.1-8B-Instruct',
      { inputTokenShare: '0.5', providers: 'together_ai' },
      snap,
    );
    expect(r.rates.map((x) => x.provider)).toEqual(['together_ai']);
    expect(() =>
      costReport('meta-llama/Llama-3.1-8B-Instruct', { inputTokenShare: '0.5', providers: 'nope' }, snap),
    ).toThrow(/priced at: deepinfra, fireworks_ai, together_ai/);
    expect(closeMatches(snap, 'Llama-3.1-8B')).toContain('meta-llama/Llama-3.1-8B-Instruct');
    try {
      costReport('gpt-4', { inputTokenShare: '0.75' }, snap);
      expect.unreachable();
    } catch (error) {
      expect((error as { exitCode: number }).exitCode).toBe(1);
      expect((error as Error).message).toMatch(/did you mean: .*gpt-4o/);
    }
  });

  it('--input-token-share outside [0, 1] is a usage error (exit 2); --json has the blended rate', () => {
    expect(() => runCostCommand('gpt-4o', { inputTokenShare: '1.5' })).toThrow(/\[0, 1\]/);
    const json = JSON.parse(runCostCommand('gpt-4o', { inputTokenShare: '0.5', json: true })) as {
      providers: { blended_usd_per_million_tokens: number }[];
    };
    // 0.5 × 2.5 + 0.5 × 10 = 6.25
    expect(json.providers[0]!.blended_usd_per_million_tokens).toBeCloseTo(6.25, 9);
  });
});
