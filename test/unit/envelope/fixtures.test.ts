// The six real InferenceBench envelopes (fixtures/inferencebench-envelopes, Python, H100 runs).
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  contentHashOf,
  fingerprintSha256,
  hashPrefixFromName,
  readEnvelopeFile,
  verifyEnvelopeFile,
} from '../../../src/envelope/index.js';

const DIR = 'fixtures/inferencebench-envelopes';
const FILES = readdirSync(DIR)
  .filter((name) => name.endsWith('.json'))
  .sort();
const MARATHON = ['010e9504589b.json', '15f036c3e160.json'];
const ANCHOR = readFileSync(`${DIR}/trust-anchor-2026-05-18-marathon.pub`, 'utf8');
const FRESH_KEY = String(generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }));

describe('InferenceBench fixtures', () => {
  it('has the six envelopes', () => {
    expect(FILES).toHaveLength(6);
  });

  it.each(FILES)('%s verifies: hash reproduces the file-name prefix, signature ok', async (name) => {
    const result = await verifyEnvelopeFile(`${DIR}/${name}`);
    expect(result.reason).toBeUndefined();
    expect(result).toMatchObject({
      ok: true,
      method: 'dev-key',
      storedHashPrefixOk: true,
      keyTrusted: false,
    });
    expect(result.contentHash.slice(0, 12)).toBe(hashPrefixFromName(name));
  });

  it.each(MARATHON)('%s verifies against the marathon trust anchor', async (name) => {
    const result = await verifyEnvelopeFile(`${DIR}/${name}`, { devPublicKeyPem: ANCHOR });
    expect(result).toMatchObject({ ok: true, keyTrusted: true });
  });

  it.each(MARATHON)('%s fails against a fresh unrelated key', async (name) => {
    const result = await verifyEnvelopeFile(`${DIR}/${name}`, { devPublicKeyPem: FRESH_KEY });
    expect(result.ok).toBe(false);
    expect(result.reason).toMatch(/different key/);
  });

  it.each(FILES.filter((name) => !MARATHON.includes(name)))(
    '%s (other signer) fails against the marathon anchor',
    async (name) => {
      const result = await verifyEnvelopeFile(`${DIR}/${name}`, { devPublicKeyPem: ANCHOR });
      expect(result.ok).toBe(false);
    },
  );

  it.each(FILES)('%s: hardware fingerprint_sha256 recomputes', async (name) => {
    const { envelope } = await readEnvelopeFile(`${DIR}/${name}`);
    const block = envelope.hardware_fingerprint;
    expect(fingerprintSha256(block)).toBe(block.fingerprint_sha256);
    // gpus are sorted by pci_id before hashing: a shuffled list gives the same fingerprint
    const shuffled = { ...block, gpus: [...block.gpus].reverse() };
    expect(fingerprintSha256(shuffled)).toBe(block.fingerprint_sha256);
    const changed = { ...block, driver: `${block.driver}x` };
    expect(fingerprintSha256(changed)).not.toBe(block.fingerprint_sha256);
  });

  it('the lossless parse matters: a plain JSON.parse of 15f036c3e160 hashes differently (5.0 → 5)', async () => {
    const loaded = await readEnvelopeFile(`${DIR}/15f036c3e160.json`);
    expect(loaded.text).toContain('"n_samples": 5.0');
    expect(contentHashOf(loaded.envelope).startsWith('15f036c3e160')).toBe(false);
  });

  it('reads metric strings (slo_hardware_class) and keeps numbers as numbers for display', async () => {
    const { envelope } = await readEnvelopeFile(`${DIR}/c16-b91875fdf860.json`);
    expect(envelope.metrics.slo_hardware_class).toBe('h100');
    expect(typeof envelope.metrics.throughput_tok_per_s).toBe('number');
  });
});
