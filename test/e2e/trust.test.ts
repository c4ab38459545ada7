// Trust is explicit: every reader says trusted / valid but untrusted signer / invalid / unsigned,
// and --require-trusted turns anything but trusted into exit 1. A forgery (a genuine envelope
// re-signed with an attacker's key) is valid but never trusted. Spawns the bundled CLI.
import { copyFile, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runBench } from '../helpers/cli.js';
import { derived, makeSigner, tempDir, type Signer } from '../unit/commands/helpers.js';

let dir: string;
let alice: Signer;
let mallory: Signer;
let genuine: string;
let forged: string;
let configDir: string;
let emptyConfig: string;

const env = (config: string): NodeJS.ProcessEnv => ({ BENCH_CONFIG_DIR: config });

beforeAll(async () => {
  dir = await tempDir('bench-trust-');
  alice = await makeSigner(await tempDir('bench-alice-'));
  mallory = await makeSigner(await tempDir('bench-mallory-'));
  await mkdir(join(dir, 'genuine'));
  await mkdir(join(dir, 'forged'));
  genuine = await alice.sign(join(dir, 'genuine'), 'c16-', await derived('c16-b91875fdf860.json'));
  // The forgery: the same numbers (one improved), re-signed by someone else. Self-consistent.
  forged = await mallory.sign(
    join(dir, 'forged'),
    'c16-',
    await derived('c16-b91875fdf860.json', (e) => (e.metrics.throughput_tok_per_s = 99999)),
  );
  configDir = await tempDir('bench-config-');
  await mkdir(join(configDir, 'trusted-keys'));
  await copyFile(alice.keyPath.replace(/\.key$/, '.pub'), join(configDir, 'trusted-keys', 'alice.pub'));
  emptyConfig = await tempDir('bench-config-empty-');
}, 60_000);

