// Main-thread store of GPU samples: latest values, sparkline series, and running aggregates kept
// as cumulative rows so any window [start, end] is summarised in O(log n + window rows) with
// bounded memory. Fed by the NVML worker or the DCGM scraper (one "tick" = one reading of every GPU).
import { CumulativeSeries } from './series.js';
import type { SeriesOptions } from './series.js';
import type { TimelineBuilder } from '../lib/timeline.js';
import type { GpuLive, GpuSample, TelemetryWindowSummary } from './types.js';

/** GPU util (mean over GPUs, %) above which a tick counts as "under load". */
export const UNDER_LOAD_UTIL_PCT = 50;
const SPARK_POINTS = 120;
const SPARK_BUCKET_MS = 1000;

// tick row columns
const T = 0;
const COUNT = 1;
const POWER_SUM = 2;
const UTIL_SUM = 3;
const LOAD_POWER_SUM = 4;
const LOAD_COUNT = 5;
const INTEGRAL_J = 6;
const POWER_W = 7;
const PEAK_W = 8;
const MEM_SUM = 9; // GPU memory used, MiB summed over GPUs, cumulative over ticks
const WIDTH = 10;

export type GpuWindowSummary = TelemetryWindowSummary['gpu'];

export interface GpuEnergyDetail {
  /** NVML/DCGM counter delta, J (all GPUs); null when no counter covers the window. */
  readonly counterJ: number | null;
  /** Trapezoid integral of sampled total power, J. */
  readonly powerIntegralJ: number;
  /** (counter − integral) / counter × 100; null without a counter. */
  readonly counterVsIntegralPct: number | null;
  readonly windowMs: number;
}

export interface GpuStoreOptions extends SeriesOptions {
  /** Expected tick interval, used to bound edge extrapolation and for reporting. */
  readonly intervalMs: number;
  /** Expected interval between energy-counter readings. */
  readonly energyIntervalMs?: number;
}

export interface GpuTick {
  readonly tMs: number;
  readonly gpus: readonly GpuSample[];
  /** True when every GPU's energy counter was read in this tick. */
  readonly energyFresh: boolean;
  /** When the energy counters were read (default tMs): a read costs ~4 ms per GPU on an H100. */
  readonly energyTMs?: number;
}

export class GpuStore {
  readonly names: readonly string[];
  readonly intervalMs: number;
  private readonly energyIntervalMs: number;
  private readonly ticks: CumulativeSeries;
  private readonly energy: CumulativeSeries; // [t, sum of counters mJ]
  private readonly row = new Float64Array(WIDTH);
  private runningPeakW = -Infinity;
  private latestSamples: (GpuSample | null)[];
  private firstEnergyMj: number | null = null;
  private lastEnergyMj: number | null = null;
  private sparkPower: number[][];
  private sparkUtil: number[][];
  private bucketStart = NaN;
  private bucketPower: number[];
  private bucketUtil: number[];
  private bucketN = 0;
  /** Energy-counter readings that went backwards (driver reload); the counter method is then avoided. */
  counterResets = 0;

  constructor(names: readonly string[], opts: GpuStoreOptions) {
    this.names = names;
    this.intervalMs = opts.intervalMs;
    this.energyIntervalMs = opts.energyIntervalMs ?? Math.max(opts.intervalMs, 100);
    this.ticks = new CumulativeSeries(WIDTH, opts);
    this.energy = new CumulativeSeries(2, opts);
    this.latestSamples = names.map(() => null);
    this.sparkPower = names.map(() => []);
    this.sparkUtil = names.map(() => []);
    this.bucketPower = names.map(() => 0);
    this.bucketUtil = names.map(() => 0);
  }

  get gpuCount(): number {
    return this.names.length;
  }

  get sampleCount(): number {
    const last = this.ticks.latest();
    return last ? (last[COUNT] ?? 0) : 0;
  }

  /** Time of the newest tick, -Infinity when none. */
  lastTickMs(): number {
    return this.ticks.latest()?.[T] ?? -Infinity;
  }

