// End-to-end through the CLI bundle: every envelope written and signed by the Python InferenceBench
// for an edge case (fixtures/inferencebench-edge) verifies with its signer's key.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBench } from '../helpers/cli.js';

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
    expect(r.stdout.trim().split('\n').at(-1)).toBe('5 passed, 0 failed (5 envelopes)');
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
