// What InferenceBench's pydantic model does to an envelope before it hashes it, as a pure function
// over our unsigned envelope, so that we sign exactly the text Python will recompute.
// Their models share one config (`str_strip_whitespace=True`, `extra="allow"`), so on load:
//   - every typed `str` field loses leading/trailing Unicode White_Space (see STRIP below); that
//     includes list[str] items (warnings), the KEYS of every typed dict (metrics, distributions,
//     driver_options, numa) and str VALUES where the value type is str (distributions, string
//     metrics); values typed Any (driver_options values, numa values) and every extension key we
//     add (extra="allow": kept, never validated) are left alone;
//   - `timestamp` (a datetime) is re-rendered (timestamp.ts);
//   - hardware_fingerprint.fingerprint_sha256 must equal the hash of the stripped block.
// docs/envelope.md "What Python's model changes" states the same rule.
import { EnvelopeError } from './errors.js';
import { fingerprintSha256 } from './fingerprint.js';
import { pydanticTimestamp } from './timestamp.js';

/** Unicode White_Space: what pydantic-core's strip removes (Rust `char::is_whitespace`). */
const WS = '\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const LEADING = new RegExp(`^[${WS}]+`);
const TRAILING = new RegExp(`[${WS}]+$`);

/** Python's (pydantic's) strip: unlike String.prototype.trim it removes U+0085 and keeps U+FEFF. */
export function pydanticStrip(text: string): string {
  return text.replace(LEADING, '').replace(TRAILING, '');
}

type Spec =
  | 'str'
  | 'timestamp'
  | { readonly fields: Readonly<Record<string, Spec>> }
  | { readonly items: Spec }
  /** A typed dict: keys are str; values are stripped when `strValues` and they are strings. */
  | { readonly dict: { readonly strValues: boolean } };

const fields = (f: Record<string, Spec>): Spec => ({ fields: f });
const strs = (...names: string[]): Record<string, Spec> =>
  Object.fromEntries(names.map((name) => [name, 'str' as const]));

/** Typed fields of InferenceBench's Envelope model (v0.1.0) and its sub-models. */
const ENVELOPE_SPEC = fields({
  ...strs('suite_id', 'suite_version', 'run_id', 'slo_template'),
  timestamp: 'timestamp',
  warnings: { items: 'str' },
  model: fields(strs('id', 'revision', 'provider', 'endpoint_hash')),
  engine: fields(strs('name', 'version', 'config_hash', 'image_digest')),
  quantization: fields(strs('format', 'method')),
  hardware_fingerprint: fields({
    ...strs('fingerprint_sha256', 'dmi_uuid', 'driver', 'cuda', 'nccl'),
    gpus: { items: fields(strs('model', 'pci_id', 'serial', 'vbios')) },
    cpu: fields(strs('model', 'microcode')),
    bios: fields(strs('version')),
    numa: { dict: { strValues: false } },
  }),
  software_provenance: fields(strs('image_digest', 'pip_freeze_hash', 'git_commit', 'nvidia_smi_q_hash')),
  dataset: fields(strs('id', 'hash')),
  driver_options: { dict: { strValues: false } },
  metrics: { dict: { strValues: true } },
  distributions: { dict: { strValues: true } },
  signature: fields(strs('method', 'certificate', 'bundle')),
});

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function strip(value: unknown, path: string, changes: string[]): unknown {
  if (typeof value !== 'string') return value;
  const stripped = pydanticStrip(value);
  if (stripped !== value) changes.push(path);
  return stripped;
}

function apply(value: unknown, spec: Spec, path: string, changes: string[]): unknown {
  if (spec === 'str') return strip(value, path, changes);
  if (spec === 'timestamp') {
    if (typeof value !== 'string') return value;
    const rendered = pydanticTimestamp(value);
    if (rendered === null || rendered === value) return value;
    changes.push(path);
    return rendered;
  }
  if ('items' in spec) {
    if (!Array.isArray(value)) return value;
    return value.map((item, index) => apply(item, spec.items, `${path}[${index}]`, changes));
  }
  if (!isRecord(value)) return value;
  if ('dict' in spec) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      const newKey = pydanticStrip(key);
      if (newKey !== key) changes.push(`${path}[${JSON.stringify(key)}]`);
      if (Object.hasOwn(out, newKey))
        throw new EnvelopeError(
          `${path}: keys ${JSON.stringify(key)} and ${JSON.stringify(newKey)} are the same once whitespace is stripped`,
          'E_ENVELOPE_KEY_COLLISION',
          1,
        );
      out[newKey] = spec.dict.strValues ? strip(item, `${path}.${newKey}`, changes) : item;
    }
    return out;
  }
  const out: Record<string, unknown> = { ...value };
  for (const [name, fieldSpec] of Object.entries(spec.fields)) {
    if (Object.hasOwn(value, name)) out[name] = apply(value[name], fieldSpec, `${path}.${name}`, changes);
  }
  return out;
}

export interface PythonNormalised<T> {
  /** The envelope as InferenceBench's model holds it after loading. */
  readonly envelope: T;
  /** Paths that changed, e.g. `$.warnings[0]`, `$.timestamp`, `$.metrics[" x"]` (a key). */
  readonly changes: readonly string[];
}

/**
 * Applies InferenceBench's load-time normalisation (whitespace strip on typed strings, timestamp
 * re-render) and, when the hardware block changed, recomputes fingerprint_sha256 over the stripped
 * block as their validator does. Pure: the input is not modified.
 */
export function normaliseForPython<T extends object>(envelope: T): PythonNormalised<T> {
  const changes: string[] = [];
  const out = apply(envelope, ENVELOPE_SPEC, '$', changes) as Record<string, unknown>;
  const hardware = out.hardware_fingerprint;
  if (isRecord(hardware) && changes.some((c) => c.startsWith('$.hardware_fingerprint'))) {
    const recomputed = fingerprintSha256(hardware);
    if (recomputed !== hardware.fingerprint_sha256) {
      out.hardware_fingerprint = { ...hardware, fingerprint_sha256: recomputed };
      changes.push('$.hardware_fingerprint.fingerprint_sha256');
    }
  }
  return { envelope: out as T, changes };
}