describe('trust levels (CLI)', { timeout: 120_000 }, () => {
  it('verify: a valid signature from an unknown key exits 0 but says so; --require-trusted exits 1', async () => {
    const r = await runBench(['verify', forged], { env: env(emptyConfig) });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('trust: valid but untrusted signer');
    expect(r.stdout).toMatch(/1 valid but untrusted signer\)/);
    const strict = await runBench(['verify', forged, '--require-trusted'], { env: env(configDir) });
    expect(strict.code).toBe(1);
    expect(strict.stdout).toContain(
      '--require-trusted: 1 of 1 envelope not trusted (1 valid but untrusted signer)',
    );
  });

  it('verify: the trust store and --trusted-key make a signer trusted', async () => {
    const r = await runBench(['verify', genuine, forged, '--require-trusted'], { env: env(configDir) });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      `trust: trusted (trusted key ${join(configDir, 'trusted-keys', 'alice.pub')})`,
    );
    const both = await runBench(
      [
        'verify',
        genuine,
        forged,
        '--require-trusted',
        '--trusted-key',
        mallory.keyPath.replace(/\.key$/, '.pub'),
      ],
      { env: env(configDir) },
    );
    expect(both.code).toBe(0);
    expect(both.stdout).toMatch(/2 passed, 0 failed \(2 envelopes; 2 trusted\)/);
  });

  it('summary and compare show the trust state; --require-trusted exits 1 on the forgery', async () => {
    const s = await runBench(['summary', join(dir, 'genuine'), join(dir, 'forged')], { env: env(configDir) });
    expect(s.code).toBe(0);
    expect(s.stdout).toMatch(/\btrusted\b/);
    expect(s.stdout).toContain('UNTRUSTED signer');
    expect(s.stdout).not.toContain('signed OK');
    const strict = await runBench(['summary', join(dir, 'forged'), '--require-trusted'], {
      env: env(configDir),
    });
    expect(strict.code).toBe(1);
    expect(strict.stderr).toContain('--require-trusted: 1 of 1 envelope not trusted');
    const c = await runBench(['compare', genuine, forged], { env: env(configDir) });
    expect(c.code).toBe(0);
    expect(c.stdout).toMatch(/Trust and flags\n#1 {2}trusted/);
    expect(c.stdout).toMatch(/#2 {2}UNTRUSTED signer/);
    const cStrict = await runBench(['compare', genuine, forged, '--require-trusted'], {
      env: env(configDir),
    });
    expect(cStrict.code).toBe(1);
    expect(cStrict.stdout).toBe('');
    const d = await runBench(['diff', genuine, forged, '--require-trusted'], { env: env(configDir) });
    expect(d.code).toBe(1);
    expect(d.stderr).toContain('nothing diffed');
    const dOk = await runBench(['diff', genuine, genuine, '--require-trusted'], { env: env(configDir) });
    expect(dOk.code).toBe(0);
  });

  it('summary and compare mark incomplete and quality-invalid envelopes', async () => {
    const out = join(dir, 'flags');
    await mkdir(out);
    await alice.sign(
      out,
      'c4-',
      await derived('c4-95cbfd4f49dc.json', (e) => {
        e.run_context = { incomplete: true };
        e.quality = { valid: false };
      }),
    );
    await alice.sign(out, 'c16-', await derived('c16-b91875fdf860.json'));
    const s = await runBench(['summary', out, '--json'], { env: env(configDir) });
    const rows = (JSON.parse(s.stdout) as { suites: Record<string, Record<string, unknown>[]> }).suites[
      'llm.inference.chatbot-short'
    ];
    expect(rows?.map((r) => [r.incomplete, r.quality_valid]).sort()).toEqual([
      [false, true],
      [true, false],
    ]);
    const text = await runBench(['summary', out], { env: env(configDir) });
    expect(text.stdout).toContain('incomplete, quality invalid');
    const c = await runBench(['compare', out], { env: env(configDir) });
    expect(c.stdout).toContain('(incomplete, quality invalid)');
  });

  it('defect 7: a hash-mismatch FAIL with --dev-public-key says the signature was not checked', async () => {
    const wrongName = join(dir, 'c16-000000000000.json');
    await copyFile(genuine, wrongName);
    const r = await runBench(
      ['verify', wrongName, '--dev-public-key', alice.keyPath.replace(/\.key$/, '.pub')],
      { env: env(emptyConfig) },
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('method: dev-key (ed25519; signature not checked)');
    expect(r.stdout).not.toContain('self-consistent');
    expect(r.stdout).toContain('trust: invalid');
    expect(r.stdout).toMatch(/reason: content hash mismatch/);
  });

  it('unsigned envelopes are "unsigned", never trusted', async () => {
    const path = join(dir, 'unsigned.json');
    await writeFile(path, JSON.stringify(await derived('c1-79d354b13545.json')));
    const r = await runBench(['verify', path, '--allow-unsigned', '--require-trusted'], {
      env: env(configDir),
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('trust: unsigned');
  });

  it('a file over --max-file-bytes is skipped with one line; the rest goes on', async () => {
    const out = join(dir, 'sizes');
    await mkdir(out);
    const small = await alice.sign(out, 'c16-', await derived('c16-b91875fdf860.json'));
    const big = join(out, 'c4-aaaaaaaaaaaa.json');
    const text = await readFile(small, 'utf8');
    await writeFile(big, text.replace('{', `{"padding": "${'p'.repeat(200_000)}",`));
    const s = await runBench(['summary', out, '--max-file-bytes', '100K'], { env: env(configDir) });
    expect(s.code).toBe(0);
    expect(s.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^skipped .*c4-aaaaaaaaaaaa\.json: .* is 0\.2 MiB, over the 0\.1 MiB limit/),
    ]);
    expect(s.stdout).toMatch(/1 envelopes loaded, 1 skipped/);
    const v = await runBench(['verify', big, '--max-file-bytes', '100K'], { env: env(configDir) });
    expect(v.code).toBe(2);
    expect(v.stdout).toMatch(/over the 0\.1 MiB limit/);
    const bad = await runBench(['verify', big, '--max-file-bytes', '1e99'], { env: env(configDir) });
    expect(bad.code).toBe(2);
    await rename(big, `${big}.bak`);
  });
});
