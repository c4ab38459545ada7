// The envelope's `timeline` block: what happened over time during one point, in fixed-width buckets
// (1 s), bounded in size. Columns share one time grid; each column aggregates its samples per bucket
// as a rate (sum ÷ bucket seconds), a mean, a max or the last value. When a point outlasts
// `maxPoints` buckets, neighbouring buckets are merged pairwise and the bucket width doubles, so a
// block never holds more than `maxPoints` times per column whatever the run's length. Memory is
// fixed at construction; add() is O(1) (amortised over the rare merges) and allocates nothing.
// Format: docs/envelope.md ("timeline"). A leaf module (src/lib imports nothing from src): the
// harness records throughput and client health into it, telemetry the GPU and server samples.

export type TimelineAggregate = 'rate' | 'mean' | 'max' | 'last';

/** Default bound on buckets per column: 20 minutes at 1 s, longer points at 2 s, 4 s, … */
export const TIMELINE_MAX_POINTS = 1200;
export const TIMELINE_BUCKET_MS = 1000;

/** The block as stored in the envelope (JSON: no NaN, empty buckets are null). */
export interface TimelineBlock {
  /** Width of every bucket, s (1, or a power-of-two multiple for long points). */
  readonly bucket_s: number;
  /** t = 0 is the start of the point (warm-up included). */
  readonly origin: 'point_start';
  /** Wall-clock time of t = 0 (UTC ISO-8601), to place points of a sweep end to end; null when unknown. */
  readonly started_at: string | null;
  /** The measurement window [start, end] on the same axis, s; null when unknown. */
  readonly window_s: readonly [number, number] | null;
  /** Start of each bucket, s. */
  readonly t_s: readonly number[];
  /** column name → one value per bucket (null: no sample fell in that bucket). */
  readonly series: Readonly<Record<string, readonly (number | null)[]>>;
}

export interface TimelineOptions {
  readonly bucketMs?: number;
  readonly maxPoints?: number;
  /** Wall-clock time of the origin, epoch ms (the clock seam's epochMsOf(originMs)). */
  readonly originEpochMs?: number;
}

interface Column {
  readonly aggregate: TimelineAggregate;
  readonly sum: Float64Array;
  readonly count: Uint32Array;
  readonly max: Float64Array;
  readonly last: Float64Array;
}

/** Significant digits kept per value: the block is for plots, and compact. */
const DIGITS = 5;
const round = (value: number): number => Number(value.toPrecision(DIGITS));

export class TimelineBuilder {
  readonly originMs: number;
  readonly maxPoints: number;
  private readonly originEpochMs: number | null;
  private bucketMs: number;
  private used = 0;
  private readonly columns = new Map<string, Column>();

  constructor(
    originMs: number,
    columns: Readonly<Record<string, TimelineAggregate>>,
    options: TimelineOptions = {},
  ) {
    this.originMs = originMs;
    this.bucketMs = options.bucketMs ?? TIMELINE_BUCKET_MS;
    this.maxPoints = options.maxPoints ?? TIMELINE_MAX_POINTS;
    this.originEpochMs = options.originEpochMs ?? null;
    if (
      !(this.bucketMs > 0) ||
      !Number.isInteger(this.maxPoints) ||
      this.maxPoints < 2 ||
      this.maxPoints % 2 !== 0
    )
      throw new RangeError('TimelineBuilder needs bucketMs > 0 and an even maxPoints >= 2');
    for (const [name, aggregate] of Object.entries(columns)) {
      const n = this.maxPoints;
      this.columns.set(name, {
        aggregate,
        sum: new Float64Array(n),
        count: new Uint32Array(n),
        max: new Float64Array(n).fill(-Infinity),
        last: new Float64Array(n),
      });
    }
  }

  get bucketWidthMs(): number {
    return this.bucketMs;
  }

  /** Adds a sample to a column; samples before the origin, non-finite values and unknown columns are ignored. */
  add(column: string, tMs: number, value: number): void {
    const c = this.columns.get(column);
    if (c === undefined || !Number.isFinite(value) || !(tMs >= this.originMs)) return;
    let index = Math.floor((tMs - this.originMs) / this.bucketMs);
    while (index >= this.maxPoints) {
      this.mergePairs();
      index = Math.floor((tMs - this.originMs) / this.bucketMs);
    }
    c.sum[index] = (c.sum[index] ?? 0) + value;
    c.count[index] = (c.count[index] ?? 0) + 1;
    if (value > (c.max[index] ?? -Infinity)) c.max[index] = value;
    c.last[index] = value;
    if (index >= this.used) this.used = index + 1;
  }

