import { sparkline, type SparklineOptions } from './sparkline-series.js';
import type { Seg } from './segments.js';

/** A sparkline segment exactly `width` cells wide (left-padded while the series is short). */
export function sparkSeg(
  values: readonly number[],
  width: number,
  color: string | undefined,
  options: SparklineOptions = {},
): Seg {
  return { text: sparkline(values, width, options).padStart(Math.max(0, width)), color };
}
