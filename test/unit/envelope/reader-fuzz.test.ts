// fast-check: the envelope reader and verifier meet random and mutated input with clean, coded
// errors only — never a crash, a hang or a non-EnvelopeError exception.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EnvelopeError } from '../../../src/envelope/errors.js';
import { parseEnvelopeText } from '../../../src/envelope/io.js';
import { verifyEnvelopeObject } from '../../../src/envelope/verify.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 200);
const FIXTURE = readFileSync(
  join(import.meta.dirname, '../../../fixtures/inferencebench-envelopes/c4-95cbfd4f49dc.json'),
  'utf8',
);

/** Reads and verifies; returns 'ok' / the failure reason, or the EnvelopeError code. Anything else throws. */
async function readAndVerify(text: string): Promise<string> {
  let loaded;
  try {
    loaded = parseEnvelopeText(text, 'fuzz.json');
  } catch (error) {
    if (error instanceof EnvelopeError) return error.code;
    throw error;
  }
  const result = await verifyEnvelopeObject({
    envelope: loaded.envelope,
    lossless: loaded.lossless,
    path: null,
  });
  expect(['trusted', 'untrusted', 'invalid', 'unsigned']).toContain(result.trust);
  return result.ok ? 'ok' : (result.reason ?? 'failed');
}

describe('envelope reader under fuzzing', () => {
  it('the genuine fixture verifies (control)', async () => {
    expect(await readAndVerify(FIXTURE)).toBe('ok');
  });

  it('property: arbitrary text and arbitrary JSON values give clean errors', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ maxLength: 200 }),
          fc.json({ maxDepth: 4 }),
          fc.jsonValue().map((v) => JSON.stringify(v)),
        ),
        async (text) => {
          await readAndVerify(text);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('property: byte mutations of a genuine envelope never verify and never crash', async () => {
    const bytes = Buffer.from(FIXTURE, 'utf8');
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat(bytes.length - 1), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 4,
        }),
        async (edits) => {
          const copy = Buffer.from(bytes);
          for (const [at, value] of edits) copy[at] = value;
          const outcome = await readAndVerify(copy.toString('utf8'));
          // A mutation that leaves the bytes' meaning intact (whitespace, key order) may still verify.
          if (outcome === 'ok') expect(JSON.parse(copy.toString('utf8'))).toEqual(JSON.parse(FIXTURE));
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('property: structural mutations (dropped keys, swapped types, huge numbers) give clean errors', async () => {
    const base = JSON.parse(FIXTURE) as Record<string, unknown>;
    const keys = Object.keys(base);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...keys),
        fc.oneof(fc.constant(undefined), fc.jsonValue(), fc.constant('<BIGINT>'), fc.constant(1e308)),
        async (key, value) => {
          const copy: Record<string, unknown> = { ...base };
          if (value === undefined) delete copy[key];
          else copy[key] = value;
          // A 400-digit integer literal: lossless parsing must cope (a plain parse turns it into Infinity).
          const text = JSON.stringify(copy).replace('"<BIGINT>"', '9'.repeat(400));
          await readAndVerify(text);
        },
      ),
      { numRuns: RUNS },
    );
  });
});
