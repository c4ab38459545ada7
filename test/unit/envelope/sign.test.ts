import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  generateDevKeyPair,
  loadDevSigner,
  signEnvelope,
  verifyEnvelopeObject,
  type UnsignedEnvelope,
} from '../../../src/envelope/index.js';
import { sampleUnsignedEnvelope } from './sample-envelope.js';

let dir: string;
let keyPath: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bench-sign-'));
  keyPath = join(dir, 'cosign.key');
  await generateDevKeyPair(keyPath);
});

describe('dev keys', () => {
  it('keygen writes a 0600 PKCS#8 ed25519 key and <name>.pub, and refuses to overwrite', async () => {
    expect((await stat(keyPath)).mode & 0o777).toBe(0o600);
    expect(await readFile(keyPath, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    const pub = await readFile(join(dir, 'cosign.pub'), 'utf8');
    expect(pub).toMatch(/^-----BEGIN PUBLIC KEY-----\n[A-Za-z0-9+/=]+\n-----END PUBLIC KEY-----\n$/);
    await expect(generateDevKeyPair(keyPath)).rejects.toMatchObject({ code: 'E_KEY_EXISTS', exitCode: 2 });
    const before = await readFile(keyPath, 'utf8');
    await generateDevKeyPair(keyPath, true);
    expect(await readFile(keyPath, 'utf8')).not.toBe(before);
    expect((await loadDevSigner(keyPath)).publicKeyPem).toBe(
      (await readFile(join(dir, 'cosign.pub'), 'utf8')).trim(),
    );
  });

  it('a missing key tells the user to run bench keygen (exit 2)', async () => {
    const missing = join(dir, 'nope.key');
    const error = await loadDevSigner(missing).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'E_KEY_MISSING', exitCode: 2 });
    expect((error as Error).message).toContain(`bench keygen ${missing}`);
  });

  it('a wrong key type or a non-key file is refused (exit 2)', async () => {
    const ecPath = join(dir, 'ec.key');
    await writeFile(
      ecPath,
      String(
        generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({
          type: 'pkcs8',
          format: 'pem',
        }),
      ),
    );
    await expect(loadDevSigner(ecPath)).rejects.toMatchObject({ code: 'E_KEY_TYPE', exitCode: 2 });
    const junk = join(dir, 'junk.key');
    await writeFile(junk, 'not a key\n');
    await expect(loadDevSigner(junk)).rejects.toMatchObject({ code: 'E_KEY_INVALID', exitCode: 2 });
  });
});

