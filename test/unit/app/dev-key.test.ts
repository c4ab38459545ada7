import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createdKeyNotice, resolveDevKey, userConfigDir } from '../../../src/app/dev-key.js';
import { loadDevSigner } from '../../../src/envelope/index.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ib-devkey-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('userConfigDir', () => {
  it('BENCH_CONFIG_DIR, then an absolute XDG_CONFIG_HOME, then ~/.config', () => {
    const home = '/home/u';
    expect(userConfigDir({ cwd: '/w', home, env: { BENCH_CONFIG_DIR: 'cfg', XDG_CONFIG_HOME: '/x' } })).toBe(
      '/w/cfg',
    );
    expect(userConfigDir({ home, env: { XDG_CONFIG_HOME: '/x' } })).toBe('/x/inferencebench');
    expect(userConfigDir({ home, env: { XDG_CONFIG_HOME: 'relative' } })).toBe(
      '/home/u/.config/inferencebench',
    );
    expect(userConfigDir({ home, env: {} })).toBe('/home/u/.config/inferencebench');
  });
});

describe('resolveDevKey', () => {
  it('an explicit --dev-key is used as given, even when it does not exist (the loader reports that)', async () => {
    const choice = await resolveDevKey(join(dir, 'missing.key'), {
      cwd: dir,
      env: { BENCH_CONFIG_DIR: join(dir, 'cfg') },
    });
    expect(choice).toEqual({ path: join(dir, 'missing.key'), source: 'flag', created: false });
    await expect(loadDevSigner(choice.path)).rejects.toMatchObject({ code: 'E_KEY_MISSING' });
    expect(readdirSync(dir)).toEqual([]);
  });

  it('prefers ./cosign.key when it exists', async () => {
    writeFileSync(join(dir, 'cosign.key'), 'x');
    const choice = await resolveDevKey(undefined, { cwd: dir, env: { BENCH_CONFIG_DIR: join(dir, 'cfg') } });
    expect(choice).toEqual({ path: join(dir, 'cosign.key'), source: 'cwd', created: false });
  });

  it('creates the per-user key once (0600 in a 0700 directory), then reuses it', async () => {
    const cfg = join(dir, 'cfg', 'nested');
    const where = { cwd: dir, env: { BENCH_CONFIG_DIR: cfg } };
    const first = await resolveDevKey(undefined, where);
    expect(first).toEqual({ path: join(cfg, 'cosign.key'), source: 'user', created: true });
    expect(statSync(first.path).mode & 0o777).toBe(0o600);
    expect(statSync(cfg).mode & 0o777).toBe(0o700);
    expect(readdirSync(cfg).sort()).toEqual(['cosign.key', 'cosign.pub']);
    const signer = await loadDevSigner(first.path);
    expect(signer.privateKey.asymmetricKeyType).toBe('ed25519');
    expect(createdKeyNotice(first)).toBe(
      `created a dev signing key at ${first.path} (public key ${join(cfg, 'cosign.pub')}); envelopes are signed with it`,
    );
    const again = await resolveDevKey(undefined, where);
    expect(again).toEqual({ ...first, created: false });
    expect(createdKeyNotice(again)).toBeNull();
    expect((await loadDevSigner(again.path)).publicKeyPem).toBe(signer.publicKeyPem);
  });

  it('concurrent first runs agree on one key and leave no temporary files', async () => {
    const where = { cwd: dir, env: { BENCH_CONFIG_DIR: join(dir, 'cfg') } };
    const choices = await Promise.all(Array.from({ length: 6 }, () => resolveDevKey(undefined, where)));
    expect(choices.filter((c) => c.created)).toHaveLength(1);
    expect(new Set(choices.map((c) => c.path)).size).toBe(1);
    expect(readdirSync(join(dir, 'cfg')).sort()).toEqual(['cosign.key', 'cosign.pub']);
  });

  it('an unusable config directory is one clear usage error', async () => {
    writeFileSync(join(dir, 'file'), 'x');
    await expect(
      resolveDevKey(undefined, { cwd: dir, env: { BENCH_CONFIG_DIR: join(dir, 'file', 'cfg') } }),
    ).rejects.toMatchObject({ code: 'E_KEY_UNREADABLE', exitCode: 2 });
  });
});
