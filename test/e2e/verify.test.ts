// End-to-end: spawn the real CLI for bench keygen / bench verify (exit codes 0 / 1 / 2, one-line errors).
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { signEnvelope, writeEnvelope } from '../../src/envelope/index.js';
import { sampleUnsignedEnvelope } from '../unit/envelope/sample-envelope.js';
import { startMockSigstore } from '../integration/envelope/sigstore-mock-server.js';

const root = new URL('../../', import.meta.url).pathname;
const fixtures = join(root, 'fixtures/inferencebench-envelopes');
const anchor = join(fixtures, 'trust-anchor-2026-05-18-marathon.pub');

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

function bench(args: readonly string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', join(root, 'src/app/main.ts'), ...args],
      { cwd: root, encoding: 'utf8', timeout: 120_000, env: { ...process.env, NO_COLOR: '1' } },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** A one-line `bench: …` error, never a stack trace. */
function expectOneLineError(result: CliResult, pattern: RegExp): void {
  const lines = result.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^bench: /);
  expect(lines[0]).toMatch(pattern);
  expect(result.stderr).not.toMatch(/\n\s+at /);
}

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'bench-e2e-verify-'));
  writeFileSync(join(dir, 'notjson.json'), 'this is not json\n');
  const text = readFileSync(join(fixtures, 'c4-95cbfd4f49dc.json'), 'utf8');
  writeFileSync(join(dir, 'c4-95cbfd4f49dc.json'), text.slice(0, Math.floor(text.length / 2)));
  mkdirSync(join(dir, 'tampered'));
  writeFileSync(join(dir, 'tampered', 'c4-95cbfd4f49dc.json'), text.replace('"seed": 42', '"seed": 7'));
  const envelope = JSON.parse(text) as Record<string, unknown>;
  delete envelope.suite_id;
  writeFileSync(join(dir, 'nosuite.json'), JSON.stringify(envelope));
});

