// hardware_fingerprint.fingerprint_sha256 as InferenceBench computes it: sha256 of the canonical
// JSON of the fingerprint block without its own `fingerprint_sha256` key. The block holds
// {dmi_uuid, gpus (sorted by pci_id; each {model, pci_id, serial, vbios}), cpu {model, microcode},
// memory {channels, speed_mts, ecc}, bios {version, resizable_bar, above_4g}, numa, driver, cuda,
// nccl}. Checked against all six InferenceBench fixtures (see test/unit/envelope/fingerprint.test.ts).
import { canonicalJson, compareCodePoints } from './canonical.js';
import { sha256Hex } from './hash.js';

export type FingerprintGpu = {
  model: string;
  pci_id: string;
  serial: string;
  vbios: string;
};

export type FingerprintParts = {
  dmi_uuid: string;
  gpus: FingerprintGpu[];
  cpu: { model: string; microcode: string };
  memory: { channels: number; speed_mts: number; ecc: boolean };
  bios: { version: string; resizable_bar: boolean; above_4g: boolean };
  numa: unknown;
  driver: string;
  cuda: string;
  nccl: string;
};

function pciId(gpu: { pci_id?: unknown }): string {
  return typeof gpu.pci_id === 'string' ? gpu.pci_id : '';
}

/** The hashed object: the parts with GPUs sorted by pci_id and any stored hash removed. */
export function fingerprintInput(parts: object): Record<string, unknown> {
  const record: Record<string, unknown> = { ...(parts as Record<string, unknown>) };
  delete record.fingerprint_sha256;
  if (Array.isArray(record.gpus)) {
    record.gpus = [...(record.gpus as Array<{ pci_id?: unknown }>)].sort((a, b) =>
      compareCodePoints(pciId(a), pciId(b)),
    );
  }
  return record;
}

export function fingerprintSha256(parts: FingerprintParts | object): string {
  return sha256Hex(canonicalJson(fingerprintInput(parts)));
}

/** The full hardware_fingerprint block for an envelope: the parts plus their hash. */
export function buildHardwareFingerprint(
  parts: FingerprintParts,
): FingerprintParts & { fingerprint_sha256: string } {
  const input = fingerprintInput(parts) as unknown as FingerprintParts;
  return { fingerprint_sha256: fingerprintSha256(input), ...input };
}
