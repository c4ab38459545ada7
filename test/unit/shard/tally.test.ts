// Merge exactness on records: N shards' counters and sample blocks, merged, give bit for bit the
// metrics one accumulator computes over the union of the records.
import { describe, expect, it } from 'vitest';
import { flattenMetrics } from '../../../src/envelope/index.js';
import {
  DISTRIBUTION_NAMES,
  MetricsAccumulator,
  type DistributionName,
  type PointMetrics,
  type SloBasis,
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
import { createRng } from '../../../src/lib/rng.js';
import { syntheticRecords, WINDOW } from './records.js';

const SLO: SloTemplate = {
  id: 'test',
  description: '',
  slos: [
    { metric: 'ttft', percentile: 99, maxMs: 40 },
    { metric: 'tpot', percentile: 90, maxMs: 9 },
  ],
};
const OPTIONS = { bootstrapResamples: 200, seed: 42 };

/** What a point judges its SLOs by: the template (or none) and the basis. */
interface Judging {
  readonly slo: SloTemplate | null;
  readonly sloBasis: SloBasis;
}
const SENT: Judging = { slo: SLO, sloBasis: 'sent' };

function single(records: readonly RequestRecord[], judging: Judging = SENT): PointMetrics {
  const acc = new MetricsAccumulator(WINDOW, { ...OPTIONS, ...judging });
  for (const r of records) acc.add(r);
  return acc.finish().metrics;
}

interface ShardPart {
  counters: ShardCounters;
  blocks: Record<DistributionName, unknown>;
}

function shardPart(records: readonly RequestRecord[], exactCap?: number, judging: Judging = SENT): ShardPart {
  const acc = new MetricsAccumulator(WINDOW, { ...OPTIONS, ...judging, ...(exactCap ? { exactCap } : {}) });
  const tally = new ShardTally(WINDOW, judging.slo, judging.sloBasis);
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

function mergedCounters(parts: readonly ShardPart[], judging: Judging = SENT): ShardCounters {
  const sloCount = judging.slo?.slos.length ?? 0;
  return mergeCounters(
    parts.map((p, i) => parseCounters(p.counters, sloCount, `shard ${i}`)),
    sloCount,
  );
}

function merge(parts: readonly ShardPart[], exactCap?: number, judging: Judging = SENT): PointMetrics {
  const samples = {} as Record<DistributionName, SortedSamples>;
  for (const name of DISTRIBUTION_NAMES) {
    const merger = new SampleMerger(exactCap);
    parts.forEach((p, i) => merger.add(decodeSampleBlock(p.blocks[name], `shard ${i} ${name}`)));
    samples[name] = merger.finish();
  }
  return metricsFromParts({
    window: { ...WINDOW, durationS: (WINDOW.endMs - WINDOW.startMs) / 1000 },
    counters: mergedCounters(parts, judging),
    samples,
    slo: judging.slo,
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

/** Some records cancelled on purpose (--cancel-rate): counted apart from every denominator. */
function withCancelled(records: readonly RequestRecord[], seed: number): RequestRecord[] {
  const rng = createRng(seed);
  return records.map((r) => (rng.next() < 0.05 ? { ...r, errorCode: 'cancelled' } : r));
}

describe('one counting for the single process and the shards', () => {
  const plain = syntheticRecords(2000, 8);
  const cancelled = withCancelled(plain, 3);
  const none: Judging = { slo: null, sloBasis: 'sent' };
  const scheduled: Judging = { slo: SLO, sloBasis: 'scheduled' };
  it.each<[string, readonly RequestRecord[], Judging, number]>([
    ['sent basis', plain, SENT, 1],
    ['sent basis', plain, SENT, 4],
    ['scheduled basis', plain, scheduled, 3],
    ['no SLO template', plain, none, 2],
    ['cancelled records, sent basis', cancelled, SENT, 3],
    ['cancelled records, scheduled basis', cancelled, scheduled, 5],
    ['cancelled records, no template', cancelled, none, 1],
  ])('%s, %i shard(s): every counter and metric equals the accumulator', (_name, records, judging, count) => {
    const acc = new MetricsAccumulator(WINDOW, { ...OPTIONS, ...judging });
    for (const r of records) acc.add(r);
    const whole = acc.counters();
    const parts = Array.from({ length: count }, (_, index) =>
      shardPart(shardItems(records, { index, count }), undefined, judging),
    );
    const merged = mergedCounters(parts, judging);
    // Every counter, field by field (toEqual compares numbers with Object.is).
    expect(Object.keys(merged).sort()).toEqual(Object.keys(whole).sort());
    for (const key of Object.keys(whole) as (keyof ShardCounters)[])
      expect([key, merged[key]]).toEqual([key, whole[key]]);
    if (records === cancelled) expect(whole.cancelled).toBeGreaterThan(0);
    expect(whole.sent_in_window).toBeGreaterThan(0);
    expectIdentical(merge(parts, undefined, judging), single(records, judging));
  });

  it('the accumulator and a shard tally count the same records alike', () => {
    const acc = new MetricsAccumulator(WINDOW, { ...OPTIONS, ...scheduled });
    const tally = new ShardTally(WINDOW, SLO, 'scheduled');
    for (const r of cancelled) {
      acc.add(r);
      tally.add(r);
    }
    const toCommon = (t: number): number => 1_790_000_000_000 + t;
    expect(tally.counters(toCommon)).toEqual(acc.counters(toCommon));
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
