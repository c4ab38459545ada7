import { describe, expect, it } from 'vitest';
import { computeBreakdown, liveJoulesPerToken, totalPowerW } from '../../src/app/console/breakdown.js';
import {
  fit,
  formatCompact,
  formatDuration,
  formatJoules,
  formatJoulesPerToken,
  formatMs,
  formatRatioPct,
} from '../../src/app/console/format.js';
import { bar, histogramRows } from '../../src/app/console/histogram-rows.js';
import { keyAction } from '../../src/app/console/keys.js';
import { meanOf, sparkline } from '../../src/app/console/sparkline-series.js';
import { renderTableLines } from '../../src/app/console/table-format.js';
import { SWEEP_COLUMNS, sweepStaticLine } from '../../src/app/console/sweep-format.js';
import { noColorFromEnv } from '../../src/app/console/theme.js';
import { formatProgressLine } from '../../src/app/live/progress-line.js';
import {
  gpuTelemetry,
  harnessSnapshot,
  logHistogram,
  NO_GPU_TELEMETRY,
  SWEEP_ROWS,
  WINDOW_SUMMARY,
} from './fixtures.js';

describe('formatters', () => {
  it.each([
    [0.42, '0.42ms'],
    [12.345, '12.3ms'],
    [456.2, '456ms'],
    [1234, '1.23s'],
    [12_345, '12.3s'],
    [null, '—'],
    [Number.NaN, '—'],
  ])('formatMs(%s) = %s', (input, expected) => {
    expect(formatMs(input)).toBe(expected);
  });

  it.each([
    [950, '950'],
    [20.93, '20.9'],
    [4180.5, '4.18k'],
    [12_345, '12.3k'],
    [123_456, '123k'],
    [1_234_567, '1.23M'],
    [Number.POSITIVE_INFINITY, '—'],
  ])('formatCompact(%s) = %s', (input, expected) => {
    expect(formatCompact(input)).toBe(expected);
  });

  it('formats durations, energy, ratios and J/token', () => {
    expect(formatDuration(62)).toBe('1:02');
    expect(formatDuration(3725)).toBe('1:02:05');
    expect(formatDuration(-1)).toBe('—');
    expect(formatJoules(950)).toBe('950J');
    expect(formatJoules(37_940)).toBe('37.9kJ');
    expect(formatJoules(1_500_000)).toBe('1.50MJ');
    expect(formatRatioPct(0.998)).toBe('99.8%');
    expect(formatJoulesPerToken(0.0123)).toBe('12.3mJ/tok');
    expect(formatJoulesPerToken(3.05)).toBe('3.05J/tok');
    expect(fit('abcdef', 4)).toBe('abc…');
    expect(fit('ab', 4, 'right')).toBe('  ab');
  });
});

describe('sparkline', () => {
  it('never throws on empty, NaN or infinite input', () => {
    expect(sparkline([], 10)).toBe('');
    expect(sparkline([Number.NaN, Number.NaN], 10)).toBe('  ');
    expect(sparkline([1, Number.POSITIVE_INFINITY, 3], 10)).toBe('▁ █');
    expect(sparkline([5, 5, 5], 10)).toBe('▁▁▁');
  });

  it('keeps the last `width` values and scales min..max', () => {
    expect(sparkline([0, 1, 2, 3, 4, 5, 6, 7], 8)).toBe('▁▂▃▄▅▆▇█');
    expect(sparkline([100, 0, 7], 2)).toBe('▁█');
    expect(sparkline([50], 1, { min: 0, max: 100 })).toBe('▅');
    expect(meanOf([1, Number.NaN, 3])).toBe(2);
    expect(meanOf([])).toBeNull();
  });
});

describe('histogram rows', () => {
  const view = logHistogram(5, 48, 1296);

  it('merges buckets to at most maxRows and preserves the total count', () => {
    for (const maxRows of [1, 3, 5, 8, 12, 30]) {
      const rows = histogramRows(view, maxRows);
      expect(rows.length).toBeLessThanOrEqual(maxRows);
      expect(rows.reduce((a, r) => a + r.count, 0)).toBe(view.n);
      expect(Math.max(...rows.map((r) => r.fraction))).toBe(1);
    }
  });

  it('marks the rows holding p50 and p99', () => {
    const rows = histogramRows(view, 6);
    const p50 = rows.find((r) => r.hasP50)!;
    const p99 = rows.find((r) => r.hasP99)!;
    expect(view.p50Ms! >= p50.loMs && view.p50Ms! < p50.hiMs).toBe(true);
    expect(view.p99Ms! >= p99.loMs && view.p99Ms! < p99.hiMs).toBe(true);
    expect(rows.filter((r) => r.hasP50)).toHaveLength(1);
  });

  it('returns nothing for an empty or malformed view', () => {
    expect(histogramRows({ edgesMs: [1, 2, 3], counts: [0, 0], n: 0, p50Ms: null, p99Ms: null }, 5)).toEqual(
      [],
    );
    expect(histogramRows({ edgesMs: [1, 2], counts: [1, 2], n: 3, p50Ms: null, p99Ms: null }, 5)).toEqual([]);
  });

  it('draws bars with eighth-cell resolution', () => {
    expect(bar(1, 4)).toBe('████');
    expect(bar(0.5, 3)).toBe('█▌');
    expect(bar(0.001, 10)).toBe('▏');
    expect(bar(0, 10)).toBe('');
  });
});