describe('signEnvelope (dev)', () => {
  it('signs the InferenceBench way: ed25519 over the UTF-8 hex content_hash', async () => {
    const { envelope, contentHash } = await signEnvelope(sampleUnsignedEnvelope(), { mode: 'dev', keyPath });
    expect(envelope.signature).toMatchObject({ method: 'dev-key', rekor_log_index: -1 });
    expect(envelope.signature?.certificate).toBe((await readFile(join(dir, 'cosign.pub'), 'utf8')).trim());
    expect(Buffer.from(envelope.signature!.bundle, 'base64')).toHaveLength(64);
    const result = await verifyEnvelopeObject({ envelope });
    expect(result).toMatchObject({ ok: true, contentHash, keyTrusted: false });
    const trusted = await verifyEnvelopeObject(
      { envelope },
      { devPublicKeyPem: await readFile(join(dir, 'cosign.pub'), 'utf8') },
    );
    expect(trusted).toMatchObject({ ok: true, keyTrusted: true });
  });

  it('golden: the committed test key gives the signature Python verified (ed25519 is deterministic)', async () => {
    const { envelope, contentHash } = await signEnvelope(sampleUnsignedEnvelope(), {
      mode: 'dev',
      keyPath: 'fixtures/keys/dev-test.key',
    });
    expect(contentHash).toBe('e3bafcf20dd57206997c248b1bb679a7f71454422f49864faa99ae3c665bebd5');
    expect(envelope.signature?.bundle).toBe(
      'U1cBy7f/yrLB8qfY8jTgCrXod3MzYzl1O1dXkks8OAhx+TIV3Q7UuqeskKiqt5PDMfF3k0Bnsx+uzu+ZkxMQDw==',
    );
    expect(envelope.signature?.certificate).toBe(
      (await readFile('fixtures/keys/dev-test.pub', 'utf8')).trim(),
    );
  });

  it('the committed P-256 test key is refused for dev signing and as --dev-public-key', async () => {
    await expect(loadDevSigner('fixtures/keys/wrong-type-p256.key')).rejects.toMatchObject({
      code: 'E_KEY_TYPE',
    });
    const { envelope } = await signEnvelope(sampleUnsignedEnvelope(), { mode: 'dev', keyPath });
    await expect(
      verifyEnvelopeObject(
        { envelope },
        { devPublicKeyPem: await readFile('fixtures/keys/wrong-type-p256.pub', 'utf8') },
      ),
    ).rejects.toMatchObject({ code: 'E_KEY_TYPE', exitCode: 2 });
  });

  it('refuses an already-signed envelope', async () => {
    const { envelope } = await signEnvelope(sampleUnsignedEnvelope(), { mode: 'dev', keyPath });
    // A signed envelope cast past the type: the runtime check still refuses it.
    await expect(
      signEnvelope(envelope as unknown as UnsignedEnvelope, { mode: 'dev', keyPath }),
    ).rejects.toMatchObject({
      code: 'E_ALREADY_SIGNED',
    });
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['NaN metric', { metrics: { ttft_p50_ms: NaN } }, /metrics\.ttft_p50_ms/],
    [
      'timestamp with a zero fraction (pydantic writes …:52Z)',
      { timestamp: '2026-05-18T13:27:52.000000Z' },
      /timestamp/,
    ],
    ['timestamp with milliseconds only', { timestamp: '2026-05-18T13:27:52.402Z' }, /timestamp/],
    [
      'a warning with trailing whitespace',
      { warnings: ['disk full '] },
      /warnings\.0: has leading or trailing whitespace/,
    ],
    [
      'GPU serial "" (their GPU.serial needs ≥ 1 character)',
      {
        hardware_fingerprint: {
          ...sampleUnsignedEnvelope().hardware_fingerprint,
          gpus: [{ model: 'H100', pci_id: '0', serial: '', vbios: 'unknown' }],
        },
      },
      /serial/,
    ],
    [
      'memory.channels 0',
      {
        hardware_fingerprint: {
          ...sampleUnsignedEnvelope().hardware_fingerprint,
          memory: { channels: 0, speed_mts: 1, ecc: false },
        },
      },
      /channels/,
    ],
    [
      'revision shorter than 7',
      { model: { ...sampleUnsignedEnvelope().model, revision: 'main' } },
      /revision/,
    ],
    ['empty provider', { model: { ...sampleUnsignedEnvelope().model, provider: '' } }, /provider/],
    [
      'a stale fingerprint_sha256',
      { hardware_fingerprint: { ...sampleUnsignedEnvelope().hardware_fingerprint, driver: '1.0' } },
      /fingerprint_sha256/,
    ],
    ['an empty metrics dict', { metrics: {} }, /metrics/],
    ['slo_template null (their field is str)', { slo_template: null }, /slo_template/],
    ['non-v7 run id', { run_id: '019e3b45-8552-4705-ab62-1cb802fe5680' }, /run_id/],
    ['unknown key inside model', { model: { ...sampleUnsignedEnvelope().model, extra: 1 } }, /model/],
  ])('refuses an envelope that breaks the write schema: %s', async (_label, patch, message) => {
    const error = await signEnvelope(
      { ...sampleUnsignedEnvelope(), ...patch },
      { mode: 'dev', keyPath },
    ).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'E_ENVELOPE_INVALID' });
    expect((error as Error).message).toMatch(message);
  });

  it('a missing key fails before anything is signed', async () => {
    await expect(
      signEnvelope(sampleUnsignedEnvelope(), { mode: 'dev', keyPath: join(dir, 'absent.key') }),
    ).rejects.toMatchObject({ code: 'E_KEY_MISSING', exitCode: 2 });
  });
});
