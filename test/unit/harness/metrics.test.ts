import { flattenMetrics } from '../../../src/envelope/metrics.js';
import { describe, expect, it } from 'vitest';
import {
  buildMetrics,
  coefficientOfVariation,
  percentile,
  samples,
  type SloTemplate,
} from '../../../src/harness/index.js';
import { rec } from './records.js';

describe('percentile (numpy linear / type 7)', () => {
  // Values checked against numpy.percentile(x, p) by hand: h = (n-1)p/100.
  const cases: [number[], number, number | null][] = [
    [[], 50, null],
    [[5], 99, 5],
    [[1, 2, 3, 4], 50, 2.5],
    [[1, 2, 3, 4], 90, 3.7],
    [[1, 2, 3, 4], 99, 3.97],
    [[10, 1, 7, 3, 5], 50, 5],
    [[10, 1, 7, 3, 5], 25, 3],
    [[10, 1, 7, 3, 5], 99, 9.88],
    [[0, 100], 1, 1],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90, 9.1],
  ];
  it.each(cases)('percentile(%j, %d) = %s', (values, p, expected) => {
    const got = percentile(values, p);
    if (expected === null) expect(got).toBeNull();
    else expect(got).toBeCloseTo(expected, 12);
  });

  it('CoV uses the sample standard deviation', () => {
    // mean 5, sample sd = sqrt(((−3)²+(−1)²+1²+3²)/3) = sqrt(20/3)
    expect(coefficientOfVariation([2, 4, 6, 8])).toBeCloseTo(Math.sqrt(20 / 3) / 5, 12);
    expect(coefficientOfVariation([3])).toBeNull();
  });
});

describe('per-request metrics (DESIGN.md §4)', () => {
  const cases: {
    name: string;
    r: ReturnType<typeof rec>;
    ttft: number | null;
    ttftSched: number | null;
    queue: number;
    ttfo: number | null;
    e2e: number | null;
    tpot: number | null;
    itl: number[];
    icl: number[];
  }[] = [
    {
      name: 'four single-token events',
      r: rec({ tSched: 95, tSend: 100, events: [150, 160, 175, 190] }),
      ttft: 50,
      ttftSched: 55,
      queue: 5,
      ttfo: 50,
      e2e: 90,
      tpot: 40 / 3,
      itl: [10, 15, 15],
      icl: [10, 15, 15],
    },
    {
      name: 'multi-token events: k tokens after gap g give k samples of g/k',
      r: rec({ tSend: 0, events: [20, 50, 56], tokens: [1, 3, 2], osl: 6 }),
      ttft: 20,
      ttftSched: 20,
      queue: 0,
      ttfo: 20,
      e2e: 56,
      tpot: 36 / 5,
      itl: [10, 10, 10, 3, 3],
      icl: [30, 6],
    },
    {
      name: 'osl from usage larger than events (tpot uses osl)',
      r: rec({ tSend: 0, events: [10, 30], tokens: [1, 1], osl: 5 }),
      ttft: 10,
      ttftSched: 10,
      queue: 0,
      ttfo: 10,
      e2e: 30,
      tpot: 5,
      itl: [20],
      icl: [20],
    },
    {
      name: 'osl = 1: tpot undefined, never 0',
      r: rec({ tSend: 0, events: [12] }),
      ttft: 12,
      ttftSched: 12,
      queue: 0,
      ttfo: 12,
      e2e: 12,
      tpot: null,
      itl: [],
      icl: [],
    },
    {
      name: 'reasoning first: ttfo later than ttft',
      r: rec({ tSend: 0, events: [10, 20, 30, 40], tFirstOut: 30 }),
      ttft: 10,
      ttftSched: 10,
      queue: 0,
      ttfo: 30,
      e2e: 40,
      tpot: 10,
      itl: [10, 10, 10],
      icl: [10, 10, 10],
    },
    {
      name: 'no token at all',
      r: rec({ tSend: 5, events: [], errorCode: 'empty_response' }),
      ttft: null,
      ttftSched: null,
      queue: 0,
      ttfo: null,
      e2e: null,
      tpot: null,
      itl: [],
      icl: [],
    },
  ];
  it.each(cases)('$name', (c) => {
    expect(samples.ttftMs(c.r)).toBe(c.ttft);
    expect(samples.ttftSchedMs(c.r)).toBe(c.ttftSched);
    expect(samples.clientQueueDelayMs(c.r)).toBe(c.queue);
    expect(samples.ttfoMs(c.r)).toBe(c.ttfo);
    expect(samples.e2eMs(c.r)).toBe(c.e2e);
    if (c.tpot === null) expect(samples.tpotMs(c.r)).toBeNull();
    else expect(samples.tpotMs(c.r)).toBeCloseTo(c.tpot, 12);
    const itl: number[] = [];
    samples.pushItlSamples(c.r, itl);
    expect(itl).toEqual(c.itl);
    const icl: number[] = [];
    samples.pushIclSamples(c.r, icl);
    expect(icl).toEqual(c.icl);
  });
});

