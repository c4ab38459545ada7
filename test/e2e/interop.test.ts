// End-to-end through the CLI bundle: every envelope written and signed by the Python InferenceBench
// for an edge case (fixtures/inferencebench-edge) verifies with its signer's key.
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { canonicalJsonLossless, parseEnvelopeText } from '../../src/envelope/index.js';
import { runBench } from '../helpers/cli.js';
import { hasPydantic, pydanticCanonical, pythonCanonical } from '../helpers/python.js';

const edge = 'fixtures/inferencebench-edge';
const FILES = [
  'nonascii.json',
  'quant-none.json',
  'seed-2pow53plus1.json',
  'small-float.json',
  'ts-no-fraction.json',
];

describe('bench verify on Python-written edge envelopes (CLI bundle)', { timeout: 120_000 }, () => {
  it('all five verify with --dev-public-key signer.pub: exit 0, trusted key', async () => {
    const r = await runBench(['verify', edge, '--dev-public-key', join(edge, 'signer.pub')]);
    expect(r.stderr).toBe('');
    for (const file of FILES) expect(r.stdout).toContain(`OK  ${join(edge, file)}`);
    expect(r.stdout.match(/trusted key/g)).toHaveLength(FILES.length);
    expect(r.stdout).toContain(
      '    content_hash: f133e74626fdd79e7918d5feccc48f45e6829e9a3c5bd4713475d7b51ff32c2d',
    );
    expect(r.stdout.trim().split('\n').at(-1)).toBe('5 passed, 0 failed (5 envelopes; 5 trusted)');
    expect(r.code).toBe(0);
  });

  it('another key is refused: exit 1', async () => {
    const r = await runBench([
      'verify',
      join(edge, 'small-float.json'),
      '--dev-public-key',
      'fixtures/keys/dev-test.pub',
    ]);
    expect(r.stdout).toContain(`FAIL  ${join(edge, 'small-float.json')}`);
    expect(r.code).toBe(1);
  });
});

describe('a fresh envelope of ours (bench run, 3 s, CLI bundle)', { timeout: 180_000 }, () => {
  it('verifies with our key, and python3 (json and the InferenceBench model) hashes it as we do', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-interop-run-'));
    const key = join(dir, 'dev.key');
    expect((await runBench(['keygen', key])).code).toBe(0);
    const out = join(dir, 'out');
    const run = await runBench(
      ['run', 'llm.inference', '--duration', '3', '--concurrency', '2', '--no-tui', '--warmup', '1'].concat([
        '--max-tokens',
        '24',
        '--output',
        out,
        '--dev-key',
        key,
      ]),
    );
    expect(run.code).toBe(0);
    const [file] = readdirSync(out).filter((f) => f.endsWith('.json') && !f.startsWith('.'));
    const path = join(out, file ?? '');
    const verify = await runBench(['verify', path, '--dev-public-key', join(dir, 'dev.pub')]);
    expect(verify.stdout).toContain(`OK  ${path}`);
    expect(verify.code).toBe(0);

    const text = readFileSync(path, 'utf8');
    const loaded = parseEnvelopeText(text, path);
    const { signature: _signature, ...unsigned } = loaded.lossless as Record<string, unknown>;
    const ours = canonicalJsonLossless(unsigned);
    const oneLine = JSON.stringify(JSON.parse(text));
    const withoutSignature = JSON.stringify({ ...(JSON.parse(text) as object), signature: undefined });
    expect(pythonCanonical([withoutSignature])).toEqual([ours]);
    expect(loaded.envelope.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.(?!0{6})\d{6})?Z$/);
    expect(loaded.envelope.placeholders).toEqual(
      expect.arrayContaining(['hardware_fingerprint.memory.channels', 'model.revision']),
    );
    if (hasPydantic) expect(pydanticCanonical([oneLine])).toEqual([ours]);
  });
});
