// Hostile files and pipes for the real CLI: a closed stdout, a full disk, a huge envelope, a named
// pipe, a file URI with a host, and URLs with credentials in what commands print.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { copyFile, mkdtemp, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readJournal } from '../../src/harness/metrics/journal.js';
import { cliPath, runBench } from '../helpers/cli.js';

const FIXTURES = join(import.meta.dirname, '../../fixtures/inferencebench-envelopes');
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bench-hostile-io-'));
});

/** Mounts a 64 KiB tmpfs when we are root and may mount; null (with the reason) otherwise. */
function tinyDisk(): { path: string | null; reason: string } {
  const path = join(dir, 'tiny');
  mkdirSync(path, { recursive: true });
  if (typeof process.getuid !== 'function' || process.getuid() !== 0)
    return { path: null, reason: 'not root: cannot mount a small tmpfs' };
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', path], { stdio: 'ignore' });
    return { path, reason: '' };
  } catch {
    return { path: null, reason: 'mount -t tmpfs failed (no CAP_SYS_ADMIN in this sandbox)' };
  }
}

describe('hostile files and pipes (CLI)', { timeout: 120_000 }, () => {
  let disk: { path: string | null; reason: string } = { path: null, reason: '' };
  afterAll(() => {
    if (disk.path !== null) execFileSync('umount', ['-l', disk.path], { stdio: 'ignore' });
  });

  it('stdout closed early (bench verify … | head): a quiet exit, no stack trace', async () => {
    const child = spawn(process.execPath, [cliPath(), 'verify', FIXTURES, FIXTURES, FIXTURES], {
      env: { ...process.env, NO_COLOR: '1' },
    });
    child.stdout.destroy(); // the reader is gone before the first line
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });

  it('a full disk during a run: one line, exit 1, the process ends, the journal reads back', async () => {
    disk = tinyDisk();
    if (disk.path === null) {
      console.warn(`skipped the full-disk case: ${disk.reason}`);
      return;
    }
    const keyDir = join(dir, 'key');
    expect((await runBench(['keygen', join(keyDir, 'cosign.key')])).code).toBe(0);
    const out = join(disk.path, 'out');
    const r = await runBench(
      [
        'run',
        'llm.inference',
        '--duration',
        '3',
        '--concurrency',
        '8',
        '--no-tui',
        '--no-gate',
        '--warmup',
        '1',
        '--output',
        out,
        '--dev-key',
        join(keyDir, 'cosign.key'),
      ],
      { timeoutMs: 90_000 },
    );
    expect(r.code).toBe(1);
    const lines = r.stderr
      .trim()
      .split('\n')
      .filter((l) => l.startsWith('bench: '));
    expect(lines).toEqual([expect.stringMatching(/no space left on the device/)]);
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    const journals = [
      ...readdirSync(out).map((n) => join(out, n)),
      ...(existsSync(join(out, '.bench'))
        ? readdirSync(join(out, '.bench')).map((n) => join(out, '.bench', n))
        : []),
    ].filter((p) => p.endsWith('.jsonl'));
    expect(journals.length).toBeGreaterThan(0);
    for (const journal of journals) expect((await readJournal(journal)).length).toBeGreaterThan(0);
  });

  it('a 200 MB envelope is skipped with one line; the other files are summarised', async () => {
    const d = join(dir, 'huge');
    mkdirSync(d);
    await copyFile(join(FIXTURES, 'c4-95cbfd4f49dc.json'), join(d, 'c4-95cbfd4f49dc.json'));
    writeFileSync(join(d, 'c1-aaaaaaaaaaaa.json'), '');
    await truncate(join(d, 'c1-aaaaaaaaaaaa.json'), 200 * 1024 * 1024); // sparse: costs no disk
    const s = await runBench(['summary', d]);
    expect(s.code).toBe(0);
    expect(s.stderr).toMatch(/^skipped .*c1-aaaaaaaaaaaa\.json: .* is 200 MiB, over the 64 MiB limit/);
    expect(s.stdout).toMatch(/1 envelopes loaded, 1 skipped/);
    const v = await runBench(['verify', d]);
    expect(v.code).toBe(2);
    expect(v.stdout).toMatch(/over the 64 MiB limit/);
    expect(v.stdout).toMatch(/^OK {2}.*c4-95cbfd4f49dc\.json$/m);
  });

  it('a named pipe is read once and verified', async () => {
    const fifo = join(dir, 'c4-95cbfd4f49dc.json');
    execFileSync('mkfifo', [fifo]);
    const writer = spawn('sh', ['-c', `cat ${join(FIXTURES, 'c4-95cbfd4f49dc.json')} > ${fifo}`]);
    const v = await runBench(['verify', fifo]);
    writer.kill();
    expect(v.code).toBe(0);
    expect(v.stdout).toMatch(/^OK {2}/);
  });

  it('fetch file://../.. is a usage error (exit 2), one line', async () => {
    const r = await runBench(['fetch', 'file://../..']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^bench: not a usable file URI/)]);
  });

  it('URLs with credentials are printed redacted (doctor, fetch errors)', async () => {
    const d = await runBench(['doctor', '--base-url', 'http://scott:tiger@127.0.0.1:1/v1?api_key=s3cret']);
    expect(`${d.stdout}${d.stderr}`).not.toMatch(/tiger|s3cret/);
    expect(d.stdout).toContain('scott:***@127.0.0.1:1');
    const f = await runBench(['fetch', 'http://scott:tiger@127.0.0.1:1/x.json?token=s3cret']);
    expect(f.code).toBe(2);
    expect(`${f.stdout}${f.stderr}`).not.toMatch(/tiger|s3cret/);
  });

  it('--output under /proc and a bad keyless token: one line, exit 2, before any load', async () => {
    const key = join(dir, 'k2', 'cosign.key');
    expect((await runBench(['keygen', key])).code).toBe(0);
    const proc = await runBench(
      ['run', 'llm.inference', '--duration', '1', '--no-tui', '--output', '/proc/self/out', '--dev-key', key],
      { timeoutMs: 30_000 },
    );
    expect(proc.code).toBe(2);
    expect(proc.stderr).toMatch(/^bench: refusing output directory \/proc\/self\/out: .*pseudo file system/m);
    const expired = `x.${Buffer.from(JSON.stringify({ exp: 1_000_000 })).toString('base64url')}.y`;
    for (const [token, pattern] of [
      ['not-a-jwt', /not an OIDC identity token/],
      [expired, /SIGSTORE_ID_TOKEN expired at 1970-01-12/],
    ] as const) {
      const r = await runBench(
        [
          'run',
          'llm.inference',
          '--duration',
          '1',
          '--no-tui',
          '--signing-mode',
          'keyless',
          '--output',
          join(dir, 'kl'),
        ],
        { env: { SIGSTORE_ID_TOKEN: token }, timeoutMs: 30_000 },
      );
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(pattern)]);
    }
  });
});
