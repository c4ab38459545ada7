import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  readEnvelopeFile,
  signEnvelope,
  verifyEnvelopeFile,
  writeEnvelope,
} from '../../../src/envelope/index.js';
import { loadTrustStore } from '../../../src/envelope/trust.js';
import { sampleUnsignedEnvelope } from '../../unit/envelope/sample-envelope.js';
import { startMockSigstore, type MockSigstore } from './sigstore-mock-server.js';

let mock: MockSigstore;
let dir: string;
let rootPath: string;

beforeAll(async () => {
  mock = await startMockSigstore();
  dir = await mkdtemp(join(tmpdir(), 'bench-keyless-'));
  rootPath = join(dir, 'trusted_root.json');
  await writeFile(rootPath, JSON.stringify(mock.trustedRoot));
});
afterAll(async () => {
  await mock.close();
});

describe('keyless signing against mock Fulcio + Rekor on loopback', () => {
  it('signs, writes, and verifies offline with the test trusted root', async () => {
    const { envelope, contentHash } = await signEnvelope(sampleUnsignedEnvelope(), {
      mode: 'keyless',
      idToken: mock.tokenFor('https://github.com/acme/bench/.github/workflows/bench.yml@refs/heads/main'),
      fulcioUrl: mock.fulcioUrl,
      rekorUrl: mock.rekorUrl,
    });
    expect(envelope.signature?.method).toBe('sigstore-cosign');
    expect(envelope.signature?.certificate).toMatch(/^-----BEGIN CERTIFICATE-----/);
    expect(envelope.signature?.rekor_log_index).toBeGreaterThanOrEqual(0);
    const path = await writeEnvelope(dir, 'c4-', envelope);
    expect(path.endsWith(`c4-${contentHash.slice(0, 12)}.json`)).toBe(true);

    const result = await verifyEnvelopeFile(path, { trustedRootPath: rootPath });
    expect(result.reason).toBeUndefined();
    // A valid chain without an identity policy proves who signed, not that the signer is trusted.
    expect(result).toMatchObject({
      ok: true,
      method: 'sigstore-cosign',
      trust: 'untrusted',
      keyTrusted: false,
    });
    expect(result.identity).toBe('https://github.com/acme/bench/.github/workflows/bench.yml@refs/heads/main');

    const policyOk = await verifyEnvelopeFile(path, {
      trustedRootPath: rootPath,
      identityPattern: '^https://github\\.com/acme/bench/.*$',
    });
    expect(policyOk).toMatchObject({ ok: true, trust: 'trusted' });
    const policyBad = await verifyEnvelopeFile(path, {
      trustedRootPath: rootPath,
      identityPattern: 'https://github\\.com/acme', // anchored: a prefix is not enough
    });
    expect(policyBad.ok).toBe(false);
    expect(policyBad.reason).toMatch(/does not match/);

    // The trust store's identity patterns decide trusted vs untrusted without failing the check.
    const cfg = await mkdtemp(join(tmpdir(), 'bench-keyless-cfg-'));
    await writeFile(join(cfg, 'trusted-identities'), '^https://github\\.com/acme/bench/.*$\n');
    const store = await loadTrustStore({ env: { BENCH_CONFIG_DIR: cfg } });
    const fromStore = await verifyEnvelopeFile(path, { trustedRootPath: rootPath, trustStore: store });
    expect(fromStore).toMatchObject({ ok: true, trust: 'trusted' });
    expect(fromStore.trustedBy).toMatch(/trusted-identities/);
    await writeFile(join(cfg, 'trusted-identities'), '^https://github\\.com/other/.*$\n');
    const otherStore = await loadTrustStore({ env: { BENCH_CONFIG_DIR: cfg } });
    const notInStore = await verifyEnvelopeFile(path, { trustedRootPath: rootPath, trustStore: otherStore });
    expect(notInStore).toMatchObject({ ok: true, trust: 'untrusted' });

    // without a trusted root the keyless envelope cannot be judged
    const noRoot = await verifyEnvelopeFile(path);
    expect(noRoot.ok).toBe(false);
    expect(noRoot.reason).toMatch(/--trusted-root/);

    // a tampered value breaks it
    const text = await readFile(path, 'utf8');
    const tampered = join(dir, 'tampered', `c4-${contentHash.slice(0, 12)}.json`);
    await writeFile(join(dir, 'x'), '');
    await import('node:fs/promises').then((fs) => fs.mkdir(join(dir, 'tampered'), { recursive: true }));
    await writeFile(tampered, text.replace('"seed": 42', '"seed": 43'));
    const bad = await verifyEnvelopeFile(tampered, { trustedRootPath: rootPath });
    expect(bad.ok).toBe(false);

    // the bundle is a standard Sigstore bundle JSON
    const loaded = await readEnvelopeFile(path);
    const bundle = JSON.parse(Buffer.from(loaded.envelope.signature!.bundle, 'base64').toString('utf8'));
    expect(bundle.mediaType).toMatch(/^application\/vnd\.dev\.sigstore\.bundle/);
    expect(bundle.messageSignature.messageDigest.algorithm).toBe('SHA2_256');
  });

  it('fails with a different trusted root (untrusted CA)', async () => {
    const other = await startMockSigstore();
    try {
      const { envelope } = await signEnvelope(sampleUnsignedEnvelope(), {
        mode: 'keyless',
        idToken: other.tokenFor('someone@example.com'),
        fulcioUrl: other.fulcioUrl,
        rekorUrl: other.rekorUrl,
      });
      const path = await writeEnvelope(join(dir, 'other'), '', envelope);
      const result = await verifyEnvelopeFile(path, { trustedRootPath: rootPath });
      expect(result.ok).toBe(false);
      expect(result.reason).toMatch(/Sigstore verification failed/);
    } finally {
      await other.close();
    }
  });

  it('stored bundles keep verifying after the 10-minute certificate expired (judged at the Rekor time)', async () => {
    const later = new Date(Date.now() + 2 * 3600_000);
    const skewed = await startMockSigstore({ tlog: later }); // Rekor stamps a time when the cert is expired
    try {
      const sign = (server: MockSigstore) =>
        signEnvelope(sampleUnsignedEnvelope(), {
          mode: 'keyless',
          idToken: server.tokenFor('ci@example.com'),
          fulcioUrl: server.fulcioUrl,
          rekorUrl: server.rekorUrl,
        });
      const good = await writeEnvelope(join(dir, 'clock-good'), '', (await sign(mock)).envelope);
      const bad = await writeEnvelope(join(dir, 'clock-bad'), '', (await sign(skewed)).envelope);
      const skewedRoot = join(dir, 'root-skewed.json');
      await writeFile(skewedRoot, JSON.stringify(skewed.trustedRoot));

      vi.useFakeTimers({ toFake: ['Date'], now: later }); // verify two hours later
      const result = await verifyEnvelopeFile(good, { trustedRootPath: rootPath });
      expect(result.ok, result.reason).toBe(true);
      vi.useRealTimers();

      const control = await verifyEnvelopeFile(bad, { trustedRootPath: skewedRoot });
      expect(control.ok).toBe(false);
      expect(control.reason).toMatch(/Sigstore verification failed/);
    } finally {
      vi.useRealTimers();
      await skewed.close();
    }
  });

  it('names how to get a token when SIGSTORE_ID_TOKEN is missing', async () => {
    const saved = process.env.SIGSTORE_ID_TOKEN;
    delete process.env.SIGSTORE_ID_TOKEN;
    try {
      await expect(
        signEnvelope(sampleUnsignedEnvelope(), {
          mode: 'keyless',
          fulcioUrl: mock.fulcioUrl,
          rekorUrl: mock.rekorUrl,
        }),
      ).rejects.toMatchObject({
        code: 'E_KEYLESS_NO_TOKEN',
        exitCode: 2,
        message: expect.stringMatching(/SIGSTORE_ID_TOKEN/),
      });
    } finally {
      if (saved !== undefined) process.env.SIGSTORE_ID_TOKEN = saved;
    }
  });
});
