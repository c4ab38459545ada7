// Block-character sparklines. Pure; never throws on empty, NaN or infinite input.

const BLOCKS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'] as const;

export interface SparklineOptions {
  /** Lower bound of the scale (default: min of the visible values). */
  readonly min?: number;
  /** Upper bound of the scale (default: max of the visible values). */
  readonly max?: number;
}

/**
 * The last `width` values as block characters, right-aligned (older samples scroll out on the
 * left). Non-finite values render as a space; an empty series renders as an empty string.
 */
export function sparkline(values: readonly number[], width: number, options: SparklineOptions = {}): string {
  if (width <= 0 || values.length === 0) return '';
  const visible = values.slice(-width);
  const finiteValues = visible.filter((v) => Number.isFinite(v));
  if (finiteValues.length === 0) return ' '.repeat(visible.length);
  const min = options.min ?? Math.min(...finiteValues);
  const max = options.max ?? Math.max(...finiteValues);
  const range = max - min;
  let out = '';
  for (const v of visible) {
    if (!Number.isFinite(v)) {
      out += ' ';
      continue;
    }
    if (range <= 0) {
      out += v > min ? BLOCKS[BLOCKS.length - 1] : BLOCKS[0];
      continue;
    }
    const t = Math.min(1, Math.max(0, (v - min) / range));
    out += BLOCKS[Math.min(BLOCKS.length - 1, Math.round(t * (BLOCKS.length - 1)))];
  }
  return out;
}

/** Mean of the finite values, or null. */
export function meanOf(values: readonly number[]): number | null {
  let sum = 0;
  let n = 0;
  for (const v of values) {
    if (Number.isFinite(v)) {
      sum += v;
      n += 1;
    }
  }
  return n === 0 ? null : sum / n;
}
