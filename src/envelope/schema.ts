// Envelope v1 (InferenceBench wire format) plus our optional extension blocks.
//   envelopeV1Schema     tolerant read: unknown keys anywhere are allowed and kept, metric values
//                        may be numbers, strings or null (InferenceBench writes slo_hardware_class).
//   envelopeWriteSchema  strict: what we write. Every constraint of InferenceBench's pydantic model
//                        (v0.1.0: min lengths, revision/git_commit 7–40 chars, memory.channels 1–16,
//                        speed_mts ≥ 1, hex hashes, a non-empty metrics dict, fingerprint_sha256 =
//                        hash of the block) plus ours (no unknown keys in v1 blocks, finite numbers,
//                        UUIDv7 run_id, the timestamp as pydantic renders it, no string that their
//                        load would strip), so that we never write what they cannot read or would
//                        hash differently.
import { isLosslessNumber } from 'lossless-json';
import { TIMELINE_MAX_POINTS } from '../lib/timeline.js';
import { z } from 'zod';
import { fingerprintSha256 } from './fingerprint.js';
import { pydanticStrip } from './normalise.js';
import { PYDANTIC_UTC_TIMESTAMP } from './timestamp.js';

const HEX64 = /^[0-9a-f]{64}$/;
const SEMVER = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const TIMESTAMP_READ = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]00:00)$/;
/** InferenceBench's suite_version pattern `^\d+\.\d+\.\d+(-[\w.]+)?$` (ASCII \w for what we write). */
const SUITE_VERSION_WRITE = /^\d+\.\d+\.\d+(?:-[A-Za-z0-9_.]+)?$/;

const finite = z.number().refine(Number.isFinite, 'must be a finite number');
/**
 * An integer of any size. zod's .int() stops at 2^53; Python ints do not (a nanosecond seed). The
 * literal itself is checked on the lossless parse (integerLiteralIssue) so `42.0` is not an int.
 */
const integral = z.number().refine(Number.isInteger, 'must be an integer').meta({ type: 'integer' });
const metricValueRead = z.union([z.number(), z.string(), z.null()]);

// ---------------------------------------------------------------- v1 blocks (read: loose)

const modelRead = z.looseObject({
  id: z.string(),
  revision: z.string(),
  provider: z.string(),
  endpoint_hash: z.string(),
});
const engineRead = z.looseObject({
  name: z.string(),
  version: z.string(),
  config_hash: z.string(),
  image_digest: z.string(),
});
const quantizationRead = z.looseObject({ format: z.string(), method: z.string() }).nullable();
const gpuRead = z.looseObject({
  model: z.string(),
  pci_id: z.string(),
  serial: z.string(),
  vbios: z.string(),
});
const hardwareRead = z.looseObject({
  fingerprint_sha256: z.string(),
  dmi_uuid: z.string(),
  gpus: z.array(gpuRead),
  cpu: z.looseObject({ model: z.string(), microcode: z.string() }),
  memory: z.looseObject({ channels: integral, speed_mts: integral, ecc: z.boolean() }),
  bios: z.looseObject({ version: z.string(), resizable_bar: z.boolean(), above_4g: z.boolean() }),
  numa: z.unknown(),
  driver: z.string(),
  cuda: z.string(),
  nccl: z.string(),
});
const provenanceRead = z.looseObject({
  image_digest: z.string(),
  pip_freeze_hash: z.string(),
  git_commit: z.string(),
  nvidia_smi_q_hash: z.string(),
});
const datasetRead = z.looseObject({ id: z.string(), hash: z.string() });
export const signatureSchema = z.looseObject({
  method: z.string(),
  certificate: z.string(),
  rekor_log_index: integral,
  bundle: z.string(),
});

// ---------------------------------------------------------------- extension blocks (loose both ways)

