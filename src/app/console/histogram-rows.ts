// Turns a pre-binned HistogramView into at most N display rows (merging adjacent log buckets).
import type { HistogramView } from '../../harness/types.js';

export interface HistogramRow {
  readonly loMs: number;
  readonly hiMs: number;
  readonly count: number;
  /** 0..1 relative to the largest row. */
  readonly fraction: number;
  readonly hasP50: boolean;
  readonly hasP99: boolean;
}

const EIGHTHS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'] as const;

/** A horizontal bar of `fraction × width` cells with 1/8-cell resolution; at least ▏ when fraction > 0. */
export function bar(fraction: number, width: number): string {
  if (width <= 0 || !Number.isFinite(fraction) || fraction <= 0) return '';
  const eighths = Math.max(1, Math.round(Math.min(1, fraction) * width * 8));
  return '█'.repeat(Math.floor(eighths / 8)) + EIGHTHS[eighths % 8];
}

function inBucket(valueMs: number | null, loMs: number, hiMs: number, last: boolean): boolean {
  if (valueMs === null || !Number.isFinite(valueMs)) return false;
  return valueMs >= loMs && (valueMs < hiMs || (last && valueMs <= hiMs));
}

/**
 * Trims empty buckets at both ends, then merges runs of adjacent buckets so that at most
 * `maxRows` rows remain. Counts are preserved exactly (their sum equals the view's total).
 */
export function histogramRows(view: HistogramView, maxRows: number): HistogramRow[] {
  const { counts, edgesMs } = view;
  if (maxRows <= 0 || counts.length === 0 || edgesMs.length !== counts.length + 1) return [];
  let first = counts.findIndex((c) => c > 0);
  if (first < 0) return [];
  let last = counts.length - 1;
  while (last > first && (counts[last] ?? 0) === 0) last -= 1;
  const span = last - first + 1;
  const perRow = Math.ceil(span / maxRows);
  // Keep the rows aligned to the right edge so that the tail (p99) bucket is never split.
  first = Math.max(0, last + 1 - Math.ceil(span / perRow) * perRow);
  const raw: Array<{ loMs: number; hiMs: number; count: number }> = [];
  for (let start = first; start <= last; start += perRow) {
    const end = Math.min(last, start + perRow - 1);
    let count = 0;
    for (let i = start; i <= end; i += 1) count += counts[i] ?? 0;
    raw.push({ loMs: edgesMs[start] ?? 0, hiMs: edgesMs[end + 1] ?? 0, count });
  }
  const maxCount = Math.max(1, ...raw.map((r) => r.count));
  return raw.map((r, i) => ({
    ...r,
    fraction: r.count / maxCount,
    hasP50: inBucket(view.p50Ms, r.loMs, r.hiMs, i === raw.length - 1),
    hasP99: inBucket(view.p99Ms, r.loMs, r.hiMs, i === raw.length - 1),
  }));
}
