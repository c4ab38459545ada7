// What `bench doctor` knows about the host, gathered once and then judged by pure checks.

export interface GpuProcessFact {
  readonly pid: number;
  readonly name?: string;
  readonly usedMemoryMiB?: number | null;
}

export interface GpuFact {
  readonly index: number;
  readonly name: string;
  readonly persistenceMode: boolean | null;
  readonly eccEnabled: boolean | null;
  /** Volatile uncorrected ECC errors (null when unsupported). */
  readonly eccUncorrected: number | null;
  readonly eccCorrected: number | null;
  /** NVML clock-event reason names, e.g. "SW_THERMAL_SLOWDOWN"; "GPU_IDLE" is benign. */
  readonly throttleReasons: readonly string[];
  readonly tempC: number | null;
  readonly slowdownTempC: number | null;
  readonly powerLimitW: number | null;
  readonly defaultPowerLimitW: number | null;
  readonly processes: readonly GpuProcessFact[];
  /** Set when NVML could not query this GPU's health (e.g. "GPU is lost"). */
  readonly queryError?: string;
}

export type GpuFacts =
  | { readonly available: true; readonly driverVersion: string | null; readonly gpus: readonly GpuFact[] }
  | { readonly available: false; readonly reason: string };

export interface EndpointProbe {
  readonly url: string;
  /** HTTP status, or null when the connection failed. */
  readonly status: number | null;
  readonly error?: string;
  /** Short description of the body (e.g. "2 models: a, b", "41 metric families"). */
  readonly detail?: string;
}

export interface EndpointFacts {
  readonly baseUrl: string;
  readonly models: EndpointProbe;
  readonly health: EndpointProbe;
  readonly metrics: EndpointProbe;
}

export interface HostFacts {
  readonly gpu: GpuFacts;
  /** scaling_governor of every CPU exposing cpufreq; null when cpufreq is not exposed (VMs, containers). */
  readonly cpuGovernors: readonly string[] | null;
  readonly swap: { readonly totalKiB: number; readonly freeKiB: number } | null;
  readonly openFiles: { readonly soft: number; readonly hard: number } | null;
  readonly portRange: { readonly low: number; readonly high: number } | null;
  readonly plannedConcurrency: number;
  readonly endpoint?: EndpointFacts;
}
