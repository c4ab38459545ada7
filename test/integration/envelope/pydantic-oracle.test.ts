// InferenceBench loads an envelope into its pydantic model before hashing. test/helpers/pydantic-model.py
// is a model with its v0.1.0 constraints and config; here it is the oracle for what their verify
// hashes. python3 + pydantic, spawned once per batch. Without pydantic the tests are
// skipped with a note (python3 alone is required by python-oracle.test.ts).
import { readFileSync, readdirSync } from 'node:fs';
import fc from 'fast-check';
import { parse as parseLossless } from 'lossless-json';
import { beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson, canonicalJsonLossless, prettyJson } from '../../../src/envelope/canonical.js';
import { fingerprintSha256 } from '../../../src/envelope/fingerprint.js';
import { normaliseForPython } from '../../../src/envelope/normalise.js';
import { envelopeWriteSchema } from '../../../src/envelope/schema.js';
import { hasPydantic, pydanticCanonical } from '../../helpers/python.js';
import { sampleUnsignedEnvelope } from '../../unit/envelope/sample-envelope.js';

if (!hasPydantic) console.warn('pydantic-oracle: python3 has no pydantic; these tests are skipped');

const oneLine = (value: unknown): string => JSON.stringify(JSON.parse(prettyJson(value)));

function withoutSignature(value: Record<string, unknown>): Record<string, unknown> {
  const { signature: _signature, ...rest } = value;
  return rest;
}

const EDGE = 'fixtures/inferencebench-edge';
const edgeTexts = readdirSync(EDGE)
  .filter((name) => name.endsWith('.json'))
  .map((name) => readFileSync(`${EDGE}/${name}`, 'utf8'));

function withSerial(serial: string): Record<string, unknown> {
  const base = sampleUnsignedEnvelope();
  const hardware: Record<string, unknown> = {
    ...(base.hardware_fingerprint as Record<string, unknown>),
    gpus: [{ model: 'NVIDIA H100 80GB HBM3', pci_id: '00000000:09:00.0', serial, vbios: 'unknown' }],
  };
  hardware.fingerprint_sha256 = fingerprintSha256(hardware);
  return { ...base, hardware_fingerprint: hardware };
}

/** Our sample envelope with whitespace padded onto typed strings, keys and values, and timestamps. */
function perturbedEnvelopes(): Record<string, unknown>[] {
  const ws = fc.constantFrom('', ' ', '\t', '\n', '\u00a0', '\u3000', '\u0085', ' \u2028');
  const pad = fc.tuple(ws, ws).map(
    ([a, b]) =>
      (s: string) =>
        `${a}${s}${b}`,
  );
  const fraction = fc.constantFrom('', '.000000', '.5', '.402000', '.000120', '.1234567', '.0000001');
  const cases = fc.sample(
    fc.record({ p: fc.array(pad, { minLength: 12, maxLength: 12 }), fraction, offset: fc.boolean() }),
    { numRuns: 60, seed: 16 },
  );
  const envelopes = cases.map(({ p, fraction: f, offset }) => {
    const at = (i: number) => p[i] ?? ((s: string) => s);
    const base = sampleUnsignedEnvelope();
    const hardware: Record<string, unknown> = {
      ...(base.hardware_fingerprint as Record<string, unknown>),
      dmi_uuid: at(0)('unknown'),
      gpus: [
        {
          model: at(1)('NVIDIA H100 80GB HBM3'),
          pci_id: '00000000:09:00.0',
          serial: at(2)('1'),
          vbios: '96',
        },
      ],
    };
    hardware.fingerprint_sha256 = fingerprintSha256(hardware); // as our builder hashes what it collected
    return {
      ...base,
      suite_id: at(3)('llm.inference.chatbot-short'),
      timestamp: `2026-06-13T05:30:44${f}${offset ? '+00:00' : 'Z'}`,
      model: { ...base.model, id: at(4)('meta-llama/Llama-3.1-8B-Instruct') },
      hardware_fingerprint: hardware,
      warnings: [at(5)('simulated engine'), at(6)('p99 rests on 4 requests')],
      metrics: { ...base.metrics, [at(7)('extra_metric')]: 1.5, slo_hardware_class: at(8)('h100') },
      distributions: { [at(9)('ttft')]: at(10)('inline') },
      driver_options: { [at(11)('concurrency')]: at(11)(' 4 ') },
      run_context: { [at(10)('kept')]: at(9)('kept') },
    };
  });
  return envelopes;
}

const envelopes = perturbedEnvelopes();
const normalised = envelopes.map((e) => normaliseForPython(e).envelope);
let answers: { edge: string[]; normalised: string[]; raw: string[]; serials: string[] };

beforeAll(() => {
  if (!hasPydantic) return;
  const inputs = [
    ...edgeTexts.map((t) => t.replace(/\n\s*/g, '')),
    ...normalised.map(oneLine),
    ...envelopes.map(oneLine),
    oneLine(withSerial('')),
    oneLine(withSerial('unknown')),
  ];
  const out = pydanticCanonical(inputs);
  const take = (n: number) => out.splice(0, n);
  answers = {
    edge: take(edgeTexts.length),
    normalised: take(normalised.length),
    raw: take(envelopes.length),
    serials: take(2),
  };
});

describe.skipIf(!hasPydantic)('InferenceBench model oracle (pydantic)', () => {
  it('loads every Python-written edge envelope and hashes it as we do', () => {
    const theirs = answers.edge;
    edgeTexts.forEach((text, index) => {
      const lossless = parseLossless(text) as Record<string, unknown>;
      expect(canonicalJsonLossless(withoutSignature(lossless))).toBe(theirs[index]);
    });
  });

  it('our normalised envelopes load in their model and hash identically (random whitespace, timestamps)', () => {
    const theirs = answers.normalised;
    const raw = answers.raw;
    let differedBeforeNormalising = 0;
    normalised.forEach((envelope, index) => {
      const ours = canonicalJson(withoutSignature(envelope));
      expect(ours).toBe(theirs[index]);
      expect(envelopeWriteSchema.safeParse(envelope).success).toBe(true);
      // their load of the raw envelope is our normalised form, except that whitespace in the
      // hardware block breaks its fingerprint check (so the normaliser recomputes the hash)
      const hardwareChanged = normaliseForPython(envelopes[index] ?? {}).changes.some((c) =>
        c.startsWith('$.hardware_fingerprint'),
      );
      if (hardwareChanged)
        expect(raw[index]).toMatch(/^!ERROR hardware_fingerprint: .*fingerprint_sha256 mismatch/);
      else expect(raw[index]).toBe(ours);
      if (canonicalJson(withoutSignature(envelopes[index] as Record<string, unknown>)) !== ours)
        differedBeforeNormalising++;
    });
    expect(differedBeforeNormalising).toBeGreaterThan(50); // the defect was real in most cases
  });

  it('their model refuses a GPU serial "" and accepts the "unknown" placeholder', () => {
    const [empty, unknown] = answers.serials;
    expect(empty).toMatch(/^!ERROR hardware_fingerprint\.gpus\.0\.serial/);
    expect(unknown).toBe(canonicalJson(withoutSignature(withSerial('unknown'))));
    expect(envelopeWriteSchema.safeParse(withSerial('')).success).toBe(false);
  });
});
