// Placeholders: values InferenceBench's model requires but that stand for an unknown fact. Both
// tools write the same sentinels (their own files carry them), so they are recognised by value:
//   "unknown"                  any required string we could not read (GPU serial/vbios, DMI UUID,
//                              BIOS version, driver, CUDA, CPU model/microcode, model revision)
//   memory {channels: 1, speed_mts: 1}   memory layout not read (1 MT/s is never a real speed)
//   sha256("")                 nvidia_smi_q_hash without nvidia-smi, pip_freeze_hash without a
//                              lockfile / freeze
//   40 zeros                   git_commit outside a checkout
//   64 zeros                   model.endpoint_hash without an endpoint (embedded engine),
//                              engine.config_hash when the engine config is unknown
// Our envelopes list the paths in the top-level extension key `placeholders` so that a reader can
// tell them from data; for envelopes without the key (theirs, our older ones) readers call
// placeholderPaths() themselves.
export const UNKNOWN = 'unknown';
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
export const ZERO_SHA256 = '0'.repeat(64);
export const ZERO_COMMIT = '0'.repeat(40);
/** InferenceBench's Memory model needs channels 1..16 and speed_mts ≥ 1. */
export const MEMORY_PLACEHOLDER = { channels: 1, speed_mts: 1 } as const;

function get(value: unknown, ...keys: (string | number)[]): unknown {
  let node = value;
  for (const key of keys) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[key];
  }
  return node;
}

const UNKNOWN_STRINGS: readonly (readonly string[])[] = [
  ['model', 'revision'],
  ['hardware_fingerprint', 'dmi_uuid'],
  ['hardware_fingerprint', 'cpu', 'model'],
  ['hardware_fingerprint', 'cpu', 'microcode'],
  ['hardware_fingerprint', 'bios', 'version'],
  ['hardware_fingerprint', 'driver'],
  ['hardware_fingerprint', 'cuda'],
];

const HASH_SENTINELS: readonly (readonly [readonly string[], string])[] = [
  [['software_provenance', 'nvidia_smi_q_hash'], EMPTY_SHA256],
  [['software_provenance', 'pip_freeze_hash'], EMPTY_SHA256],
  [['software_provenance', 'git_commit'], ZERO_COMMIT],
  [['model', 'endpoint_hash'], ZERO_SHA256],
  [['engine', 'config_hash'], ZERO_SHA256],
];

/** Dotted paths (`hardware_fingerprint.gpus[0].serial`) of the placeholder values in an envelope. */
export function placeholderPaths(envelope: object): string[] {
  const paths: string[] = [];
  for (const keys of UNKNOWN_STRINGS) if (get(envelope, ...keys) === UNKNOWN) paths.push(keys.join('.'));
  for (const [keys, sentinel] of HASH_SENTINELS)
    if (get(envelope, ...keys) === sentinel) paths.push(keys.join('.'));
  const memory = get(envelope, 'hardware_fingerprint', 'memory');
  if (
    get(memory, 'channels') === MEMORY_PLACEHOLDER.channels &&
    get(memory, 'speed_mts') === MEMORY_PLACEHOLDER.speed_mts
  )
    paths.push('hardware_fingerprint.memory.channels', 'hardware_fingerprint.memory.speed_mts');
  const gpus = get(envelope, 'hardware_fingerprint', 'gpus');
  if (Array.isArray(gpus)) {
    gpus.forEach((gpu, index) => {
      for (const field of ['model', 'pci_id', 'serial', 'vbios'])
        if (get(gpu, field) === UNKNOWN) paths.push(`hardware_fingerprint.gpus[${index}].${field}`);
    });
  }
  return paths.sort();
}
