import { describe, expect, it } from 'vitest';
import { plotXy, resample } from '../../../src/app/report/asciiPlot.js';
import { dominates, frontier, paretoAnalysis } from '../../../src/app/report/pareto.js';

const env = (metrics: Record<string, number>) => ({ metrics });

describe('pareto frontier (x maximised, y minimised)', () => {
  it.each([
    { name: 'better on both dominates', b: { x: 2, y: 1 }, a: { x: 1, y: 2 }, expected: true },
    { name: 'equal on one, better on other dominates', b: { x: 2, y: 2 }, a: { x: 1, y: 2 }, expected: true },
    { name: 'identical points do not dominate', b: { x: 1, y: 1 }, a: { x: 1, y: 1 }, expected: false },
    { name: 'trade-off does not dominate', b: { x: 2, y: 3 }, a: { x: 1, y: 2 }, expected: false },
  ])('$name', ({ a, b, expected }) => {
    expect(dominates({ index: 1, ...b }, { index: 0, ...a })).toBe(expected);
  });

  it('keeps the trade-off curve and drops dominated points', () => {
    const points = [
      { index: 0, x: 100, y: 10 },
      { index: 1, x: 200, y: 20 },
      { index: 2, x: 150, y: 25 }, // dominated by 1
      { index: 3, x: 300, y: 50 },
      { index: 4, x: 90, y: 12 }, // dominated by 0
    ];
    expect(frontier(points)).toEqual([0, 1, 3]);
  });

  it('a run is on the frontier when it wins at least one pair; missing metrics are not eligible', () => {
    const runs = [
      env({ throughput_tok_per_s: 900, ttft_p99_ms: 85, joules_per_token: 2.6 }),
      env({ throughput_tok_per_s: 470, ttft_p99_ms: 88, joules_per_token: 1.9 }), // loses latency, wins energy
      env({ throughput_tok_per_s: 400, ttft_p99_ms: 90, joules_per_token: 3 }), // dominated on both pairs
      env({ ttft_p99_ms: 1 }), // no throughput: eligible nowhere
      env({ req_per_s_passing: 5, cost_usd_per_million_tokens: 0.2 }),
    ];
    const result = paretoAnalysis(runs);
    expect(result.byPair['throughput_vs_latency']).toEqual([0]);
    expect(result.byPair['throughput_vs_energy']).toEqual([0, 1]);
    expect(result.byPair['quality_vs_cost']).toEqual([4]);
    expect(result.eligible['throughput_vs_latency']).toBe(3);
    expect(result.onAny).toEqual([true, true, false, false, true]);
  });

  it('goodput_at_slo is preferred over req_per_s_passing for quality_vs_cost', () => {
    const runs = [
      env({ goodput_at_slo: 10, req_per_s_passing: 1, cost_usd_per_million_tokens: 1 }),
      env({ goodput_at_slo: 5, req_per_s_passing: 100, cost_usd_per_million_tokens: 1 }),
    ];
    expect(paretoAnalysis(runs).byPair['quality_vs_cost']).toEqual([0]);
  });
});

describe('ascii x–y plot', () => {
  it('resamples linearly onto an even grid', () => {
    const { xs, ys } = resample(
      [
        { x: 10, y: 0 },
        { x: 0, y: 0 },
        { x: 20, y: 10 },
      ],
      5,
    );
    expect(xs).toEqual([0, 5, 10, 15, 20]);
    expect(ys).toEqual([0, 0, 0, 5, 10]);
  });

  it.each([
    { name: 'empty', points: [] },
    { name: 'one point', points: [{ x: 1, y: 1 }] },
    {
      name: 'NaN only',
      points: [
        { x: Number.NaN, y: 1 },
        { x: 2, y: Number.NaN },
      ],
    },
    {
      name: 'same x twice',
      points: [
        { x: 1, y: 1 },
        { x: 1, y: 2 },
      ],
    },
  ])('refuses ($name) with a reason instead of crashing', ({ points }) => {
    const text = plotXy(points, { xLabel: 'x', yLabel: 'y' });
    expect(text).toMatch(/^\(no plot: y vs x needs at least 2 points/);
  });

  it('draws finite points, ignores NaN, handles a flat series, and labels the x range', () => {
    const text = plotXy(
      [
        { x: 100, y: 5 },
        { x: Number.NaN, y: 3 },
        { x: 300, y: 5 },
      ],
      { xLabel: 'tok/s', yLabel: 'ms', width: 30, height: 4 },
    );
    const lines = text.split('\n');
    expect(lines[0]).toBe('ms (y) vs tok/s (x)');
    expect(text).toMatch(/[┤┼]/);
    expect(lines[lines.length - 1]).toMatch(/^\s+100\.0\s+300\.0$/);
    expect(lines.length).toBe(1 + 5 + 1); // title + height+1 rows + axis
  });
});
