// Exact interop with the Python InferenceBench (issue 16): one golden per defect.
//   fixtures/inferencebench-edge: envelopes written and signed by the Python tool (v0.1.0) with one
//   awkward value each; every one must verify with the signer's key.
//   The timestamp and whitespace goldens were produced once with pydantic 2.13 (a model with
//   InferenceBench's config: str_strip_whitespace=True, timestamp: datetime, dumped mode="json").
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { canonicalJsonLossless } from '../../../src/envelope/canonical.js';
import { fingerprintSha256 } from '../../../src/envelope/fingerprint.js';
import { parseEnvelopeText } from '../../../src/envelope/io.js';
import { normaliseForPython, pydanticStrip } from '../../../src/envelope/normalise.js';
import { placeholderPaths } from '../../../src/envelope/placeholders.js';
import { envelopeWriteSchema } from '../../../src/envelope/schema.js';
import { envelopeTimestamp, pydanticTimestamp } from '../../../src/envelope/timestamp.js';
import { verifyEnvelopeObject } from '../../../src/envelope/verify.js';
import { sampleUnsignedEnvelope } from './sample-envelope.js';

const EDGE = 'fixtures/inferencebench-edge';
const SIGNER = readFileSync(`${EDGE}/signer.pub`, 'utf8');
const EDGE_FILES = readdirSync(EDGE)
  .filter((name) => name.endsWith('.json'))
  .sort();

function load(name: string): ReturnType<typeof parseEnvelopeText> {
  const path = `${EDGE}/${name}`;
  return parseEnvelopeText(readFileSync(path, 'utf8'), path);
}

describe('Python-written edge envelopes (fixtures/inferencebench-edge)', () => {
  it('holds the five files named in its README', () => {
    expect(EDGE_FILES).toEqual([
      'nonascii.json',
      'quant-none.json',
      'seed-2pow53plus1.json',
      'small-float.json',
      'ts-no-fraction.json',
    ]);
  });

  it.each(EDGE_FILES)('%s verifies with the signer key (trusted)', async (name) => {
    const loaded = load(name);
    const result = await verifyEnvelopeObject(
      { envelope: loaded.envelope, lossless: loaded.lossless, path: `${EDGE}/${name}` },
      { devPublicKeyPem: SIGNER },
    );
    expect(result.reason).toBeUndefined();
    expect(result).toMatchObject({ ok: true, keyTrusted: true, method: 'dev-key' });
  });

  it.each(EDGE_FILES)('%s is already in the form pydantic writes (normalising changes nothing)', (name) => {
    expect(normaliseForPython(load(name).envelope).changes).toEqual([]);
  });

  it('defect 1: 0.000025 in the file hashes as Python repr 2.5e-05', () => {
    const loaded = load('small-float.json');
    expect(loaded.text).toContain('"cost_usd_per_token": 0.000025');
    const canonical = canonicalJsonLossless(loaded.lossless);
    expect(canonical).toContain('"cost_usd_per_token":2.5e-05');
    expect(canonical).not.toContain('0.000025');
  });

  it('defect 2: a timestamp without a fraction is read and hashed as written', () => {
    const loaded = load('ts-no-fraction.json');
    expect(loaded.envelope.timestamp).toBe('2026-06-13T05:30:44Z');
    expect(canonicalJsonLossless(loaded.lossless)).toContain('"timestamp":"2026-06-13T05:30:44Z"');
  });

  it('defect 5: a seed of 2^53+1 is read (integer validated on the lossless parse) and hashed exactly', () => {
    const loaded = load('seed-2pow53plus1.json');
    expect(canonicalJsonLossless(loaded.lossless)).toContain('"seed":9007199254740993');
    expect(() =>
      parseEnvelopeText(loaded.text.replace('"seed": 9007199254740993', '"seed": 9007199254740993.0'), 'x'),
    ).toThrow(/seed: must be an integer, got 9007199254740993\.0/);
  });

  it('non-ASCII ids and an emoji warning are escaped as Python ensure_ascii does', () => {
    const canonical = canonicalJsonLossless(load('nonascii.json').lossless);
    expect(canonical).toContain('Qwen2.5-7B-Instruct-\\u4e2d\\u6587-\\u00fc');
    expect(canonical).toMatch(/\\ud83d\\ude80/);
  });

  it('quantization null is read and hashed as null', () => {
    const loaded = load('quant-none.json');
    expect(loaded.envelope.quantization).toBeNull();
    expect(canonicalJsonLossless(loaded.lossless)).toContain('"quantization":null');
  });
});

