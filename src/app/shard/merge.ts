// `bench merge`: N verified shard envelopes of one run → one envelope whose distributions are
// recomputed from the union of the shards' samples (exact while the union fits the exact cap),
// whose counts are sums, and whose rates are over the common window. Pure over loaded inputs:
// reading, verifying, signing and writing are the command's job (src/app/commands/merge.ts).
import { canonicalJson, flattenMetrics, scrub, timestampMicros } from '../../envelope/index.js';
import type { EnvelopeV1, UnsignedEnvelope } from '../../envelope/index.js';
import {
  DISTRIBUTION_NAMES,
  type DistributionName,
  type PointMetrics,
} from '../../harness/metrics/compute.js';
import { histogramViewOfSorted } from '../../harness/metrics/histogram-view.js';
import { percentileSorted } from '../../harness/metrics/percentile.js';
import { DEFAULT_EXACT_CAP, type SortedSamples } from '../../harness/metrics/sample-sink.js';
import { parseShardBlock, sloOfBlock, type ShardBlock } from '../../harness/shard/block.js';
import { SampleMerger } from '../../harness/shard/merge-samples.js';
import { decodeSampleBlock } from '../../harness/shard/sample-block.js';
import { mergeCounters, metricsFromParts } from '../../harness/shard/tally.js';
import { VERSION } from '../version.js';

export const DEFAULT_WINDOW_TOLERANCE_MS = 50;

export class MergeError extends Error {
  readonly code: string;
  readonly exitCode: number;
  constructor(code: string, message: string, exitCode: number) {
    super(message);
    this.name = 'MergeError';
    this.code = code;
    this.exitCode = exitCode;
  }
}

export interface ShardInput {
  readonly path: string;
  readonly envelope: EnvelopeV1;
  /** sha256 content hash, recomputed by verification. */
  readonly contentHash: string;
}

export interface MergeOptions {
  readonly toleranceMs?: number;
  /** Exact cap of a merged distribution (default SampleSink's, 4 Mi values). */
  readonly exactCap?: number;
  readonly now?: Date;
}

export interface MergeResult {
  /** The unsigned merged envelope. */
  readonly envelope: UnsignedEnvelope;
  readonly metrics: PointMetrics;
  readonly runId: string;
  readonly shards: number;
  readonly windowSpreadMs: { readonly start: number; readonly end: number };
}

interface Shard {
  readonly input: ShardInput;
  readonly block: ShardBlock;
  readonly label: string;
}

/** Fields every shard of one run must share, named as the error message shows them. */
const SHARED: readonly [string, (s: Shard) => unknown][] = [
  ['tool version', (s) => s.block.tool_version],
  ['shard count', (s) => s.block.count],
  ['run settings (shard.run)', (s) => s.block.run],
  ['run seed', (s) => s.block.run_seed],
  ['suite', (s) => [s.input.envelope.suite_id, s.input.envelope.suite_version]],
  ['model', (s) => s.input.envelope.model.id],
  [
    'engine',
    (s) => [
      s.input.envelope.engine.name,
      s.input.envelope.engine.version,
      s.input.envelope.engine.config_hash,
    ],
  ],
  ['dataset', (s) => s.input.envelope.dataset],
  ['SLO template', (s) => s.block.slo],
  ['bootstrap resamples', (s) => s.block.bootstrap_resamples],
];

function describeIndices(indices: readonly number[]): string {
  const shown = indices.slice(0, 10).join(', ');
  return indices.length > 10 ? `${shown} … (${indices.length} in all)` : shown;
}

