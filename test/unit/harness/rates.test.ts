// Queueing in the headline and offered vs achieved rate (issue 17 case 1), hand-computed.
import { describe, expect, it } from 'vitest';
import { buildMetrics } from '../../../src/harness/metrics/compute.js';
import type { SloTemplate } from '../../../src/harness/metrics/slo.js';
import { checkOfferedRate, decideTier, queueDelayMaterial } from '../../../src/harness/metrics/statistics.js';
import { rec } from './records.js';

describe('client queue delay is material', () => {
  it.each([
    [0.4, 30, false], // closed loop: µs of client overhead
    [0.9, 5, true], // under 1 ms but above 10 % of a 5 ms TTFT p99
    [1.2, 100, true], // above 1 ms
    [9800, 20, true], // the issue: 9.8 s queued, TTFT 20 ms
    [null, 20, false],
  ])('queue p99 %s ms with TTFT p99 %s ms → %s', (q, t, want) => {
    expect(queueDelayMaterial(q, t)).toBe(want);
  });
});

describe('offered vs achieved rate', () => {
  it('the issue: 6 req/s offered, 30 arrivals in 5 s, 16 sent (3.2 req/s) — flagged', () => {
    const c = checkOfferedRate({ offeredRps: 6, windowS: 5, scheduledInWindow: 30, sentInWindow: 16 });
    // z = (16 − 30) / √30 = −2.556: beyond the ±2 band of Poisson noise for n = 30
    expect(c.z).toBeCloseTo(-14 / Math.sqrt(30), 12);
    expect(c.offeredRealisedRps).toBe(6);
    expect(c.achievedRps).toBeCloseTo(3.2, 12);
    expect(c.warning).toBe(
      'open loop: achieved 3.20 req/s against 6 offered (16 sent of 30 arrivals in 5.0 s, beyond ±11 Poisson noise): ' +
        'requests waited in the client — latencies from t_send hide it; read ttft_sched and total_sched',
    );
  });

  it('a bursty process that happened to offer fewer arrivals, all sent, is not flagged', () => {
    // gamma(0.5) at 6 req/s produced only 19 arrivals in 5 s; the client sent all of them
    const c = checkOfferedRate({ offeredRps: 6, windowS: 5, scheduledInWindow: 19, sentInWindow: 19 });
    expect(c.z).toBe(0);
    expect(c.offeredRealisedRps).toBeCloseTo(3.8, 12);
    expect(c.warning).toBeNull();
  });

  it('within 2 √n is noise (edge crossings), beyond it is not', () => {
    // n = 300: 2 √300 = 34.6
    expect(
      checkOfferedRate({ offeredRps: 10, windowS: 30, scheduledInWindow: 300, sentInWindow: 270 }).warning,
    ).toBeNull();
    const low = checkOfferedRate({ offeredRps: 10, windowS: 30, scheduledInWindow: 300, sentInWindow: 260 });
    expect(low.z).toBeCloseTo(-40 / Math.sqrt(300), 12);
    expect(low.warning).toMatch(
      /^open loop: achieved 8\.67 req\/s against 10 offered \(260 sent of 300 arrivals/,
    );
    // tiny n: √ floors at 1
    expect(checkOfferedRate({ offeredRps: 0.2, windowS: 5, scheduledInWindow: 1, sentInWindow: 0 }).z).toBe(
      -1,
    );
  });
});

describe('open loop: the SLO verdict and goodput use the user-perceived times', () => {
  const template: SloTemplate = {
    id: 't',
    description: '',
    slos: [
      { metric: 'ttft', percentile: 99, maxMs: 200 },
      { metric: 'total', percentile: 99, maxMs: 1000 },
    ],
  };
  const window = { startMs: 0, endMs: 10_000 };
  // Four requests, TTFT 20 ms from t_send each; the last two waited 500 ms and 1500 ms in the client.
  const records = [
    rec({ tSched: 0, tSend: 0, events: [20, 120] }),
    rec({ tSched: 1000, tSend: 1000, events: [1020, 1120] }),
    rec({ tSched: 2000, tSend: 2500, events: [2520, 2620] }), // ttft_sched 520, total_sched 620
    rec({ tSched: 3000, tSend: 4500, events: [4520, 4620] }), // ttft_sched 1520, total_sched 1620
  ];

  it("basis 'sent' (closed loop): all four pass — the queueing is invisible", () => {
    const m = buildMetrics(records, window, { slo: template, bootstrapResamples: 0 });
    expect(m.complianceRate).toBe(1);
    expect(m.slo?.basis).toBe('sent');
    expect(m.slo?.targets.map((t) => [t.metric, t.judgedOn, t.valueMs])).toEqual([
      ['ttft', 'ttft', 20],
      ['total', 'total', 120],
    ]);
  });

  it("basis 'scheduled' (open loop): ttft judged as ttft_sched, total as total_sched", () => {
    const m = buildMetrics(records, window, { slo: template, sloBasis: 'scheduled', bootstrapResamples: 0 });
    // good: the first two only (ttft_sched 520 and 1520 > 200)
    expect(m.counts.good).toBe(2);
    expect(m.complianceRate).toBe(0.5);
    // req_per_s_passing: 2 good completions in a 10 s window; goodput tokens 2 × 2 / 10 s
    expect(m.reqPerSPassing).toBeCloseTo(0.2, 12);
    expect(m.goodputTokPerS).toBeCloseTo(0.4, 12);
    expect(m.slo?.perSloPassRate).toEqual({ ttft: 0.5, total: 0.75 });
    // p99 of ttft_sched [20, 20, 520, 1520]: 520 + 0.97 × 1000 = 1490
    const ttft = m.slo!.targets[0]!;
    expect(ttft.judgedOn).toBe('ttft_sched');
    expect(ttft.valueMs).toBeCloseTo(1490, 9);
    expect(ttft.met).toBe(false);
    expect(m.slo?.p99TargetsMet).toBe(false);
  });
});

describe('counts for the rate check', () => {
  it('measured = scheduled in the window; sentInWindow = t_send in the window (warm-up excluded)', () => {
    const m = buildMetrics(
      [
        rec({ tSched: 100, tSend: 100, events: [120] }),
        rec({ tSched: 200, tSend: 1500, events: [1520] }), // scheduled in, sent after the window
        rec({ tSched: -50, tSend: 10, events: [30] }), // scheduled before, sent inside
        rec({ tSched: 300, tSend: 300, events: [320], warmup: true }),
      ],
      { startMs: 0, endMs: 1000 },
      { bootstrapResamples: 0 },
    );
    expect(m.counts.measured).toBe(2);
    expect(m.counts.sentInWindow).toBe(2);
  });
});

describe('tiers: VERDICT is earned', () => {
  const good = { converged: true, healthy: true, measured: 250, simulated: false };
  it('3 converged, healthy, real trials of ≥ 200 requests each: VERDICT', () => {
    expect(decideTier([good, good, good])).toEqual({ tier: 'VERDICT', reasons: [] });
  });
  it('the issue: 3-second trials against the simulated engine are never VERDICT', () => {
    const sim = { converged: true, healthy: true, measured: 31, simulated: true };
    expect(decideTier([sim, sim, sim])).toEqual({
      tier: 'DRAFT',
      reasons: [
        'simulated engine: results say nothing about real hardware',
        '3 trial(s) measured fewer than 200 requests (least: 31)',
      ],
    });
    // even long simulated trials stay DRAFT
    expect(decideTier([1, 2, 3].map(() => ({ ...good, simulated: true }))).tier).toBe('DRAFT');
  });
  it('one short trial, or one that did not converge, makes it DRAFT', () => {
    expect(decideTier([good, good, { ...good, measured: 199 }]).reasons).toEqual([
      '1 trial(s) measured fewer than 200 requests (least: 199)',
    ]);
    expect(decideTier([good, good, { ...good, converged: false }]).reasons).toEqual([
      'not every trial converged with a healthy generator',
    ]);
    expect(decideTier([good, good]).reasons).toEqual(['fewer than 3 trials']);
  });
});
