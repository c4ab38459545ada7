// hardware_fingerprint parts as InferenceBench writes them (envelope v1). The envelope module
// computes fingerprint_sha256 over the canonical JSON of exactly these keys; telemetry only
// collects them. Placeholders follow InferenceBench's own files and satisfy its model (every
// string but nccl needs ≥ 1 character): "unknown" for any string we cannot read (dmi_uuid,
// bios.version, GPU serial/vbios when NVML does not report them, driver and cuda without NVML),
// memory {channels: 1, speed_mts: 1, ecc: false}, bios.resizable_bar and bios.above_4g false (not
// readable without root tools), nccl "". src/envelope/placeholders.ts recognises the sentinels.
import { join } from 'node:path';
import { readCpuInfo, readNumaNodes, readText } from './host.js';
import type { NumaNode } from './host.js';
import { openNvml } from './nvml.js';
import type { NvmlHandle, NvmlUnavailable } from './nvml.js';

export interface FingerprintGpu {
  readonly model: string;
  readonly pci_id: string;
  readonly serial: string;
  readonly vbios: string;
}

export interface HardwareFingerprintParts {
  readonly dmi_uuid: string;
  readonly gpus: FingerprintGpu[];
  readonly cpu: { readonly model: string; readonly microcode: string };
  readonly memory: { readonly channels: number; readonly speed_mts: number; readonly ecc: boolean };
  readonly bios: { readonly version: string; readonly resizable_bar: boolean; readonly above_4g: boolean };
  readonly numa: { readonly nodes: NumaNode[] };
  readonly driver: string;
  readonly cuda: string;
  readonly nccl: string;
}

export const MEMORY_PLACEHOLDER = { channels: 1, speed_mts: 1, ecc: false } as const;
/** What InferenceBench writes for a required string it could not read. */
export const UNKNOWN = 'unknown';

/** The value trimmed, or "unknown" when nothing is left (their model refuses empty strings). */
function orUnknown(value: string | null | undefined): string {
  const text = value?.trim() ?? '';
  return text === '' ? UNKNOWN : text;
}

export interface FingerprintOptions {
  /** Filesystem root for /proc and /sys (tests); default "/". */
  readonly root?: string;
  /** NCCL version when known (e.g. from the engine); default "". */
  readonly nccl?: string;
}

/** Code-point order, as Python sorts str (the envelope hashes with sort_keys). */
function byCodePoint(a: string, b: string): number {
  const A = [...a];
  const B = [...b];
  for (let i = 0; i < Math.min(A.length, B.length); i++) {
    const d = (A[i]?.codePointAt(0) ?? 0) - (B[i]?.codePointAt(0) ?? 0);
    if (d !== 0) return d;
  }
  return A.length - B.length;
}

/**
 * The hardware_fingerprint keys (without fingerprint_sha256). `nvml` omitted (undefined): NVML is
 * opened here ($BENCH_NVML_LIB or libnvidia-ml.so.1) and closed again; null: no GPUs are listed.
 */
export async function collectFingerprintParts(
  nvml?: NvmlHandle | NvmlUnavailable | null,
  opts: FingerprintOptions = {},
): Promise<HardwareFingerprintParts> {
  if (nvml === undefined) {
    const own = openNvml();
    try {
      return await collectFingerprintParts(own, opts);
    } finally {
      if (own.available) own.close();
    }
  }
  const root = opts.root ?? '/';
  const dmi = async (file: string): Promise<string> => {
    const v = (await readText(join(root, 'sys/class/dmi/id', file)))?.trim();
    return orUnknown(v);
  };
  const cpu = await readCpuInfo(root);
  const gpus: FingerprintGpu[] =
    nvml && nvml.available
      ? nvml.devices
          .map((d) => ({
            model: orUnknown(d.name),
            pci_id: orUnknown(d.pciBusId),
            serial: orUnknown(d.serial),
            vbios: orUnknown(d.vbios),
          }))
          .sort((a, b) => byCodePoint(a.pci_id, b.pci_id))
      : [];
  return {
    dmi_uuid: await dmi('product_uuid'),
    gpus,
    cpu: { model: orUnknown(cpu.model), microcode: orUnknown(cpu.microcode) },
    memory: { ...MEMORY_PLACEHOLDER },
    bios: { version: await dmi('bios_version'), resizable_bar: false, above_4g: false },
    numa: { nodes: await readNumaNodes(root) },
    driver: orUnknown(nvml && nvml.available ? nvml.driverVersion : null),
    cuda: orUnknown(nvml && nvml.available ? nvml.cudaVersion : null),
    nccl: opts.nccl?.trim() ?? '',
  };
}