function checkShards(inputs: readonly ShardInput[], toleranceMs: number): Shard[] {
  if (inputs.length === 0) throw new MergeError('E_MERGE_USAGE', 'no shard envelopes given', 2);
  const shards = inputs.map((input): Shard => {
    const block = parseShardBlock((input.envelope as Record<string, unknown>).shard, input.path);
    return { input, block, label: `${input.path} (shard ${block.index}/${block.count})` };
  });
  const first = shards[0] as Shard;
  const runs = new Set(shards.map((s) => s.block.run_id));
  if (runs.size > 1)
    throw new MergeError(
      'E_MERGE_RUN',
      `shards of different runs: ${[...runs].slice(0, 4).join(', ')} (merge the shards of one run only)`,
      2,
    );
  for (const [what, get] of SHARED) {
    const expected = canonicalJson(get(first) ?? null);
    for (const s of shards.slice(1))
      if (canonicalJson(get(s) ?? null) !== expected)
        throw new MergeError('E_MERGE_MISMATCH', `${s.label} differs from ${first.label} in ${what}`, 2);
  }
  const byIndex = new Map<number, Shard>();
  for (const s of shards) {
    const seen = byIndex.get(s.block.index);
    if (seen !== undefined)
      throw new MergeError(
        'E_MERGE_DUPLICATE',
        `shard ${s.block.index} given twice: ${seen.input.path} and ${s.input.path}`,
        2,
      );
    byIndex.set(s.block.index, s);
  }
  const count = first.block.count;
  const missing: number[] = [];
  for (let i = 0; i < count; i++) if (!byIndex.has(i)) missing.push(i);
  if (missing.length > 0)
    throw new MergeError(
      'E_MERGE_MISSING',
      `run ${first.block.run_id}: shard${missing.length === 1 ? '' : 's'} ${describeIndices(missing)} of ${count} missing; ` +
        'refusing to merge a partial run (a shard that failed or was killed leaves no envelope)',
      1,
    );
  for (const s of shards) {
    const context = (s.input.envelope.run_context ?? {}) as Record<string, unknown>;
    if (context.incomplete === true)
      throw new MergeError('E_MERGE_INCOMPLETE', `${s.label} is incomplete (the shard stopped early)`, 1);
  }
  const starts = shards.map((s) => s.block.window.start_ms);
  const ends = shards.map((s) => s.block.window.end_ms);
  const spread = (xs: number[]): number => Math.max(...xs) - Math.min(...xs);
  for (const [edge, xs] of [
    ['start', starts],
    ['end', ends],
  ] as const) {
    if (spread(xs) > toleranceMs) {
      const early = shards[xs.indexOf(Math.min(...xs))] as Shard;
      const late = shards[xs.indexOf(Math.max(...xs))] as Shard;
      throw new MergeError(
        'E_MERGE_WINDOW',
        `measurement windows disagree: ${edge}s of shard ${early.block.index} and shard ${late.block.index} are ` +
          `${spread(xs).toFixed(1)} ms apart (tolerance ${toleranceMs} ms; --window-tolerance to change)`,
        1,
      );
    }
  }
  return [...byIndex.entries()].sort((a, b) => a[0] - b[0]).map(([, s]) => s);
}

function clientHealth(s: Shard): Record<string, unknown> {
  const quality = (s.input.envelope.quality ?? {}) as Record<string, unknown>;
  return {
    index: s.block.index,
    content_hash: s.input.contentHash,
    file: s.input.path.split(/[\\/]/).pop() ?? s.input.path,
    valid: quality.valid !== false,
    client: quality.client ?? null,
    window: s.block.window,
    clock: {
      offset_ms: s.block.clock.start.offset_ms,
      round_trip_ms: s.block.clock.start.round_trip_ms,
      skew_ppm: s.block.clock.skew_ppm,
    },
    counts: { measured: s.block.counters.measured, ok: s.block.counters.ok },
    hardware_fingerprint_sha256: s.input.envelope.hardware_fingerprint.fingerprint_sha256,
  };
}

