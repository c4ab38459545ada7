// x–y line plots as plain text via asciichart. asciichart plots against the array index, so the
// points are resampled onto an even x grid first; it crashes on NaN and empty series, so those
// are filtered here and a one-line reason is returned instead of a chart.
import asciichart from 'asciichart';
import { formatNumber } from './format.js';

export interface XY {
  readonly x: number;
  readonly y: number;
}

export interface XyPlotOptions {
  readonly width?: number;
  readonly height?: number;
  readonly xLabel: string;
  readonly yLabel: string;
}

/** Linear interpolation of sorted points onto `width` evenly spaced x positions. */
export function resample(points: readonly XY[], width: number): { xs: number[]; ys: number[] } {
  const sorted = [...points].sort((a, b) => a.x - b.x);
  const first = sorted[0];
  const last = sorted[sorted.length - 1];
  if (!first || !last) return { xs: [], ys: [] };
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < width; i++) {
    const x = width === 1 ? first.x : first.x + ((last.x - first.x) * i) / (width - 1);
    let j = 0;
    while (j < sorted.length - 2 && (sorted[j + 1]?.x ?? Infinity) < x) j++;
    const a = sorted[j] ?? first;
    const b = sorted[j + 1] ?? a;
    const t = b.x === a.x ? 0 : (x - a.x) / (b.x - a.x);
    xs.push(x);
    ys.push(a.y + (b.y - a.y) * Math.min(1, Math.max(0, t)));
  }
  return { xs, ys };
}

/** Renders y(x) through the given points, or returns why it cannot. */
export function plotXy(points: readonly XY[], options: XyPlotOptions): string {
  const usable = points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
  const distinctX = new Set(usable.map((p) => p.x)).size;
  if (usable.length < 2 || distinctX < 2) {
    return `(no plot: ${options.yLabel} vs ${options.xLabel} needs at least 2 points with different x; have ${usable.length})`;
  }
  const width = options.width ?? 60;
  const height = options.height ?? 10;
  const { xs, ys } = resample(usable, width);
  let min = Math.min(...ys);
  let max = Math.max(...ys);
  if (min === max) {
    min -= 1;
    max += 1;
  }
  const labelWidth = 10;
  const chart = asciichart.plot(ys, {
    height,
    min,
    max,
    format: (value: number) => formatNumber(value).padStart(labelWidth),
  });
  const lo = formatNumber(xs[0]);
  const hi = formatNumber(xs[xs.length - 1]);
  const indent = ' '.repeat(labelWidth + 2);
  const axis = `${indent}${lo}${' '.repeat(Math.max(1, width - lo.length - hi.length))}${hi}`;
  return [`${options.yLabel} (y) vs ${options.xLabel} (x)`, chart, axis].join('\n');
}
