// The trust store: where it lives, what it loads, and how verification turns it into trust levels.
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configDir, loadTrustStore, trustedIdentityFor, trustedKeyFor } from '../../../src/envelope/trust.js';

function publicPem(): { pem: string; der: Buffer } {
  const { publicKey } = generateKeyPairSync('ed25519');
  return {
    pem: String(publicKey.export({ type: 'spki', format: 'pem' })),
    der: publicKey.export({ type: 'spki', format: 'der' }),
  };
}

describe('trust store', () => {
  it('lives in BENCH_CONFIG_DIR, else XDG_CONFIG_HOME/inferencebench, else ~/.config/inferencebench', () => {
    expect(configDir({ BENCH_CONFIG_DIR: '/x/cfg', XDG_CONFIG_HOME: '/y' })).toBe('/x/cfg');
    expect(configDir({ XDG_CONFIG_HOME: '/y' })).toBe('/y/inferencebench');
    expect(configDir({ XDG_CONFIG_HOME: 'relative' })).toBe(join(homedir(), '.config', 'inferencebench'));
    expect(configDir({})).toBe(join(homedir(), '.config', 'inferencebench'));
  });

  it('loads *.pub / *.pem keys, --trusted-key files and identity patterns; ignores other files', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bench-trust-store-'));
    mkdirSync(join(dir, 'trusted-keys'));
    const a = publicPem();
    const b = publicPem();
    const c = publicPem();
    writeFileSync(join(dir, 'trusted-keys', 'a.pub'), a.pem);
    writeFileSync(join(dir, 'trusted-keys', 'README'), 'not a key');
    writeFileSync(join(dir, 'b.pem'), b.pem);
    writeFileSync(
      join(dir, 'trusted-identities'),
      '# CI of acme\n^https://github\\.com/acme/.*$\n\nops@example\\.com # a person\n',
    );
    const store = await loadTrustStore({ env: { BENCH_CONFIG_DIR: dir }, keyPaths: [join(dir, 'b.pem')] });
    expect(store.keys.map((k) => k.label)).toEqual([
      `trusted key ${join(dir, 'trusted-keys', 'a.pub')}`,
      `--trusted-key ${join(dir, 'b.pem')}`,
    ]);
    expect(trustedKeyFor(store, a.der)?.label).toMatch(/a\.pub$/);
    expect(trustedKeyFor(store, b.der)).not.toBeNull();
    expect(trustedKeyFor(store, c.der)).toBeNull();
    expect(
      trustedIdentityFor(store, 'https://github.com/acme/bench/.github/workflows/x.yml@refs/heads/main'),
    ).toMatch(/acme/);
    expect(trustedIdentityFor(store, 'ops@example.com')).not.toBeNull();
    // anchored: a longer identity that merely contains a pattern is not trusted
    expect(trustedIdentityFor(store, 'evil-ops@example.com')).toBeNull();
    expect(trustedIdentityFor(store, 'https://github.com/acme-evil/x')).toBeNull();
  });

  it('a file in trusted-keys/ that is not an ed25519 public key is an error (exit 2), naming the file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bench-trust-store-'));
    mkdirSync(join(dir, 'trusted-keys'));
    writeFileSync(join(dir, 'trusted-keys', 'broken.pub'), '-----BEGIN PUBLIC KEY-----\nnope\n');
    await expect(loadTrustStore({ env: { BENCH_CONFIG_DIR: dir } })).rejects.toMatchObject({
      exitCode: 2,
      message: expect.stringContaining('broken.pub'),
    });
    await expect(
      loadTrustStore({
        env: { BENCH_CONFIG_DIR: join(dir, 'absent') },
        keyPaths: [join(dir, 'missing.pub')],
      }),
    ).rejects.toMatchObject({ exitCode: 2, code: 'E_KEY_MISSING' });
  });
});
