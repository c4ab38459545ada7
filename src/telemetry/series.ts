// Bounded time series of cumulative rows, for window summaries over long runs in fixed memory.
// Each row is [tMs, c1, c2, ...] where the c columns are running totals (monotonic in time).
// Two layers: a fine ring (every row, the most recent `fineCapacity`) and a coarse ring (one row
// per `coarseStepMs`, the most recent `coarseCapacity`). A lookup older than the fine ring falls
// back to the coarse ring (window edges then resolve to coarseStepMs).

export class RowRing {
  readonly width: number;
  readonly capacity: number;
  private readonly data: Float64Array;
  private head = 0; // index of the oldest row
  private size = 0;
  evicted = 0;

  constructor(width: number, capacity: number) {
    if (width < 1 || capacity < 2) throw new RangeError('RowRing needs width >= 1 and capacity >= 2');
    this.width = width;
    this.capacity = capacity;
    this.data = new Float64Array(width * capacity);
  }

  get length(): number {
    return this.size;
  }

  push(row: ArrayLike<number>): void {
    let slot: number;
    if (this.size < this.capacity) {
      slot = (this.head + this.size) % this.capacity;
      this.size++;
    } else {
      slot = this.head;
      this.head = (this.head + 1) % this.capacity;
      this.evicted++;
    }
    const base = slot * this.width;
    for (let c = 0; c < this.width; c++) this.data[base + c] = row[c] ?? NaN;
  }

  /** Column c of the i-th row (0 = oldest). */
  get(i: number, c: number): number {
    const slot = (this.head + i) % this.capacity;
    return this.data[slot * this.width + c] ?? NaN;
  }

  row(i: number): Float64Array {
    const slot = (this.head + i) % this.capacity;
    return this.data.slice(slot * this.width, slot * this.width + this.width);
  }

  /** Index of the last row with t <= tMs, or -1. Column 0 must be non-decreasing. */
  lastAtOrBefore(tMs: number): number {
    let lo = 0;
    let hi = this.size - 1;
    let ans = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.get(mid, 0) <= tMs) {
        ans = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return ans;
  }
}

export interface SeriesOptions {
  readonly fineCapacity?: number;
  readonly coarseCapacity?: number;
  readonly coarseStepMs?: number;
}

/** A point in a series: the row at or around a time, and whether the lookup was exact. */
export interface SeriesPoint {
  readonly row: Float64Array;
  /** 'fine' | 'coarse' layer used; 'none' when the time predates everything kept. */
  readonly layer: 'fine' | 'coarse' | 'none';
}

export class CumulativeSeries {
  readonly fine: RowRing;
  readonly coarse: RowRing;
  private readonly coarseStepMs: number;
  private lastCoarseT = -Infinity;

  constructor(width: number, opts: SeriesOptions = {}) {
    this.fine = new RowRing(width, opts.fineCapacity ?? 32_768);
    this.coarse = new RowRing(width, opts.coarseCapacity ?? 21_600);
    this.coarseStepMs = opts.coarseStepMs ?? 1000;
  }

  get width(): number {
    return this.fine.width;
  }

  /** Appends a row; returns true when it was also kept as a coarse checkpoint. */
  push(row: ArrayLike<number>): boolean {
    this.fine.push(row);
    const t = row[0] ?? NaN;
    if (t - this.lastCoarseT >= this.coarseStepMs) {
      this.coarse.push(row);
      this.lastCoarseT = t;
      return true;
    }
    return false;
  }

  get length(): number {
    return this.fine.length;
  }

  firstT(): number {
    if (this.coarse.length > 0 && this.fine.evicted > 0) return this.coarse.get(0, 0);
    return this.fine.length > 0 ? this.fine.get(0, 0) : NaN;
  }

  lastT(): number {
    return this.fine.length > 0 ? this.fine.get(this.fine.length - 1, 0) : NaN;
  }

  latest(): Float64Array | null {
    return this.fine.length > 0 ? this.fine.row(this.fine.length - 1) : null;
  }

  /** Last row with t <= tMs (step lookup), from the fine ring when it still covers tMs. */
  atOrBefore(tMs: number): SeriesPoint | null {
    if (this.fine.length === 0) return null;
    if (this.fine.evicted === 0 || tMs >= this.fine.get(0, 0)) {
      const i = this.fine.lastAtOrBefore(tMs);
      if (i >= 0) return { row: this.fine.row(i), layer: 'fine' };
      return null;
    }
    const j = this.coarse.lastAtOrBefore(tMs);
    if (j >= 0) return { row: this.coarse.row(j), layer: 'coarse' };
    return { row: this.coarse.row(0), layer: 'none' };
  }

  /** First row with t >= tMs. */
  atOrAfter(tMs: number): SeriesPoint | null {
    if (this.fine.length === 0) return null;
    if (this.fine.evicted === 0 || tMs >= this.fine.get(0, 0)) {
      const i = this.fine.lastAtOrBefore(tMs);
      const k = i >= 0 && this.fine.get(i, 0) === tMs ? i : i + 1;
      if (k < this.fine.length) return { row: this.fine.row(k), layer: 'fine' };
      return null;
    }
    const j = this.coarse.lastAtOrBefore(tMs);
    const k = j >= 0 && this.coarse.get(j, 0) === tMs ? j : j + 1;
    if (k < this.coarse.length) return { row: this.coarse.row(k), layer: 'coarse' };
    return { row: this.fine.row(0), layer: 'fine' };
  }

  /**
   * Column c linearly interpolated at tMs between the bracketing rows; null when tMs lies outside
   * the kept span by more than `maxExtrapolateMs` (inside that margin the nearest row's value is used).
   */
  interpolate(tMs: number, c: number, maxExtrapolateMs = 0): number | null {
    const a = this.atOrBefore(tMs);
    const b = this.atOrAfter(tMs);
    if (a && b && a.layer !== 'none') {
      const ta = a.row[0] ?? NaN;
      const tb = b.row[0] ?? NaN;
      const va = a.row[c] ?? NaN;
      const vb = b.row[c] ?? NaN;
      if (tb <= ta) return va;
      return va + ((vb - va) * (tMs - ta)) / (tb - ta);
    }
    if (b && (!a || a.layer === 'none')) {
      const tb = b.row[0] ?? NaN;
      return tb - tMs <= maxExtrapolateMs ? (b.row[c] ?? NaN) : null;
    }
    if (a && !b) {
      const ta = a.row[0] ?? NaN;
      return tMs - ta <= maxExtrapolateMs ? (a.row[c] ?? NaN) : null;
    }
    return null;
  }
}