describe('keys', () => {
  it('q and Ctrl-C stop; a second Ctrl-C forces exit; ? toggles help', () => {
    expect(keyAction('q', false, { stopRequested: false })).toBe('stop');
    expect(keyAction('c', true, { stopRequested: false })).toBe('stop');
    expect(keyAction('c', true, { stopRequested: true })).toBe('force-exit');
    expect(keyAction('q', false, { stopRequested: true })).toBe('none');
    expect(keyAction('?', false, { stopRequested: false })).toBe('toggle-help');
    expect(keyAction('x', false, { stopRequested: false })).toBe('none');
  });
});

describe('tables', () => {
  it('renders a box table and shrinks to a maximum width', () => {
    const lines = renderTableLines(SWEEP_ROWS, SWEEP_COLUMNS);
    expect(lines).toHaveLength(SWEEP_ROWS.length + 4);
    expect(lines[1]).toContain('│ point │');
    expect(lines[3]).toContain('c1-3f9a1c2b7d4e.json');
    const narrow = renderTableLines(SWEEP_ROWS, SWEEP_COLUMNS, 60);
    for (const line of narrow) expect(line.length).toBeLessThanOrEqual(60);
    expect(new Set(narrow.map((l) => l.length)).size).toBe(1);
  });

  it('formats static sweep lines with fixed columns and the full envelope name', () => {
    const header = sweepStaticLine('header');
    const row = sweepStaticLine(SWEEP_ROWS[2]!);
    expect(header.indexOf('envelope')).toBe(row.indexOf('c16-0b7c55e1d2a9.json'));
    expect(row).toContain('99.8%');
    expect(sweepStaticLine(SWEEP_ROWS[3]!)).toMatch(/—\s+c64-/);
  });
});

describe('telemetry breakdown', () => {
  it('computes host time, energy and power under load from the live history', () => {
    const t = gpuTelemetry(2);
    const b = computeBreakdown(t, null);
    expect(b.basis).toBe('live');
    if (!b.gpu.available) throw new Error('expected GPU');
    const gpus = t.gpu.available ? t.gpu.gpus : [];
    const utils = gpus.flatMap((g) => g.utilPctSeries);
    const avg = utils.reduce((a, u) => a + u, 0) / utils.length;
    expect(b.gpu.avgUtilPct).toBeCloseTo(avg, 9);
    expect(b.gpu.hostTimePct).toBeCloseTo(100 - avg, 9);
    const loaded = gpus.flatMap((g) => g.powerWSeries.filter((_, i) => (g.utilPctSeries[i] ?? 0) > 50));
    expect(b.gpu.powerUnderLoadW).toBeCloseTo(loaded.reduce((a, p) => a + p, 0) / loaded.length, 9);
    expect(b.rapl.available).toBe(false);
  });

  it('prefers the window summary and reports reasons when unavailable', () => {
    const b = computeBreakdown(gpuTelemetry(1), WINDOW_SUMMARY);
    expect(b.basis).toBe('window');
    expect(b.gpu.available && b.gpu.hostTimePct).toBeCloseTo(13.6, 9);
    expect(b.rapl.available && b.rapl.dramJ).toBe(840);
    const none = computeBreakdown(NO_GPU_TELEMETRY, null);
    expect(none.gpu.available ? '' : none.gpu.reason).toContain('libnvidia-ml');
    expect(computeBreakdown(null, null).gpu.available).toBe(false);
  });

  it('live J/token = total power ÷ tok/s', () => {
    const t = gpuTelemetry(2);
    const power = totalPowerW(t)!;
    expect(power).toBeGreaterThan(0);
    expect(liveJoulesPerToken(power, 4000)).toBeCloseTo(power / 4000, 12);
    expect(liveJoulesPerToken(power, 0)).toBeNull();
    expect(totalPowerW(NO_GPU_TELEMETRY)).toBeNull();
  });
});

describe('misc', () => {
  it('honours NO_COLOR only when non-empty', () => {
    expect(noColorFromEnv({ NO_COLOR: '1' })).toBe(true);
    expect(noColorFromEnv({ NO_COLOR: '' })).toBe(false);
    expect(noColorFromEnv({})).toBe(false);
  });

  it('formats a headless progress line', () => {
    const line = formatProgressLine(harnessSnapshot());
    expect(line).toMatch(
      /^\[c16 2\/4\] measuring 1:02\/2:00 · 4\.18k tok\/s · 20\.9 req\/s · ok 1296 failed 0/,
    );
    expect(line).toContain('gate converged');
    expect(formatProgressLine(null)).toContain('waiting');
  });
});