export function mergeShards(inputs: readonly ShardInput[], options: MergeOptions = {}): MergeResult {
  const toleranceMs = options.toleranceMs ?? DEFAULT_WINDOW_TOLERANCE_MS;
  const shards = checkShards(inputs, toleranceMs);
  const first = shards[0] as Shard;
  const slo = sloOfBlock(first.block);
  const sloCount = slo?.slos.length ?? 0;

  // One distribution at a time: memory holds at most one merged distribution (≤ the exact cap).
  const samples = {} as Record<DistributionName, SortedSamples>;
  for (const name of DISTRIBUTION_NAMES) {
    const merger = new SampleMerger(options.exactCap ?? DEFAULT_EXACT_CAP);
    for (const s of shards)
      merger.add(decodeSampleBlock(s.block.samples[name], `${s.label}: samples.${name}`));
    samples[name] = merger.finish();
  }
  const counters = mergeCounters(
    shards.map((s) => s.block.counters),
    sloCount,
  );
  const starts = shards.map((s) => s.block.window.start_ms);
  const ends = shards.map((s) => s.block.window.end_ms);
  // Every shard measured for its own window; the windows agree within the tolerance. Rates divide
  // the summed counts by the shards' mean window length.
  const durationS = shards.reduce((a, s) => a + s.block.window.duration_s, 0) / shards.length;
  const metrics = metricsFromParts({
    window: { startMs: Math.max(...starts), endMs: Math.min(...ends), durationS },
    counters,
    samples,
    slo,
    bootstrapResamples: first.block.bootstrap_resamples,
    seed: first.block.run_seed,
  });
  const flat = flattenMetrics(metrics);
  const base = first.input.envelope;
  const baseMetrics = base.metrics;
  const now = options.now ?? new Date();
  const histograms: Record<string, unknown> = {};
  for (const name of ['ttft', 'tpot', 'itl', 'total'] as const) {
    const view = histogramViewOfSorted(
      samples[name],
      percentileSorted(samples[name], 50),
      percentileSorted(samples[name], 99),
    );
    histograms[`${name}_ms`] = { edges_ms: [...view.edgesMs], counts: [...view.counts] };
  }
  const metricCi: Record<string, unknown> = {};
  for (const [key, ci] of Object.entries(flat.ci)) metricCi[key] = { ...ci, level: 0.95 };
  const warnings = new Set<string>();
  // Each shard's own "covers 1/N of the load" note does not apply to the merged run.
  const shardNote = /^shard \d+\/\d+ of run /;
  for (const s of shards) for (const w of s.input.envelope.warnings) if (!shardNote.test(w)) warnings.add(w);
  warnings.add(
    `merged from ${shards.length} shards; energy and power are not merged (each shard measured its own host)`,
  );
  for (const name of DISTRIBUTION_NAMES)
    if (!samples[name].exact)
      warnings.add(
        `${name}: more samples than the exact cap; merged from log buckets (values within 0.034 %)`,
      );
  const shardContext = (base.run_context ?? {}) as Record<string, unknown>;
  const shardList = shards.map(clientHealth);
  const windowSpreadMs = {
    start: Math.max(...starts) - Math.min(...starts),
    end: Math.max(...ends) - Math.min(...ends),
  };
  const envelope = scrub({
    envelope_version: 'v1',
    suite_id: base.suite_id,
    suite_version: base.suite_version,
    run_id: first.block.run_id,
    timestamp: timestampMicros(now),
    model: base.model,
    engine: base.engine,
    quantization: base.quantization,
    hardware_fingerprint: base.hardware_fingerprint,
    software_provenance: base.software_provenance,
    dataset: base.dataset,
    seed: first.block.run_seed,
    driver_options:
      (first.block.run.driver_options as Record<string, unknown> | undefined) ?? base.driver_options,
    metrics: {
      ...flat.metrics,
      power_avg_w: null,
      power_peak_w: null,
      energy_joules_total: null,
      joules_per_token: null,
      ...(baseMetrics.slo_hardware_class !== undefined
        ? { slo_hardware_class: baseMetrics.slo_hardware_class }
        : {}),
      ...(baseMetrics.slo_template_resolved !== undefined
        ? { slo_template_resolved: baseMetrics.slo_template_resolved }
        : {}),
    },
    distributions: {},
    slo_template: base.slo_template,
    warnings: [...warnings],
    signature: null,
    run_context: {
      ...shardContext,
      tool: { name: 'inferencebench', version: VERSION },
      merged_by: 'bench merge',
      measurement_window_s: durationS,
      incomplete: false,
      sharded: { count: shards.length, run_id: first.block.run_id },
    },
    quality: {
      valid: shardList.every((s) => s.valid),
      shards_valid: shardList.filter((s) => s.valid).length,
      slo: metrics.slo,
      exact: Object.fromEntries(DISTRIBUTION_NAMES.map((n) => [n, samples[n].exact])),
    },
    counts: {
      ...metrics.counts,
      warmup_discarded: counters.warmup,
      outside_window: counters.outside_window,
      tokens_in_window: counters.tokens_in_window,
    },
    metric_ci: metricCi,
    histograms,
    telemetry: { source: 'none', note: 'not merged: see each shard envelope' },
    merge: {
      format: 'inferencebench.merge/v1',
      run_id: first.block.run_id,
      window: {
        start_ms: Math.max(...starts),
        end_ms: Math.min(...ends),
        duration_s: durationS,
        spread_ms: windowSpreadMs,
        tolerance_ms: toleranceMs,
      },
      shards: shardList,
    },
  }) as UnsignedEnvelope;
  return { envelope, metrics, runId: first.block.run_id, shards: shards.length, windowSpreadMs };
}
