// Merge exactness on records: N shards' counters and sample blocks, merged, give bit for bit the
// metrics one accumulator computes over the union of the records.
import { describe, expect, it } from 'vitest';
import { flattenMetrics } from '../../../src/envelope/index.js';
import {
  DISTRIBUTION_NAMES,
  MetricsAccumulator,
  type DistributionName,
  type PointMetrics,
} from '../../../src/harness/metrics/compute.js';
import type { SortedSamples } from '../../../src/harness/metrics/sample-sink.js';
import type { SloTemplate } from '../../../src/harness/metrics/slo.js';
import { SampleMerger } from '../../../src/harness/shard/merge-samples.js';
import { shardItems } from '../../../src/harness/shard/plan.js';
import { decodeSampleBlock, encodeSortedSamples } from '../../../src/harness/shard/sample-block.js';
import {
  mergeCounters,
  metricsFromParts,
  parseCounters,
  ShardTally,
  type ShardCounters,
} from '../../../src/harness/shard/tally.js';
import type { RequestRecord } from '../../../src/harness/types.js';
import { syntheticRecords, WINDOW } from './records.js';

const SLO: SloTemplate = {
  id: 'test',
  description: '',
  slos: [
    { metric: 'ttft', percentile: 99, maxMs: 40 },
    { metric: 'tpot', percentile: 90, maxMs: 9 },
  ],
};
const OPTIONS = { slo: SLO, bootstrapResamples: 200, seed: 42 };

function single(records: readonly RequestRecord[]): PointMetrics {
  const acc = new MetricsAccumulator(WINDOW, OPTIONS);
  for (const r of records) acc.add(r);
  return acc.finish().metrics;
}

interface ShardPart {
  counters: ShardCounters;
  blocks: Record<DistributionName, unknown>;
}

function shardPart(records: readonly RequestRecord[], exactCap?: number): ShardPart {
  const acc = new MetricsAccumulator(WINDOW, { ...OPTIONS, ...(exactCap ? { exactCap } : {}) });
  const tally = new ShardTally(WINDOW, SLO);
  for (const r of records) {
    acc.add(r);
    tally.add(r);
  }
  const { samples } = acc.finish();
  const blocks = {} as Record<DistributionName, unknown>;
  // Through JSON, as the envelope carries them.
  for (const name of DISTRIBUTION_NAMES)
    blocks[name] = JSON.parse(JSON.stringify(encodeSortedSamples(samples[name])));
  return { counters: JSON.parse(JSON.stringify(tally.counters())) as ShardCounters, blocks };
}

function merge(parts: readonly ShardPart[], exactCap?: number): PointMetrics {
  const samples = {} as Record<DistributionName, SortedSamples>;
  for (const name of DISTRIBUTION_NAMES) {
    const merger = new SampleMerger(exactCap);
    parts.forEach((p, i) => merger.add(decodeSampleBlock(p.blocks[name], `shard ${i} ${name}`)));
    samples[name] = merger.finish();
  }
  const counters = mergeCounters(
    parts.map((p, i) => parseCounters(p.counters, SLO.slos.length, `shard ${i}`)),
    SLO.slos.length,
  );
  return metricsFromParts({
    window: { ...WINDOW, durationS: (WINDOW.endMs - WINDOW.startMs) / 1000 },
    counters,
    samples,
    slo: SLO,
    bootstrapResamples: OPTIONS.bootstrapResamples,
    seed: OPTIONS.seed,
  });
}

/** Every flat metric and CI bound, compared with Object.is (bit for bit; -0 ≠ 0). */
function expectIdentical(actual: PointMetrics, expected: PointMetrics): void {
  const a = flattenMetrics(actual);
  const e = flattenMetrics(expected);
  expect(Object.keys(a.metrics).sort()).toEqual(Object.keys(e.metrics).sort());
  for (const key of Object.keys(e.metrics)) {
    if (!Object.is(a.metrics[key], e.metrics[key]))
      expect.fail(`${key}: merged ${String(a.metrics[key])} ≠ single ${String(e.metrics[key])}`);
  }
  expect(a.ci).toEqual(e.ci);
  expect(actual.counts).toEqual(expected.counts);
  expect(actual.slo).toEqual(expected.slo);
}

describe('merge exactness', () => {
  const records = syntheticRecords(3000, 5);

  it('one shard: the parts rebuild the accumulator metrics exactly', () => {
    expectIdentical(merge([shardPart(records)]), single(records));
  });

  it.each([2, 3, 8])('%i shards (round-robin) merge to the single computation, bit for bit', (count) => {
    const parts = Array.from({ length: count }, (_, index) =>
      shardPart(shardItems(records, { index, count })),
    );
    expectIdentical(merge(parts), single(records));
  });

  it('holds for any partition, not only round-robin (records by their own index parity and size)', () => {
    const parts = [records.slice(0, 7), records.slice(7, 2000), records.slice(2000)].map((r) => shardPart(r));
    expectIdentical(merge(parts), single(records));
  });

  it('an empty shard adds nothing', () => {
    expectIdentical(merge([shardPart(records), shardPart([])]), single(records));
  });

  it('a missing shard changes the result (the merge cannot hide it)', () => {
    const parts = [0, 1, 2].map((index) => shardPart(shardItems(records, { index, count: 3 })));
    const whole = single(records);
    const partial = merge(parts.slice(0, 2));
    expect(partial.counts.measured).toBeLessThan(whole.counts.measured);
  });

  it('past the exact cap the merge bins like SampleSink (count exact, percentiles within 0.034 %)', () => {
    const parts = [0, 1].map((index) => shardPart(shardItems(records, { index, count: 2 }), 1024));
    const merged = merge(parts, 1024);
    const truth = single(records);
    expect(merged.distributions.itl.exact).toBe(false);
    expect(merged.distributions.itl.n).toBe(truth.distributions.itl.n);
    for (const p of ['p50', 'p90', 'p99'] as const) {
      const t = truth.distributions.itl[p] as number;
      expect(Math.abs((merged.distributions.itl[p] as number) - t)).toBeLessThanOrEqual(
        Math.abs(t) * 0.00035,
      );
    }
  });
});

describe('parseCounters', () => {
  const good = new ShardTally(WINDOW, SLO);
  for (const r of syntheticRecords(50, 1)) good.add(r);
  const counters = good.counters();
  it.each<[string, unknown, RegExp]>([
    ['missing', null, /counters missing/],
    ['a negative count', { ...counters, ok: -1 }, /counters.ok/],
    ['a fractional count', { ...counters, tokens_in_window: 1.5 }, /tokens_in_window/],
    ['a wrong SLO list', { ...counters, slo_pass: [1] }, /slo_pass must list 2/],
    ['a bad time', { ...counters, last_token_ms: 'x' }, /last_token_ms/],
    ['ok + errors ≠ measured', { ...counters, measured: counters.measured + 1 }, /inconsistent/],
  ])('refuses %s', (_name, value, message) => {
    expect(() => parseCounters(value, 2, 'shard 0')).toThrow(message);
  });
});