describe('defect 2: timestamps as pydantic writes them', () => {
  // pydantic 2.13: Model(t=datetime(2026,6,13,5,30,44,us,tzinfo=utc)).model_dump(mode="json")
  it.each([
    [0, 0, '2026-06-13T05:30:44Z'],
    [402, 0, '2026-06-13T05:30:44.402000Z'],
    [402, 452, '2026-06-13T05:30:44.402452Z'],
    [0, 1, '2026-06-13T05:30:44.000001Z'],
    [100, 0, '2026-06-13T05:30:44.100000Z'],
    [0, 120, '2026-06-13T05:30:44.000120Z'],
  ])('%i ms + %i µs → %s', (ms, micros, expected) => {
    const date = new Date(Date.UTC(2026, 5, 13, 5, 30, 44, ms));
    expect(envelopeTimestamp(date, micros)).toBe(expected);
  });

  // pydantic 2.13: Model(t=text).model_dump(mode="json")
  it.each([
    ['2026-06-13T05:30:44.000000Z', '2026-06-13T05:30:44Z'],
    ['2026-06-13T05:30:44.000Z', '2026-06-13T05:30:44Z'],
    ['2026-06-13T05:30:44+00:00', '2026-06-13T05:30:44Z'],
    ['2026-06-13T05:30:44-00:00', '2026-06-13T05:30:44Z'],
    ['2026-06-13T05:30:44.5Z', '2026-06-13T05:30:44.500000Z'],
    ['2026-06-13T05:30:44.1+00:00', '2026-06-13T05:30:44.100000Z'],
    ['2026-06-13T05:30:44.1234567Z', '2026-06-13T05:30:44.123456Z'],
    ['2026-06-13T05:30:44.9999999Z', '2026-06-13T05:30:44.999999Z'],
    ['2026-06-13T05:30:44.0000001Z', '2026-06-13T05:30:44Z'],
    ['2026-06-13T05:30:44.402452Z', '2026-06-13T05:30:44.402452Z'],
  ])('pydantic reads %s and writes %s', (text, expected) => {
    expect(pydanticTimestamp(text)).toBe(expected);
  });

  it('leaves what it does not understand to the schema', () => {
    expect(pydanticTimestamp('2026-06-13T05:30:44+01:00')).toBeNull();
    expect(pydanticTimestamp('yesterday')).toBeNull();
  });

  it('refuses sub-millisecond values outside 0..999', () => {
    expect(() => envelopeTimestamp(new Date(0), 1000)).toThrow(RangeError);
  });
});