describe('buildMetrics: window, rates, throughput variants', () => {
  // Window [1000, 3000] ms = 2 s.
  const window = { startMs: 1000, endMs: 3000 };
  const records = [
    // warm-up: excluded everywhere except tokens-in-window (it finished before the window anyway)
    rec({ tSend: 0, events: [100, 200], warmup: true }),
    // sent before the window (gate phase): not measured, but its tokens inside W count
    rec({ tSend: 500, events: [900, 1100, 1200] }), // 2 tokens in W
    // measured, ok: 4 tokens, all in W
    rec({ tSend: 1000, events: [1100, 1200, 1300, 1400], inputTokens: 10 }),
    // measured, ok, multi-token: 1 + 3 tokens; last event at 3100 is outside W (3 tokens out)
    rec({ tSend: 2000, events: [2100, 3100], tokens: [1, 3], osl: 4, inputTokens: 20 }),
    // measured, failed
    rec({ tSend: 2500, events: [2600], errorCode: 'reset' }),
    rec({ tSend: 2600, events: [], errorCode: 'http_500' }),
    // scheduled after the window ends: not measured
    rec({ tSend: 3500, events: [3600, 3700] }),
  ];
  const m = buildMetrics(records, window, { bootstrapResamples: 100, seed: 1 });

  it('counts measured requests by scheduled time, errors in the denominator', () => {
    expect(m.counts).toMatchObject({
      measured: 4,
      ok: 2,
      failed: 2,
      errorsByCode: { reset: 1, http_500: 1 },
    });
    expect(m.okRate).toBe(0.5);
  });

  it('throughput counts tokens of successful requests arriving inside the window', () => {
    // 2 (pre-window request) + 4 + 1 = 7 tokens in 2 s; the failed request's token does not count.
    expect(m.tokensInWindow).toBe(7);
    expect(m.throughputTokPerS).toBe(3.5);
  });

  it('req/s counts successful non-warm-up completions (t_last) inside the window', () => {
    // completions with t_last in [1000, 3000]: the pre-window one (1200) and the 1400 one.
    expect(m.reqPerSAll).toBe(1);
  });

  it('vLLM and AIPerf variants use their own spans over measured successful requests', () => {
    // osl total = 4 + 4 = 8; first dispatch 1000; last completion tDone = 3101; last token 3100.
    expect(m.throughputTokPerSVllm).toBeCloseTo(8 / 2.101, 10);
    expect(m.throughputTokPerSAiperf).toBeCloseTo(8 / 2.1, 10);
  });

  it('distributions only hold measured successful requests', () => {
    expect(m.distributions.ttft.n).toBe(2);
    expect(m.distributions.ttft.p50).toBe(100);
    expect(m.distributions.itl.n).toBe(3 + 3); // 3 gaps of 100 + 3 samples of 1000/3
    expect(m.oslMean).toBe(4);
    expect(m.islMean).toBe(15);
  });

  it('reports the share of coalesced events (gaps of exactly 0)', () => {
    const m2 = buildMetrics(
      [rec({ tSend: 0, events: [10, 10, 10, 20, 30] })],
      { startMs: 0, endMs: 100 },
      { bootstrapResamples: 0 },
    );
    expect(m2.coalescedFraction).toBe(0.5);
    expect(flattenMetrics(m2).metrics.icl_coalesced_fraction).toBe(0.5);
  });

  it('flattens to envelope keys with CIs and their n', () => {
    const { metrics, ci } = flattenMetrics(m);
    expect(metrics.ttft_p50_ms).toBe(100);
    expect(metrics.total_p50_ms).toBe(m.distributions.total.p50);
    expect(metrics.throughput_tok_per_s).toBe(3.5);
    expect(metrics.ok_rate).toBe(0.5);
    expect(ci.ttft_p99_ms?.n).toBe(2);
    expect(metrics.tpot_p99_ms).not.toBe(0);
  });
});

