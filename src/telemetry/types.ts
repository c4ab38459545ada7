// Contracts of the telemetry layer. Times are monotonic ms (performance.now()), the clock the
// harness uses for request records, so samples and requests line up.

export type Availability<T> =
  ({ readonly available: true } & T) | { readonly available: false; readonly reason: string };

export interface GpuSample {
  readonly tMs: number;
  readonly powerW: number;
  /** NVML total-energy counter in mJ since driver load; null when the GPU does not expose it. */
  readonly energyMj: number | null;
  readonly utilGpuPct: number;
  readonly utilMemPct: number;
  readonly memUsedMiB: number;
  readonly smClockMhz: number | null;
  readonly tempC: number | null;
}

export interface GpuLive {
  readonly index: number;
  readonly name: string;
  readonly latest: GpuSample | null;
  /** Last ≤ 120 samples, decimated to about 1/s for sparklines. */
  readonly powerWSeries: readonly number[];
  readonly utilPctSeries: readonly number[];
}

export interface TelemetrySnapshot {
  readonly source: 'nvml' | 'dcgm' | 'engine' | 'none';
  readonly gpu: Availability<{
    readonly gpus: readonly GpuLive[];
    /** Energy since the sampler started, all GPUs, J. */
    readonly energyJ: number;
    readonly sampleCount: number;
    readonly intervalMs: number;
  }>;
  readonly rapl: Availability<{
    readonly packageJ: number;
    readonly dramJ: number | null;
    readonly sampleCount: number;
    readonly intervalMs: number;
  }>;
}

/** Summary over a measurement window, for the envelope and the profiling breakdown. */
export interface TelemetryWindowSummary {
  readonly source: TelemetrySnapshot['source'];
  readonly gpu: Availability<{
    readonly gpuCount: number;
    readonly energyJoulesTotal: number;
    /** 'counter' = NVML total-energy delta; 'power_integral' = labelled fallback. */
    readonly energyMethod: 'counter' | 'power_integral';
    readonly powerAvgW: number;
    readonly powerPeakW: number;
    /** Mean power over samples with GPU util > 50 %; null when there are none. */
    readonly powerUnderLoadAvgW: number | null;
    readonly utilGpuAvgPct: number;
    readonly sampleCount: number;
    readonly intervalMs: number;
  }>;
  readonly rapl: Availability<{
    readonly packageJoules: number;
    readonly dramJoules: number | null;
    readonly sampleCount: number;
    readonly intervalMs: number;
  }>;
}
