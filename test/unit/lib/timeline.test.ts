import { describe, expect, it } from 'vitest';
import { TIMELINE_COLUMNS, TimelineBuilder } from '../../../src/lib/timeline.js';

describe('TimelineBuilder', () => {
  it('buckets samples by second: rates, means, maxima, last values; empty buckets null (rates 0)', () => {
    const t = new TimelineBuilder(10_000, { tok: 'rate', power: 'mean', lag: 'max', hit: 'last' });
    t.add('tok', 10_100, 30);
    t.add('tok', 10_900, 20);
    t.add('tok', 12_500, 7);
    t.add('power', 10_000, 100);
    t.add('power', 10_999, 300);
    t.add('lag', 10_200, 4);
    t.add('lag', 10_300, 9);
    t.add('lag', 10_400, 2);
    t.add('hit', 10_100, 0.2);
    t.add('hit', 10_800, 0.5);
    t.add('power', 9_999, 1e9); // before the origin: dropped
    t.add('power', 12_100, Number.NaN); // not a number: dropped
    t.add('nope', 10_100, 1); // unknown column: dropped
    const block = t.block({ startMs: 10_500, endMs: 12_000 });
    expect(block).toEqual({
      bucket_s: 1,
      origin: 'point_start',
      started_at: null,
      window_s: [0.5, 2],
      t_s: [0, 1, 2],
      series: {
        tok: [50, 0, 7],
        power: [200, null, null],
        lag: [9, null, null],
        hit: [0.5, null, null],
      },
    });
  });

  it('stays within maxPoints however long the point: buckets merge pairwise and keep their totals', () => {
    const t = new TimelineBuilder(0, { tok: 'rate', power: 'mean', lag: 'max' }, { maxPoints: 8 });
    let tokens = 0;
    for (let ms = 0; ms < 100_000; ms += 250) {
      t.add('tok', ms, 10);
      tokens += 10;
      t.add('power', ms, ms < 50_000 ? 100 : 300);
      t.add('lag', ms, ms === 77_000 ? 42 : 1);
    }
    const block = t.block(null);
    expect(block.t_s.length).toBeLessThanOrEqual(8);
    expect(block.bucket_s).toBe(16); // 1 → 2 → 4 → 8 → 16 s: 100 s fits in 7 buckets
    const rates = block.series['tok'] as number[];
    // every token is still counted: Σ rate × width = total
    expect(rates.reduce((a, r) => a + r * block.bucket_s, 0)).toBe(tokens);
    expect(Math.max(...(block.series['lag'] as number[]))).toBe(42);
    expect(block.series['power']?.[0]).toBe(100);
    expect(block.series['power']?.at(-1)).toBe(300);
  });

  it('untilMs extends the grid so trailing idle seconds read 0 tok/s; unused columns are left out', () => {
    const t = new TimelineBuilder(0, TIMELINE_COLUMNS, { originEpochMs: Date.UTC(2026, 11, 4, 10) });
    t.add('output_tok_per_s', 500, 12);
    const block = t.block({ startMs: 0, endMs: 3000 }, 3000);
    expect(block.t_s).toEqual([0, 1, 2]);
    expect(block.started_at).toBe('2026-12-04T10:00:00.000Z');
    expect(Object.keys(block.series)).toEqual(['output_tok_per_s']);
    expect(block.series['output_tok_per_s']).toEqual([12, 0, 0]);
    // the last bucket observed for 250 ms only: its rate is over those 250 ms
    const partial = new TimelineBuilder(0, TIMELINE_COLUMNS);
    partial.add('output_tok_per_s', 100, 10);
    partial.add('output_tok_per_s', 1100, 5);
    expect(partial.block(null, 1250).series['output_tok_per_s']).toEqual([10, 20]);
  });

  it('refuses an odd or tiny capacity', () => {
    expect(() => new TimelineBuilder(0, {}, { maxPoints: 7 })).toThrow(RangeError);
    expect(() => new TimelineBuilder(0, {}, { maxPoints: 0 })).toThrow(RangeError);
  });
});

describe('timeline block and the envelope schema', () => {
  it('a built block validates against the envelope schema, one over the bound does not', async () => {
    const { envelopeV1Schema } = await import('../../../src/envelope/schema.js');
    const t = new TimelineBuilder(0, TIMELINE_COLUMNS);
    for (let ms = 0; ms < 3_000_000; ms += 500) t.add('output_tok_per_s', ms, 3);
    const block = t.block({ startMs: 1000, endMs: 2_999_000 });
    const timeline = envelopeV1Schema.shape.timeline;
    expect(timeline.safeParse(block).success).toBe(true);
    expect(timeline.safeParse({ ...block, t_s: [...block.t_s, ...block.t_s] }).success).toBe(false);
  });
});
