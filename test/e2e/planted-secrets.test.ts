// Planted secrets: a run against a real server with credentials in every URL flag and API keys in
// the environment. Nothing a run writes or prints may contain a credential, and no file it writes
// (envelope, journal, state, cache, log) may contain the endpoint's address.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine } from '../../src/engine/index.js';
import type { EngineHandle } from '../../src/engine/types.js';
import { runBench } from '../helpers/cli.js';

const PLANTED = {
  openaiKey: 'sk-PLANTED-openai-7f3a91',
  envKey: 'sk-PLANTED-apikeyenv-5c2e07',
  basePass: 'PLANTEDbasepass',
  metricsPass: 'PLANTEDmetricspass',
  metricsToken: 'PLANTEDmetricstoken',
  dcgmPass: 'PLANTEDdcgmpass',
  dcgmKey: 'PLANTEDdcgmkey',
};

let engine: EngineHandle;
let dir: string;

beforeAll(async () => {
  engine = await startEngine({ timing: 'nodelay', port: 0 });
  dir = await mkdtemp(join(tmpdir(), 'bench-planted-'));
});

afterAll(async () => {
  await engine.close();
});

function filesUnder(root: string): string[] {
  if (!existsSync(root)) return [];
  const out: string[] = [];
  for (const name of readdirSync(root)) {
    const path = join(root, name);
    const info = statSync(path);
    if (info.isDirectory()) out.push(...filesUnder(path));
    else if (info.isFile()) out.push(path);
  }
  return out;
}

describe('planted secrets (CLI run against a real server)', { timeout: 180_000 }, () => {
  it('no credential anywhere a run writes or prints; no endpoint address in any file', async () => {
    const origin = `127.0.0.1:${engine.port}`;
    const out = join(dir, 'results');
    const cache = join(dir, 'cache');
    const keyDir = join(dir, 'key');
    expect((await runBench(['keygen', join(keyDir, 'cosign.key')])).code).toBe(0);
    const env = {
      OPENAI_API_KEY: PLANTED.openaiKey,
      BENCH_PLANTED_KEY: PLANTED.envKey,
      BENCH_CACHE_DIR: cache,
    };
    const r = await runBench(
      [
        'run',
        'llm.inference',
        '--base-url',
        `http://planted:${PLANTED.basePass}@${origin}/v1`,
        '--api-key-env',
        'BENCH_PLANTED_KEY',
        '--metrics-url',
        `http://m:${PLANTED.metricsPass}@${origin}/metrics?token=${PLANTED.metricsToken}`,
        '--dcgm-url',
        `http://d:${PLANTED.dcgmPass}@${origin}/metrics?api_key=${PLANTED.dcgmKey}`,
        '--model',
        engine.modelId,
        '--duration',
        '2',
        '--concurrency',
        '4',
        '--no-tui',
        '--no-gate',
        '--warmup',
        '1',
        '--max-tokens',
        '16',
        '--output',
        out,
        '--dev-key',
        join(keyDir, 'cosign.key'),
      ],
      { env, timeoutMs: 150_000 },
    );
    expect(r.code, r.stderr).toBe(0);
    const files = [...filesUnder(out), ...filesUnder(cache)];
    expect(files.some((f) => f.endsWith('.json') && !f.includes('.bench'))).toBe(true);
    const texts: [string, string][] = [
      ['stdout', r.stdout],
      ['stderr', r.stderr],
      ...files.map((f): [string, string] => [f, readFileSync(f, 'utf8')]),
    ];
    for (const [where, text] of texts)
      for (const [name, secret] of Object.entries(PLANTED))
        expect(text.includes(secret), `${name} found in ${where}`).toBe(false);
    for (const [where, text] of texts.slice(2))
      expect(text.includes(origin) || text.includes(`:${engine.port}`), `endpoint address in ${where}`).toBe(
        false,
      );
  });
});