const ciSchema = z.looseObject({
  lo: finite.nullable(),
  hi: finite.nullable(),
  n: z.number().int().nonnegative(),
  level: z.literal(0.95),
});
const histogramSchema = z.looseObject({
  edges_ms: z.array(finite),
  counts: z.array(z.number().int().nonnegative()),
});
const timelineSchema = z.looseObject({
  bucket_s: finite.refine((v) => v > 0, 'must be positive'),
  origin: z.literal('point_start'),
  started_at: z.string().nullable(),
  window_s: z.tuple([finite, finite]).nullable(),
  t_s: z.array(finite).max(TIMELINE_MAX_POINTS),
  series: z.record(z.string(), z.array(finite.nullable()).max(TIMELINE_MAX_POINTS)),
});
const extensions = {
  run_context: z
    .looseObject({})
    .optional()
    .describe('inferencebench: how the run was driven (tool version, driver, load, windows, generator lag).'),
  quality: z
    .looseObject({})
    .optional()
    .describe('inferencebench: validity flags (convergence gate, pacer-lag budget, error mix).'),
  telemetry: z
    .looseObject({})
    .optional()
    .describe('inferencebench: telemetry window summary (GPU power, energy, utilisation; engine /metrics).'),
  counts: z.looseObject({}).optional().describe('inferencebench: request and token counts.'),
  metric_ci: z
    .record(z.string(), ciSchema)
    .optional()
    .describe('inferencebench: bootstrap 95 % confidence interval per metric name.'),
  histograms: z
    .record(z.string(), histogramSchema)
    .optional()
    .describe('inferencebench: pre-binned latency histograms per metric name (edges in ms, counts).'),
  timeline: timelineSchema
    .optional()
    .describe(
      'inferencebench: the point over time in 1 s buckets (≤ 1200 per column): throughput, GPU, client health, server metrics.',
    ),
  trials: z
    .array(z.looseObject({}))
    .optional()
    .describe('inferencebench: per-trial results when a point was measured more than once.'),
  placeholders: z
    .array(z.string())
    .optional()
    .describe(
      'inferencebench: dotted paths of values that stand for an unknown fact (e.g. hardware_fingerprint.memory.channels, software_provenance.nvidia_smi_q_hash = sha256("")); see docs/envelope.md.',
    ),
};

export const envelopeV1Schema = z.looseObject({
  envelope_version: z.literal('v1'),
  suite_id: z.string().min(1),
  suite_version: z.string().regex(SEMVER, 'must be a semver version'),
  run_id: z.string().regex(UUID, 'must be a UUID'),
  timestamp: z.string().regex(TIMESTAMP_READ, 'must be an ISO-8601 UTC timestamp'),
  model: modelRead,
  engine: engineRead,
  quantization: quantizationRead,
  hardware_fingerprint: hardwareRead,
  software_provenance: provenanceRead,
  dataset: datasetRead,
  seed: integral,
  driver_options: z.record(z.string(), z.unknown()),
  metrics: z.record(z.string(), metricValueRead),
  distributions: z.record(z.string(), z.string()),
  slo_template: z.string().nullable(),
  warnings: z.array(z.string()),
  signature: signatureSchema.nullable(),
  ...extensions,
});

// ---------------------------------------------------------------- write (strict)

const hex64 = z.string().regex(HEX64, 'must be 64 lower-case hex digits');
/** A string InferenceBench's load leaves as is: no leading/trailing Unicode whitespace. */
const stripped = z.string().refine((text) => pydanticStrip(text) === text, {
  message: 'has leading or trailing whitespace (InferenceBench strips it; normalise before signing)',
});
const nonEmpty = stripped.refine((text) => text.length > 0, 'must not be empty');
const strippedKeys = <T extends z.ZodType>(value: T) => z.record(stripped, value);

const hardwareWrite = z
  .strictObject({
    fingerprint_sha256: hex64,
    dmi_uuid: nonEmpty,
    gpus: z.array(z.strictObject({ model: nonEmpty, pci_id: nonEmpty, serial: nonEmpty, vbios: nonEmpty })),
    cpu: z.strictObject({ model: nonEmpty, microcode: nonEmpty }),
    memory: z.strictObject({
      channels: z.number().int().min(1).max(16),
      speed_mts: z.number().int().min(1),
      ecc: z.boolean(),
    }),
    bios: z.strictObject({ version: nonEmpty, resizable_bar: z.boolean(), above_4g: z.boolean() }),
    numa: strippedKeys(z.unknown()),
    driver: nonEmpty,
    cuda: nonEmpty,
    nccl: stripped,
  })
  .refine((block) => fingerprintSha256(block) === block.fingerprint_sha256, {
    message: 'fingerprint_sha256 is not the hash of the block (InferenceBench refuses to load it)',
    path: ['fingerprint_sha256'],
  });

