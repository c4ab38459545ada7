// NVML on the main thread: device inventory, health queries (doctor, fingerprint). Sampling at
// 10-100 ms runs in a worker (nvml-worker.ts) because an energy read costs ~4 ms on an H100.
import { createRequire } from 'node:module';
import { bindNvml } from './nvml-binding.js';
import type { Koffi, NvmlBinding, NvmlDeviceInfo, NvmlProcess, NvmlRawSample } from './nvml-binding.js';

export type { NvmlDeviceInfo, NvmlProcess, NvmlRawSample } from './nvml-binding.js';

export const DEFAULT_NVML_LIB = 'libnvidia-ml.so.1';

export interface NvmlUnavailable {
  readonly available: false;
  readonly reason: string;
}

export interface NvmlHandle {
  readonly available: true;
  readonly libPath: string;
  readonly driverVersion: string;
  /** "13.0" from nvmlSystemGetCudaDriverVersion_v2 (13000); "" when unknown. */
  readonly cudaVersion: string;
  readonly nvmlVersion: string | null;
  readonly devices: readonly NvmlDeviceInfo[];
  sample(index: number, withEnergy?: boolean): NvmlRawSample;
  health(index: number): GpuHealth;
  close(): void;
}

export interface GpuHealth {
  readonly index: number;
  readonly name: string;
  readonly pciBusId: string;
  readonly persistenceMode: boolean | null;
  readonly eccEnabled: boolean | null;
  readonly eccErrors: { readonly corrected: number; readonly uncorrected: number } | null;
  /** Active clock-throttle (clock-event) reasons, e.g. ["SW_THERMAL_SLOWDOWN"]; [] when none. */
  readonly throttleReasons: readonly string[];
  readonly throttleMask: number | null;
  readonly tempC: number | null;
  readonly slowdownTempC: number | null;
  readonly shutdownTempC: number | null;
  readonly powerLimitW: number | null;
  readonly defaultPowerLimitW: number | null;
  readonly processes: readonly NvmlProcess[] | null;
}

/** nvmlClocksEventReason* bits (nvml.h), named as InferenceBench's doctor prints them. */
export const THROTTLE_REASON_BITS: readonly (readonly [number, string])[] = [
  [0x1, 'GPU_IDLE'],
  [0x2, 'APPLICATIONS_CLOCKS_SETTING'],
  [0x4, 'SW_POWER_CAP'],
  [0x8, 'HW_SLOWDOWN'],
  [0x10, 'SYNC_BOOST'],
  [0x20, 'SW_THERMAL_SLOWDOWN'],
  [0x40, 'HW_THERMAL_SLOWDOWN'],
  [0x80, 'HW_POWER_BRAKE_SLOWDOWN'],
  [0x100, 'DISPLAY_CLOCK_SETTING'],
];

export function decodeThrottleReasons(mask: number | null): string[] {
  if (mask === null || mask === 0) return [];
  const names = THROTTLE_REASON_BITS.filter(([bit]) => (mask & bit) !== 0).map(([, n]) => n);
  const known = THROTTLE_REASON_BITS.reduce((acc, [bit]) => acc | bit, 0);
  const rest = mask & ~known;
  if (rest !== 0) names.push(`UNKNOWN_0x${rest.toString(16)}`);
  return names;
}

/** "13.0" for 13000, "12.4" for 12040; "" for null. */
export function formatCudaVersion(v: number | null): string {
  if (v === null || !Number.isFinite(v) || v <= 0) return '';
  return `${Math.floor(v / 1000)}.${Math.floor((v % 1000) / 10)}`;
}

export function nvmlLibPath(libPath?: string): string {
  return libPath ?? process.env.BENCH_NVML_LIB ?? DEFAULT_NVML_LIB;
}

const requireHere = createRequire(import.meta.url);

/** Absolute path of koffi's CommonJS entry, resolved from this module (or the bundle's) location. */
export function resolveKoffiPath(): string {
  return requireHere.resolve('koffi');
}

export function loadKoffi(): Koffi {
  return requireHere('koffi') as Koffi;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Opens NVML. Never throws: a missing library, a driver that is not loaded, or a machine without
 * GPUs gives {available: false, reason}.
 */
export function openNvml(libPath?: string): NvmlHandle | NvmlUnavailable {
  const path = nvmlLibPath(libPath);
  let koffi: Koffi;
  try {
    koffi = loadKoffi();
  } catch (e) {
    return { available: false, reason: `koffi (FFI) could not be loaded: ${errorText(e)}` };
  }
  let b: NvmlBinding;
  try {
    b = bindNvml(koffi, path);
  } catch (e) {
    const msg = errorText(e);
    if (/Failed to load shared library/i.test(msg))
      return {
        available: false,
        reason: `NVML library ${path} could not be loaded (${msg.replace(/^Failed to load shared library:\s*/i, '')})`,
      };
    return { available: false, reason: `NVML initialisation failed: ${msg}` };
  }
  try {
    if (b.deviceCount === 0) {
      b.close();
      return { available: false, reason: 'NVML reports no GPUs' };
    }
    const devices = Array.from({ length: b.deviceCount }, (_, i) => b.info(i));
    return {
      available: true,
      libPath: path,
      driverVersion: b.driverVersion,
      cudaVersion: formatCudaVersion(b.cudaDriverVersion),
      nvmlVersion: b.nvmlVersion,
      devices,
      sample: (index, withEnergy = true) => b.sample(index, withEnergy),
      health(index): GpuHealth {
        const h = b.health(index);
        const d = devices[index];
        return {
          index,
          name: d?.name ?? '',
          pciBusId: d?.pciBusId ?? '',
          persistenceMode: h.persistenceMode,
          eccEnabled: h.eccEnabled,
          eccErrors: h.eccErrors,
          throttleReasons: decodeThrottleReasons(h.throttleMask),
          throttleMask: h.throttleMask,
          tempC: h.tempC,
          slowdownTempC: h.slowdownTempC,
          shutdownTempC: h.shutdownTempC,
          powerLimitW: h.powerLimitW,
          defaultPowerLimitW: h.defaultPowerLimitW,
          processes: h.processes,
        };
      },
      close: () => b.close(),
    };
  } catch (e) {
    b.close();
    return { available: false, reason: `NVML device query failed: ${errorText(e)}` };
  }
}

/** Health of every GPU (for `bench doctor`). Per-GPU query failures become a reason string. */
export function queryGpuHealth(nvml: NvmlHandle): (GpuHealth | { index: number; error: string })[] {
  return nvml.devices.map((d) => {
    try {
      return nvml.health(d.index);
    } catch (e) {
      return { index: d.index, error: errorText(e) };
    }
  });
}