  /** Halves the resolution: bucket i takes buckets 2i and 2i+1. */
  private mergePairs(): void {
    for (const c of this.columns.values()) {
      for (let i = 0; i < this.maxPoints / 2; i++) {
        const a = 2 * i;
        const b = a + 1;
        const countB = c.count[b] ?? 0;
        c.sum[i] = (c.sum[a] ?? 0) + (c.sum[b] ?? 0);
        c.max[i] = Math.max(c.max[a] ?? -Infinity, c.max[b] ?? -Infinity);
        c.last[i] = countB > 0 ? (c.last[b] ?? 0) : (c.last[a] ?? 0);
        c.count[i] = (c.count[a] ?? 0) + countB;
      }
      const half = this.maxPoints / 2;
      c.sum.fill(0, half);
      c.count.fill(0, half);
      c.max.fill(-Infinity, half);
      c.last.fill(0, half);
    }
    this.used = Math.ceil(this.used / 2);
    this.bucketMs *= 2;
  }

  /** `widthMs`: the part of the bucket that was observed (the last one may end early). */
  private value(c: Column, i: number, widthMs: number): number | null {
    const n = c.count[i] ?? 0;
    if (n === 0) return c.aggregate === 'rate' ? 0 : null;
    switch (c.aggregate) {
      case 'rate':
        return round((c.sum[i] ?? 0) / (widthMs / 1000));
      case 'mean':
        return round((c.sum[i] ?? 0) / n);
      case 'max':
        return round(c.max[i] ?? 0);
      case 'last':
        return round(c.last[i] ?? 0);
    }
  }

  /**
   * The block for the envelope. Columns that never received a sample are left out; `untilMs`
   * (default: the last bucket with a sample) ends the grid, so trailing idle seconds of a rate
   * column read 0 rather than vanish, and a rate in the last, partly observed bucket is divided by
   * the observed part only.
   */
  block(window: { startMs: number; endMs: number } | null, untilMs?: number): TimelineBlock {
    let used = this.used;
    if (untilMs !== undefined && untilMs > this.originMs)
      used = Math.min(this.maxPoints, Math.max(used, Math.ceil((untilMs - this.originMs) / this.bucketMs)));
    const seconds = this.bucketMs / 1000;
    // A rate in the last bucket is over the time observed in it (untilMs), not the full width.
    const widthOf = (i: number): number =>
      untilMs !== undefined && i === used - 1
        ? Math.max(1, Math.min(this.bucketMs, untilMs - this.originMs - i * this.bucketMs))
        : this.bucketMs;
    const t: number[] = [];
    for (let i = 0; i < used; i++) t.push(round(i * seconds));
    const series: Record<string, (number | null)[]> = {};
    for (const [name, c] of this.columns) {
      let any = false;
      for (let i = 0; i < used && !any; i++) any = (c.count[i] ?? 0) > 0;
      if (!any) continue;
      const values: (number | null)[] = [];
      for (let i = 0; i < used; i++) values.push(this.value(c, i, widthOf(i)));
      series[name] = values;
    }
    return {
      bucket_s: seconds,
      origin: 'point_start',
      started_at: this.originEpochMs === null ? null : new Date(this.originEpochMs).toISOString(),
      window_s:
        window === null
          ? null
          : [round((window.startMs - this.originMs) / 1000), round((window.endMs - this.originMs) / 1000)],
      t_s: t,
      series,
    };
  }
}

/** The columns a point records (docs/envelope.md lists their units and aggregates). */
export const TIMELINE_COLUMNS = {
  output_tok_per_s: 'rate',
  req_per_s: 'rate',
  gpu_power_w: 'mean',
  gpu_util_pct: 'mean',
  gpu_mem_used_gib: 'mean',
  loop_delay_ms: 'max',
  pacer_lag_ms: 'max',
  server_running: 'mean',
  server_waiting: 'mean',
  server_kv_usage: 'mean',
  server_prefix_hit_rate: 'mean',
} as const satisfies Record<string, TimelineAggregate>;

export type TimelineColumn = keyof typeof TIMELINE_COLUMNS;