  add(tick: GpuTick): void {
    const prev = this.ticks.latest();
    if (prev && tick.tMs < (prev[T] ?? 0)) return; // out-of-order: drop
    let powerW = 0;
    let util = 0;
    let memMiB = 0;
    for (let g = 0; g < this.names.length; g++) {
      const s = tick.gpus[g];
      if (!s) continue;
      powerW += s.powerW;
      util += s.utilGpuPct;
      memMiB += Number.isFinite(s.memUsedMiB) ? s.memUsedMiB : 0;
      this.latestSamples[g] = s;
    }
    util /= Math.max(1, this.names.length);
    const r = this.row;
    const under = util > UNDER_LOAD_UTIL_PCT;
    r[T] = tick.tMs;
    r[COUNT] = (prev?.[COUNT] ?? 0) + 1;
    r[POWER_SUM] = (prev?.[POWER_SUM] ?? 0) + powerW;
    r[UTIL_SUM] = (prev?.[UTIL_SUM] ?? 0) + util;
    r[LOAD_POWER_SUM] = (prev?.[LOAD_POWER_SUM] ?? 0) + (under ? powerW : 0);
    r[LOAD_COUNT] = (prev?.[LOAD_COUNT] ?? 0) + (under ? 1 : 0);
    r[INTEGRAL_J] = prev
      ? (prev[INTEGRAL_J] ?? 0) + (((prev[POWER_W] ?? 0) + powerW) / 2) * ((tick.tMs - (prev[T] ?? 0)) / 1000)
      : 0;
    r[POWER_W] = powerW;
    r[MEM_SUM] = (prev?.[MEM_SUM] ?? 0) + memMiB;
    const peak = Math.max(this.runningPeakW, powerW);
    r[PEAK_W] = peak;
    this.runningPeakW = this.ticks.push(r) ? -Infinity : peak;

    if (tick.energyFresh && tick.gpus.length === this.names.length) {
      let sum = 0;
      let ok = true;
      for (const s of tick.gpus) {
        if (s.energyMj === null || !Number.isFinite(s.energyMj)) ok = false;
        else sum += s.energyMj;
      }
      if (ok) {
        if (this.lastEnergyMj !== null && sum < this.lastEnergyMj) this.counterResets++;
        this.firstEnergyMj ??= sum;
        this.lastEnergyMj = sum;
        const et = tick.energyTMs ?? tick.tMs;
        if (et >= this.energy.lastT() || this.energy.length === 0) this.energy.push([et, sum]);
      }
    }
    this.addSpark(tick, powerW);
  }

  private addSpark(tick: GpuTick, _totalW: number): void {
    if (Number.isNaN(this.bucketStart)) this.bucketStart = tick.tMs;
    if (tick.tMs - this.bucketStart >= SPARK_BUCKET_MS && this.bucketN > 0) {
      for (let g = 0; g < this.names.length; g++) {
        const p = this.sparkPower[g];
        const u = this.sparkUtil[g];
        if (!p || !u) continue;
        p.push((this.bucketPower[g] ?? 0) / this.bucketN);
        u.push((this.bucketUtil[g] ?? 0) / this.bucketN);
        if (p.length > SPARK_POINTS) p.shift();
        if (u.length > SPARK_POINTS) u.shift();
        this.bucketPower[g] = 0;
        this.bucketUtil[g] = 0;
      }
      this.bucketN = 0;
      this.bucketStart = tick.tMs;
    }
    for (let g = 0; g < this.names.length; g++) {
      const s = tick.gpus[g];
      this.bucketPower[g] = (this.bucketPower[g] ?? 0) + (s?.powerW ?? 0);
      this.bucketUtil[g] = (this.bucketUtil[g] ?? 0) + (s?.utilGpuPct ?? 0);
    }
    this.bucketN++;
  }

  live(): GpuLive[] {
    return this.names.map((name, index) => ({
      index,
      name,
      latest: this.latestSamples[index] ?? null,
      powerWSeries: [...(this.sparkPower[index] ?? [])],
      utilPctSeries: [...(this.sparkUtil[index] ?? [])],
    }));
  }

  /** Energy since the first sample, all GPUs, J: counter delta when available, else power integral. */
  energySinceStartJ(): number {
    if (this.firstEnergyMj !== null && this.lastEnergyMj !== null && this.counterResets === 0)
      return (this.lastEnergyMj - this.firstEnergyMj) / 1000;
    return this.ticks.latest()?.[INTEGRAL_J] ?? 0;
  }

  private integralAt(tMs: number): number | null {
    // tolerate a window edge just past the newest sample (the worker posts in ~50-100 ms batches)
    const margin = Math.max(2 * this.intervalMs, 150);
    const v = this.ticks.interpolate(tMs, INTEGRAL_J, margin);
    if (v === null) return null;
    // extend the integral over an edge gap (≤ 2 intervals) with the nearest tick's power
    const first = this.ticks.atOrAfter(-Infinity);
    const last = this.ticks.latest();
    if (last && tMs > (last[T] ?? 0)) return v + ((last[POWER_W] ?? 0) * (tMs - (last[T] ?? 0))) / 1000;
    if (first && first.layer !== 'coarse' && tMs < (first.row[T] ?? 0))
      return v - ((first.row[POWER_W] ?? 0) * ((first.row[T] ?? 0) - tMs)) / 1000;
    return v;
  }

  private counterAt(tMs: number): number | null {
    const margin = 2 * this.energyIntervalMs;
    const v = this.energy.interpolate(tMs, 1, margin);
    if (v === null) return null;
    // outside the counter readings (within the margin): extrapolate with the sampled power
    const lastT = this.energy.lastT();
    const firstT = this.energy.firstT();
    const powerNear = (t: number): number =>
      this.ticks.atOrBefore(t)?.row[POWER_W] ?? this.ticks.latest()?.[POWER_W] ?? 0;
    if (tMs > lastT) return v + powerNear(tMs) * (tMs - lastT);
    if (tMs < firstT) return v - powerNear(firstT) * (firstT - tMs);
    return v;
  }

