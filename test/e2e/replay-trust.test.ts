// replay/profile read their source once (a named pipe that serves a genuine file to the first
// reader and a tampered one to the second must not run the tampered numbers), --require-trusted,
// and a run whose signing fails at the end keeps its measurement (unsigned, exit 1).
import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine } from '../../src/engine/index.js';
import type { EngineHandle } from '../../src/engine/types.js';
import { cliPath, runBench } from '../helpers/cli.js';

const FIXTURES = join(import.meta.dirname, '../../fixtures/inferencebench-envelopes');
const SOURCE = join(FIXTURES, 'c4-95cbfd4f49dc.json');
let engine: EngineHandle;
let dir: string;
let key: string;

beforeAll(async () => {
  engine = await startEngine({ timing: 'nodelay', model: 'Qwen/Qwen2.5-72B-Instruct' });
  dir = await mkdtemp(join(tmpdir(), 'bench-replay-trust-'));
  key = join(dir, 'cosign.key');
  expect((await runBench(['keygen', key])).code).toBe(0);
});

afterAll(async () => {
  await engine.close();
});

const replayArgs = (source: string, out: string, extra: string[] = []): string[] => [
  'replay',
  source,
  '--base-url',
  engine.baseUrl,
  '--duration',
  '1',
  '--no-gate',
  '--max-tokens',
  '8',
  '--no-tui',
  '--json',
  '--output',
  out,
  '--dev-key',
  key,
  ...extra,
];

describe('replay reads, verifies and uses the same bytes (CLI)', { timeout: 120_000 }, () => {
  it('a named pipe serving a genuine file, then a tampered one: the genuine numbers are replayed', async () => {
    const fifo = join(dir, 'c4-95cbfd4f49dc.json');
    execFileSync('mkfifo', [fifo]);
    const genuine = readFileSync(SOURCE, 'utf8');
    const tampered = join(dir, 'tampered.json');
    // Same hash prefix in the name, another seed: a second read would run seed 7.
    writeFileSync(tampered, genuine.replace('"seed": 42', '"seed": 7'));
    // First opener gets the genuine file, any second opener the tampered one.
    // (The pause lets the first reader see end-of-file before a second writer could open the pipe.)
    const writer = spawn('sh', ['-c', `cat ${SOURCE} > ${fifo}; sleep 2; cat ${tampered} > ${fifo}`]);
    const r = await runBench(replayArgs(fifo, join(dir, 'out-fifo')));
    writer.kill();
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { replay: string };
    const replayed = JSON.parse(readFileSync(out.replay, 'utf8')) as { seed: number };
    expect(replayed.seed).toBe(42);
  });

  it('--require-trusted refuses a valid envelope from an untrusted signer before any request', async () => {
    const before = engine.counters().requestsReceived;
    const r = await runBench(replayArgs(SOURCE, join(dir, 'out-untrusted'), ['--require-trusted']));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--require-trusted: .* is valid but untrusted signer/);
    expect(engine.counters().requestsReceived).toBe(before);
    const ok = await runBench(
      replayArgs(SOURCE, join(dir, 'out-trusted'), [
        '--require-trusted',
        '--trusted-key',
        join(FIXTURES, '..', 'inferencebench-envelopes', 'trust-anchor-2026-05-18-marathon.pub'),
      ]),
    );
    expect(ok.code).toBe(1); // c4 is not signed by the marathon anchor either
    const cfg = join(dir, 'cfg');
    mkdirSync(join(cfg, 'trusted-keys'), { recursive: true });
    const signerPem = (JSON.parse(readFileSync(SOURCE, 'utf8')) as { signature: { certificate: string } })
      .signature.certificate;
    writeFileSync(join(cfg, 'trusted-keys', 'c4-signer.pub'), `${signerPem}\n`);
    const trusted = await runBench(replayArgs(SOURCE, join(dir, 'out-trusted2'), ['--require-trusted']), {
      env: { BENCH_CONFIG_DIR: cfg },
    });
    expect(trusted.code, trusted.stderr).toBe(0);
    expect(trusted.stderr).toContain(': trusted');
  });
});

describe('a signing failure at the end keeps the measurement (CLI)', { timeout: 120_000 }, () => {
  it('the key disappears during the run: the envelope is written unsigned and marked, exit 1', async () => {
    const runKey = join(dir, 'vanishing.key');
    expect((await runBench(['keygen', runKey])).code).toBe(0);
    const out = join(dir, 'unsigned-out');
    const child = spawn(
      process.execPath,
      [
        cliPath(),
        'run',
        'llm.inference',
        '--duration',
        '2',
        '--concurrency',
        '2',
        '--no-tui',
        '--no-gate',
        '--warmup',
        '1',
        '--max-tokens',
        '8',
        '--output',
        out,
        '--dev-key',
        runKey,
      ],
      { env: { ...process.env, NO_COLOR: '1' } },
    );
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      stderr += c;
      if (stderr.includes('measuring')) rmSync(runKey, { force: true });
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(1);
    expect(stderr).toMatch(/written UNSIGNED \(signing failed: .*not found/);
    const files = readdirSync(out).filter((f) => f.endsWith('.json'));
    expect(files).toHaveLength(1);
    const env = JSON.parse(readFileSync(join(out, files[0] ?? ''), 'utf8')) as Record<string, unknown>;
    expect(env.signature).toBeNull();
    expect(env.unsigned_reason).toMatch(/signing failed/);
    const v = await runBench(['verify', join(out, files[0] ?? ''), '--allow-unsigned']);
    expect(v.code).toBe(0);
    expect(v.stdout).toContain('trust: unsigned');
  });
});
