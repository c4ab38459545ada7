// The bundle is self-contained: a dist/ copied anywhere, next to node_modules/koffi only, runs a
// benchmark from an unrelated directory — SLO templates, engine catalog, tokenizer and datasets
// come from inside the bundle, nothing is found by walking up from it — creates the per-user dev
// key on a first run, and records the lockfile it was built from.
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliPath, runBench } from '../helpers/cli.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
let dir: string;
let cli: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ib-carried-'));
  mkdirSync(join(dir, 'pkg', 'dist'), { recursive: true });
  mkdirSync(join(dir, 'pkg', 'node_modules'));
  cli = join(dir, 'pkg', 'dist', 'bench.js');
  copyFileSync(cliPath(), cli);
  symlinkSync(join(ROOT, 'node_modules', 'koffi'), join(dir, 'pkg', 'node_modules', 'koffi'));
  mkdirSync(join(dir, 'work'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a carried dist/', () => {
  it('runs the embedded engine from another directory, with a first-run dev key, and verifies', async () => {
    const env = { BENCH_CONFIG_DIR: join(dir, 'config'), HOME: join(dir, 'home'), CI: '1' };
    const run = await runBench(
      [
        'run',
        'llm.inference',
        '--duration',
        '1',
        '--no-gate',
        '--concurrency',
        '4',
        '--no-tui',
        '--output',
        'results',
      ],
      { cwd: join(dir, 'work'), env, cli },
    );
    expect(run.stderr).not.toMatch(/not found|internal error/);
    expect(run.code).toBe(0);
    const key = join(dir, 'config', 'cosign.key');
    expect(existsSync(key)).toBe(true);
    expect(run.stderr).toContain(`created a dev signing key at ${key}`);
    const files = readdirSync(join(dir, 'work', 'results')).filter(
      (f) => f.endsWith('.json') && !f.startsWith('.'),
    );
    expect(files).toHaveLength(1);
    const envelope = JSON.parse(readFileSync(join(dir, 'work', 'results', files[0]!), 'utf8')) as {
      software_provenance: { pip_freeze_hash: string };
    };
    const lockSha = createHash('sha256')
      .update(readFileSync(join(ROOT, 'package-lock.json')))
      .digest('hex');
    expect(envelope.software_provenance.pip_freeze_hash).toBe(lockSha);
    const verify = await runBench(['verify', 'results'], { cwd: join(dir, 'work'), env, cli });
    expect(verify.code).toBe(0);
    // The second run signs with the same key and says nothing about it.
    const again = await runBench(
      ['run', 'llm.inference', '--duration', '1', '--no-gate', '--no-tui', '--output', 'results2'],
      { cwd: join(dir, 'work'), env, cli },
    );
    expect(again.code).toBe(0);
    expect(again.stderr).not.toContain('created a dev signing key');
  }, 180_000);
});