  energyDetail(startMs: number, endMs: number): GpuEnergyDetail {
    const i0 = this.integralAt(startMs);
    const i1 = this.integralAt(endMs);
    const powerIntegralJ = i0 !== null && i1 !== null ? i1 - i0 : NaN;
    let counterJ: number | null = null;
    if (this.counterResets === 0) {
      const c0 = this.counterAt(startMs);
      const c1 = this.counterAt(endMs);
      if (c0 !== null && c1 !== null && c1 >= c0) counterJ = (c1 - c0) / 1000;
    }
    return {
      counterJ,
      powerIntegralJ,
      counterVsIntegralPct:
        counterJ !== null && counterJ > 0 && Number.isFinite(powerIntegralJ)
          ? ((counterJ - powerIntegralJ) / counterJ) * 100
          : null,
      windowMs: endMs - startMs,
    };
  }

  /**
   * Per-second GPU means over [startMs, endMs] into the envelope's timeline (power summed over GPUs,
   * utilisation averaged, memory used summed, in GiB), from the cumulative rows: O(seconds · log n).
   */
  timelineInto(builder: TimelineBuilder, startMs: number, endMs: number): void {
    const step = builder.bucketWidthMs;
    const zero = new Float64Array(WIDTH);
    for (let t = startMs; t < endMs; t += step) {
      const a = this.ticks.atOrBefore(t);
      const b = this.ticks.atOrBefore(Math.min(t + step, endMs));
      if (!b) continue;
      const ra = a && a.layer !== 'none' ? a.row : zero;
      const n = (b.row[COUNT] ?? 0) - (ra[COUNT] ?? 0);
      if (n <= 0) continue;
      const mean = (c: number): number => ((b.row[c] ?? 0) - (ra[c] ?? 0)) / n;
      builder.add('gpu_power_w', t, mean(POWER_SUM));
      builder.add('gpu_util_pct', t, mean(UTIL_SUM));
      const memMiB = mean(MEM_SUM);
      if (memMiB > 0) builder.add('gpu_mem_used_gib', t, memMiB / 1024);
    }
  }

  summarize(startMs: number, endMs: number): GpuWindowSummary {
    if (!(endMs > startMs)) return { available: false, reason: `empty window [${startMs}, ${endMs}] ms` };
    const a = this.ticks.atOrBefore(startMs);
    const b = this.ticks.atOrBefore(endMs);
    const zero = new Float64Array(WIDTH);
    const ra = a && a.layer !== 'none' ? a.row : zero;
    const rb = b?.row;
    const n = rb ? (rb[COUNT] ?? 0) - (ra[COUNT] ?? 0) : 0;
    if (!rb || n <= 0) return { available: false, reason: 'no GPU samples in the measurement window' };
    const d = (c: number): number => (rb[c] ?? 0) - (ra[c] ?? 0);
    const loadN = d(LOAD_COUNT);
    // achieved interval: n ticks after the one at/before the window start, else first..last in the window
    const tLast = rb[T] ?? NaN;
    let intervalMs: number;
    if (a && a.layer === 'fine') intervalMs = (tLast - (a.row[T] ?? NaN)) / n;
    else {
      const first = this.ticks.atOrAfter(startMs);
      intervalMs = n > 1 ? (tLast - (first?.row[T] ?? NaN)) / (n - 1) : this.intervalMs;
    }
    const e = this.energyDetail(startMs, endMs);
    const useCounter = e.counterJ !== null;
    const energyJoulesTotal = useCounter ? (e.counterJ ?? 0) : e.powerIntegralJ;
    return {
      available: true,
      gpuCount: this.names.length,
      energyJoulesTotal: Number.isFinite(energyJoulesTotal)
        ? energyJoulesTotal
        : (d(POWER_SUM) / n) * ((endMs - startMs) / 1000),
      energyMethod: useCounter ? 'counter' : 'power_integral',
      powerAvgW: d(POWER_SUM) / n,
      powerPeakW: this.peakW(startMs, endMs),
      powerUnderLoadAvgW: loadN > 0 ? d(LOAD_POWER_SUM) / loadN : null,
      utilGpuAvgPct: d(UTIL_SUM) / n,
      sampleCount: n,
      intervalMs,
    };
  }

  private peakW(startMs: number, endMs: number): number {
    let peak = -Infinity;
    const fine = this.ticks.fine;
    const fineStartT = fine.length > 0 ? fine.get(0, T) : Infinity;
    if (fine.evicted > 0 && startMs < fineStartT) {
      const coarse = this.ticks.coarse;
      for (let i = Math.max(0, coarse.lastAtOrBefore(startMs) + 1); i < coarse.length; i++) {
        const t = coarse.get(i, T);
        if (t > Math.min(endMs, fineStartT)) break;
        peak = Math.max(peak, coarse.get(i, PEAK_W));
      }
    }
    for (let i = Math.max(0, fine.lastAtOrBefore(startMs) + 1); i < fine.length; i++) {
      if (fine.get(i, T) > endMs) break;
      peak = Math.max(peak, fine.get(i, POWER_W));
    }
    return Number.isFinite(peak) ? peak : 0;
  }
}
