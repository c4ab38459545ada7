// The bundle is self-contained: a dist/ copied anywhere, next to node_modules/koffi only, runs a
// benchmark from an unrelated directory — SLO templates, engine catalog, tokenizer and datasets
// come from inside the bundle, the tiktoken ranks from dist/tiktoken/ beside it, nothing is found
// by walking up from it — creates the per-user dev key on a first run, and records the lockfile it
// was built from.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliPath, runBench } from '../helpers/cli.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
let dir: string;
let cli: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ib-carried-'));
  mkdirSync(join(dir, 'pkg', 'node_modules'), { recursive: true });
  cli = join(dir, 'pkg', 'dist', 'bench.js');
  // The whole build folder: bench.js and the data files it loads beside it.
  cpSync(dirname(cliPath()), join(dir, 'pkg', 'dist'), { recursive: true });
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

  it('loads the tiktoken ranks from dist/tiktoken/ beside the bundle (an OpenAI model id)', async () => {
    const env = { BENCH_CONFIG_DIR: join(dir, 'config'), HOME: join(dir, 'home'), CI: '1' };
    // The engine serves an OpenAI model id (a catalog entry with Llama-3.1-8B's shape), so the
    // synthetic workload builds its exact-length prompts with tiktoken's o200k_base.
    const catalog = join(dir, 'work', 'openai.yaml');
    writeFileSync(
      catalog,
      'models:\n  - id: gpt-4o-mini\n    paramsTotal: 8.03e9\n    paramsActive: 8.03e9\n    layers: 32\n' +
        '    hidden: 4096\n    heads: 32\n    kvHeads: 8\n    headDim: 128\n    contextLength: 131072\n',
    );
    const engine: ChildProcess = spawn(
      process.execPath,
      [cli, 'engine', 'serve', '--port', '0', '--catalog', catalog, '--model', 'gpt-4o-mini'],
      { cwd: join(dir, 'work'), stdio: ['ignore', 'pipe', 'ignore'] },
    );
    try {
      const baseUrl = await new Promise<string>((resolve, reject) => {
        let out = '';
        engine.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
          out += chunk;
          if (out.includes('\n')) resolve(out.split('\n')[0]!.trim());
        });
        engine.once('exit', (code) => reject(new Error(`engine serve exited ${code}`)));
      });
      const args = (output: string): string[] => [
        'run',
        'llm.inference.synthetic',
        '--base-url',
        baseUrl,
        '--model',
        'gpt-4o-mini',
        '--duration',
        '1',
        '--no-gate',
        '--no-tui',
        '--output',
        output,
      ];
      const run = await runBench(args('results-openai'), { cwd: join(dir, 'work'), env, cli });
      expect(run.stderr).not.toMatch(/internal error|cannot be loaded/);
      expect(run.code).toBe(0);
      // Without the file beside the bundle, the same run fails with one clear line.
      rmSync(join(dir, 'pkg', 'dist', 'tiktoken', 'o200k_base.js'));
      const broken = await runBench(args('results-broken'), { cwd: join(dir, 'work'), env, cli });
      expect(broken.code).toBe(1);
      expect(broken.stderr).toMatch(/^bench: tokenizer: the o200k_base ranks cannot be loaded .*reinstall/m);
    } finally {
      engine.kill('SIGTERM');
    }
  }, 180_000);
});