// Each spawn costs a few CPU-seconds (tsx), so checks are grouped into seven CLI runs.
describe('bench verify (CLI)', { timeout: 180_000 }, () => {
  it('all six fixtures verify (directory walk): exit 0 with a summary', async () => {
    const r = await bench(['verify', fixtures]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.match(/^OK {2}/gm)).toHaveLength(6);
    expect(r.stdout).toContain('OK  ' + join(fixtures, 'c16-b91875fdf860.json'));
    expect(r.stdout).toContain(
      '    content_hash: b91875fdf860666f6ff4d28ada5e1bafd7bfdfc65902e91c76286e3d64b45f69',
    );
    expect(r.stdout).toContain('    suite: llm.inference.chatbot-short 1.0.0');
    expect(r.stdout).toContain('    model: Qwen/Qwen2.5-72B-Instruct');
    expect(r.stdout).toContain('    engine: vllm 0.22.1');
    expect(r.stdout.trim().split('\n').at(-1)).toBe(
      '6 passed, 0 failed (6 envelopes; 6 valid but untrusted signer)',
    );
  });

  it('marathon envelopes verify with the trust anchor; another signer fails: exit 1', async () => {
    const r = await bench([
      'verify',
      join(fixtures, '010e9504589b.json'),
      join(fixtures, '15f036c3e160.json'),
      join(fixtures, 'c1-79d354b13545.json'),
      '--dev-public-key',
      anchor,
    ]);
    expect(r.code).toBe(1);
    expect(r.stdout.match(/^OK {2}.*(010e9504589b|15f036c3e160)\.json$/gm)).toHaveLength(2);
    expect(r.stdout).toContain('method: dev-key (ed25519, signed by a trusted key)');
    expect(r.stdout).toContain(`trust: trusted (--dev-public-key ${anchor})`);
    expect(r.stdout).toMatch(/^FAIL {2}.*c1-79d354b13545\.json$/m);
    expect(r.stdout).toContain('    reason: signed by a different key than --dev-public-key');
    expect(r.stdout.trim().split('\n').at(-1)).toBe('2 passed, 1 failed (3 envelopes; 2 trusted)');
  });

  it('a fresh key from bench keygen does not verify the marathon envelopes (--json)', async () => {
    const keyDir = mkdtempSync(join(tmpdir(), 'bench-e2e-keygen-'));
    const made = await bench(['keygen', join(keyDir, 'fresh.key')]);
    expect(made.code).toBe(0);
    expect(made.stdout).toContain(join(keyDir, 'fresh.pub'));
    const r = await bench([
      'verify',
      join(fixtures, '010e9504589b.json'),
      '--dev-public-key',
      join(keyDir, 'fresh.pub'),
      '--json',
    ]);
    expect(r.code).toBe(1);
    const parsed = JSON.parse(r.stdout) as {
      results: Array<Record<string, unknown>>;
      passed: number;
      failed: number;
    };
    expect(parsed).toMatchObject({ passed: 0, failed: 1 });
    expect(parsed.results[0]).toMatchObject({ ok: false, method: 'dev-key', storedHashPrefixOk: true });
  });

  it('bad files: each FAILs with one reason line; exit 2 when any cannot be loaded', async () => {
    const r = await bench([
      'verify',
      join(dir, 'tampered', 'c4-95cbfd4f49dc.json'),
      join(dir, 'notjson.json'),
      join(dir, 'c4-95cbfd4f49dc.json'),
      join(dir, 'nosuite.json'),
      join(dir, 'missing.json'),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('');
    expect(r.stdout.match(/^FAIL {2}/gm)).toHaveLength(5);
    expect(r.stdout).toMatch(
      /reason: content hash mismatch \(stored=95cbfd4f49dc, recomputed=[0-9a-f]{64}\)/,
    );
    expect(r.stdout).toMatch(/reason: .*notjson\.json is not JSON/);
    expect(r.stdout).toMatch(/reason: .*c4-95cbfd4f49dc\.json is truncated/);
    expect(r.stdout).toMatch(/reason: .*nosuite\.json is not an envelope v1: suite_id: /);
    expect(r.stdout).toMatch(/reason: .*missing\.json: no such file/);
    expect(r.stdout.trim().split('\n').at(-1)).toBe(
      '0 passed, 1 failed, 4 could not be loaded (5 envelopes)',
    );
  });

  it('keyless: verifies offline with --trusted-root and an anchored --identity', async () => {
    const mock = await startMockSigstore();
    try {
      const { envelope } = await signEnvelope(sampleUnsignedEnvelope(), {
        mode: 'keyless',
        idToken: mock.tokenFor('https://github.com/acme/bench/.github/workflows/bench.yml@refs/heads/main'),
        fulcioUrl: mock.fulcioUrl,
        rekorUrl: mock.rekorUrl,
      });
      const path = await writeEnvelope(join(dir, 'keyless'), 'c4-', envelope);
      const root = join(dir, 'trusted_root.json');
      writeFileSync(root, JSON.stringify(mock.trustedRoot));
      const r = await bench([
        'verify',
        path,
        '--trusted-root',
        root,
        '--identity',
        'https://github\\.com/acme/.*',
      ]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('method: sigstore-cosign (keyless, certificate chains to --trusted-root)');
      expect(r.stdout).toContain('trust: trusted (--identity https://github\\.com/acme/.*)');
      expect(r.stdout).toContain(
        'identity: https://github.com/acme/bench/.github/workflows/bench.yml@refs/heads/main (issuer https://token.actions.githubusercontent.com)',
      );
    } finally {
      await mock.close();
    }
  });

  it('an unreadable --dev-public-key: one clear line on stderr, exit 2', async () => {
    const r = await bench([
      'verify',
      join(fixtures, '010e9504589b.json'),
      '--dev-public-key',
      '/nonexistent/key.pub',
    ]);
    expect(r.code).toBe(2);
    expectOneLineError(r, /public key \/nonexistent\/key\.pub not found/);
    expect(r.stdout).toBe('');
  });
});