describe('SLO compliance and goodput (table-driven)', () => {
  const template: SloTemplate = {
    id: 't',
    description: '',
    slos: [
      { metric: 'ttft', percentile: 99, maxMs: 100 },
      { metric: 'tpot', percentile: 99, maxMs: 10 },
    ],
  };
  const window = { startMs: 0, endMs: 10_000 };
  // Each row: records → expected good / compliance / per-SLO pass rates / goodput.
  const cases: {
    name: string;
    records: ReturnType<typeof rec>[];
    good: number;
    compliance: number | null;
    ttftPass: number | null;
    tpotPass: number | null;
    reqPerSPassing: number;
    goodputTok: number;
  }[] = [
    {
      name: 'all good',
      records: [
        rec({ tSend: 0, events: [50, 55, 60] }), // ttft 50, tpot 5
        rec({ tSend: 100, events: [200, 210] }), // ttft 100 (inclusive), tpot 10 (inclusive)
      ],
      good: 2,
      compliance: 1,
      ttftPass: 1,
      tpotPass: 1,
      reqPerSPassing: 0.2,
      goodputTok: 0.5,
    },
    {
      name: 'one slow TTFT, one slow TPOT, one error, one good',
      records: [
        rec({ tSend: 0, events: [150, 155] }), // ttft 150 ✗, tpot 5 ✓
        rec({ tSend: 0, events: [50, 100] }), // ttft ✓, tpot 50 ✗
        rec({ tSend: 0, events: [], errorCode: 'timeout' }),
        rec({ tSend: 0, events: [20, 25, 30, 35] }), // good, 4 tokens
      ],
      good: 1,
      compliance: 0.25,
      ttftPass: 0.5,
      tpotPass: 0.5,
      reqPerSPassing: 0.1,
      goodputTok: 0.4,
    },
    {
      name: 'osl 1: undefined tpot passes the tpot SLO',
      records: [rec({ tSend: 0, events: [30] })],
      good: 1,
      compliance: 1,
      ttftPass: 1,
      tpotPass: 1,
      reqPerSPassing: 0.1,
      goodputTok: 0.1,
    },
    {
      name: 'a good request sent before the window: only its tokens inside the window count (goodput ≤ throughput)',
      records: [rec({ tSend: -60, events: [-10, -5, 0, 5] })], // ttft 50, tpot 5: good; 2 tokens at t ≥ 0
      good: 0, // not measured: scheduled before the window
      compliance: null,
      ttftPass: null,
      tpotPass: null,
      reqPerSPassing: 0.1, // it completes inside the window
      goodputTok: 0.2,
    },
    {
      name: 'nothing measured',
      records: [],
      good: 0,
      compliance: null,
      ttftPass: null,
      tpotPass: null,
      reqPerSPassing: 0,
      goodputTok: 0,
    },
  ];
  it.each(cases)('$name', (c) => {
    const m = buildMetrics(c.records, window, { slo: template, bootstrapResamples: 0 });
    expect(m.counts.good).toBe(c.good);
    expect(m.complianceRate).toBe(c.compliance);
    expect(m.slo?.perSloPassRate.ttft).toBe(c.ttftPass);
    expect(m.slo?.perSloPassRate.tpot).toBe(c.tpotPass);
    expect(m.reqPerSPassing).toBeCloseTo(c.reqPerSPassing, 12);
    expect(m.goodputTokPerS).toBeCloseTo(c.goodputTok, 12);
    expect(m.goodputTokPerS ?? 0).toBeLessThanOrEqual(m.throughputTokPerS ?? 0);
  });

  it('p99 targets: met only when every template percentile meets its limit', () => {
    const good = buildMetrics([rec({ tSend: 0, events: [50, 55, 60] })], window, {
      slo: template,
      bootstrapResamples: 0,
    });
    expect(good.slo?.p99TargetsMet).toBe(true);
    const bad = buildMetrics(
      [rec({ tSend: 0, events: [50, 55, 60] }), rec({ tSend: 0, events: [500, 505] })],
      window,
      { slo: template, bootstrapResamples: 0 },
    );
    expect(bad.slo?.targets[0]).toMatchObject({ metric: 'ttft', met: false });
    expect(bad.slo?.targets[1]).toMatchObject({ metric: 'tpot', met: true });
    expect(bad.slo?.p99TargetsMet).toBe(false);
  });
});