export const envelopeWriteSchema = z.looseObject({
  envelope_version: z.literal('v1'),
  suite_id: nonEmpty,
  suite_version: z.string().regex(SUITE_VERSION_WRITE, 'must be a semver version (x.y.z or x.y.z-tag)'),
  run_id: z.string().regex(UUID_V7, 'must be a lower-case UUIDv7'),
  timestamp: z
    .string()
    .regex(
      PYDANTIC_UTC_TIMESTAMP,
      'must be UTC as pydantic writes it: …:SSZ, or …:SS.ffffffZ with a non-zero fraction',
    ),
  model: z.strictObject({
    id: nonEmpty,
    revision: stripped.min(7).max(40),
    provider: nonEmpty,
    endpoint_hash: hex64,
  }),
  engine: z.strictObject({
    name: nonEmpty,
    version: nonEmpty,
    config_hash: hex64,
    image_digest: stripped,
  }),
  quantization: z.strictObject({ format: stripped, method: stripped }).nullable(),
  hardware_fingerprint: hardwareWrite,
  software_provenance: z.strictObject({
    image_digest: stripped,
    pip_freeze_hash: hex64,
    git_commit: z.string().regex(/^[0-9a-f]{40}$/, 'must be 40 lower-case hex digits'),
    nvidia_smi_q_hash: hex64,
  }),
  dataset: z.strictObject({ id: nonEmpty, hash: hex64 }),
  seed: z.number().int(),
  driver_options: strippedKeys(z.unknown()),
  metrics: strippedKeys(z.union([finite, stripped, z.null()])).refine(
    (metrics) => Object.keys(metrics).length > 0,
    'must hold at least one metric (InferenceBench refuses an empty metrics dict)',
  ),
  distributions: strippedKeys(stripped),
  slo_template: stripped,
  warnings: z.array(stripped),
  signature: z
    .strictObject({
      method: z.enum(['dev-key', 'sigstore-cosign']),
      certificate: nonEmpty,
      rekor_log_index: z.number().int(),
      bundle: stripped.min(1),
    })
    .nullable(),
  ...extensions,
});

export type EnvelopeV1 = z.infer<typeof envelopeV1Schema>;
export type EnvelopeSignature = z.infer<typeof signatureSchema>;
/** Omit that keeps the named keys of a type with an index signature (plain Omit would drop them). */
type OmitNamed<T, K extends PropertyKey> = {
  [P in keyof T as P extends K ? never : string extends P ? never : P]: T[P];
};
export type UnsignedEnvelope = OmitNamed<EnvelopeV1, 'signature'> & {
  signature: null;
  [key: string]: unknown;
};
export type EnvelopeWrite = z.infer<typeof envelopeWriteSchema>;

/** Integer fields of envelope v1 (Python `int`): their literals must be integer literals. */
const INTEGER_FIELDS: readonly (readonly string[])[] = [
  ['seed'],
  ['signature', 'rekor_log_index'],
  ['hardware_fingerprint', 'memory', 'channels'],
  ['hardware_fingerprint', 'memory', 'speed_mts'],
];

/**
 * Checks the integer fields on a lossless-json parse, where a number keeps its text: `9007199254740993`
 * is an integer (of any size), `42.0` or `4e1` is not. Returns the first issue, or null.
 */
export function integerLiteralIssue(lossless: unknown): string | null {
  for (const keys of INTEGER_FIELDS) {
    let node: unknown = lossless;
    for (const key of keys)
      node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined;
    if (isLosslessNumber(node) && !/^-?\d+$/.test(node.value))
      return `${keys.join('.')}: must be an integer, got ${node.value.slice(0, 40)}`;
  }
  return null;
}

/** One line naming the first schema violation, e.g. `metrics.ttft_p50_ms: expected number…`. */
export function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid envelope';
  const path = issue.path.length > 0 ? issue.path.map(String).join('.') : '(top level)';
  return `${path}: ${issue.message}`;
}