describe('defect 3: whitespace stripped as InferenceBench loads it', () => {
  // pydantic-core strips Unicode White_Space: U+0085 yes, U+FEFF and U+200B no (JS trim differs)
  it.each([
    [' a\t\n', 'a'],
    ['\u00a0nb\u00a0', 'nb'],
    ['\u3000ideo\u3000', 'ideo'],
    ['\u0085nel\u0085', 'nel'],
    ['\ufeffbom', '\ufeffbom'],
    [' \u200b zw ', '\u200b zw'],
    ['in  side', 'in  side'],
    ['   ', ''],
  ])('strip(%j) = %j', (text, expected) => {
    expect(pydanticStrip(text)).toBe(expected);
  });

  it('strips typed strings, list items, typed-dict keys and str values; leaves Any values and extensions', () => {
    const base = sampleUnsignedEnvelope();
    const input = {
      ...base,
      suite_id: ' llm.inference.chatbot-short ',
      warnings: [' disk almost full\n', 'ok'],
      model: { ...base.model, id: 'meta-llama/Llama-3.1-8B-Instruct\t' },
      metrics: { ...base.metrics, ' spaced_key ': 1, slo_hardware_class: ' h100 ' },
      distributions: { ' ttft ': ' inline ' },
      driver_options: { ' concurrency ': ' 4 ' },
      run_context: { ' kept ': ' kept ' },
      timestamp: '2026-05-18T13:27:52.000000Z',
    };
    const { envelope, changes } = normaliseForPython(input);
    expect(envelope.suite_id).toBe('llm.inference.chatbot-short');
    expect(envelope.warnings).toEqual(['disk almost full', 'ok']);
    expect(envelope.model.id).toBe('meta-llama/Llama-3.1-8B-Instruct');
    expect(envelope.metrics).toMatchObject({ spaced_key: 1, slo_hardware_class: 'h100' });
    expect(envelope.distributions).toEqual({ ttft: 'inline' });
    expect(envelope.driver_options).toEqual({ concurrency: ' 4 ' }); // dict[str, Any]: key only
    expect(envelope.run_context).toEqual({ ' kept ': ' kept ' }); // extra="allow": untouched
    expect(envelope.timestamp).toBe('2026-05-18T13:27:52Z');
    expect(changes).toEqual([
      '$.suite_id',
      '$.timestamp',
      '$.warnings[0]',
      '$.model.id',
      '$.driver_options[" concurrency "]',
      '$.metrics.slo_hardware_class',
      '$.metrics[" spaced_key "]',
      '$.distributions[" ttft "]',
      '$.distributions.ttft',
    ]);
    expect(input.suite_id).toBe(' llm.inference.chatbot-short '); // pure
    expect(envelopeWriteSchema.safeParse(input).success).toBe(false);
    expect(envelopeWriteSchema.safeParse(envelope).success).toBe(true);
  });

  it('recomputes fingerprint_sha256 over the stripped hardware block, as their validator checks it', () => {
    const base = sampleUnsignedEnvelope();
    const hardware: Record<string, unknown> = {
      ...(base.hardware_fingerprint as Record<string, unknown>),
      driver: ' 580.126.09 ',
    };
    hardware.fingerprint_sha256 = fingerprintSha256(hardware);
    const { envelope, changes } = normaliseForPython({ ...base, hardware_fingerprint: hardware });
    expect(envelope.hardware_fingerprint.driver).toBe('580.126.09');
    expect(envelope.hardware_fingerprint.fingerprint_sha256).toBe(
      base.hardware_fingerprint.fingerprint_sha256,
    );
    expect(changes).toContain('$.hardware_fingerprint.fingerprint_sha256');
  });

  it('refuses keys that collide once stripped', () => {
    expect(() => normaliseForPython({ ...sampleUnsignedEnvelope(), metrics: { a: 1, ' a': 2 } })).toThrow(
      expect.objectContaining({ code: 'E_ENVELOPE_KEY_COLLISION' }),
    );
  });
});

describe('defect 4: placeholders', () => {
  it('lists the sentinel values of a machine we could not read', () => {
    const base = sampleUnsignedEnvelope();
    const hardware = {
      ...(base.hardware_fingerprint as Record<string, unknown>),
      memory: { channels: 1, speed_mts: 1, ecc: false },
      driver: 'unknown',
      gpus: [
        { model: 'NVIDIA H100 80GB HBM3', pci_id: '00000000:09:00.0', serial: 'unknown', vbios: 'unknown' },
      ],
    };
    const envelope = {
      ...base,
      hardware_fingerprint: hardware,
      software_provenance: {
        ...base.software_provenance,
        nvidia_smi_q_hash: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      },
    };
    expect(placeholderPaths(envelope)).toEqual([
      'hardware_fingerprint.dmi_uuid',
      'hardware_fingerprint.driver',
      'hardware_fingerprint.gpus[0].serial',
      'hardware_fingerprint.gpus[0].vbios',
      'hardware_fingerprint.memory.channels',
      'hardware_fingerprint.memory.speed_mts',
      'model.endpoint_hash',
      'model.revision',
      'software_provenance.git_commit',
      'software_provenance.nvidia_smi_q_hash',
      'software_provenance.pip_freeze_hash',
    ]);
  });

  it('finds the same placeholders in a Python envelope (their sentinels are ours)', () => {
    const paths = placeholderPaths(load('small-float.json').envelope);
    expect(paths).toEqual(
      expect.arrayContaining([
        'hardware_fingerprint.dmi_uuid',
        'hardware_fingerprint.memory.channels',
        'hardware_fingerprint.memory.speed_mts',
      ]),
    );
    expect(paths.some((p) => p.includes('gpus'))).toBe(false); // real serials there
  });

  it('the write schema takes a placeholders list as an extension', () => {
    const envelope = { ...sampleUnsignedEnvelope(), placeholders: ['hardware_fingerprint.memory.channels'] };
    expect(envelopeWriteSchema.safeParse(envelope).success).toBe(true);
    expect(envelopeWriteSchema.safeParse({ ...envelope, placeholders: [1] }).success).toBe(false);
  });
});
