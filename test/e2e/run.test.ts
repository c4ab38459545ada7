// End-to-end: spawn the real CLI against the embedded engine over loopback HTTP.
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine } from '../../src/engine/index.js';
import type { EngineHandle } from '../../src/engine/types.js';
import { contentHashOfLossless, readEnvelopeFile } from '../../src/envelope/index.js';
import { runBench, type CliResult } from '../helpers/cli.js';

const root = new URL('../../', import.meta.url).pathname;
const fixtures = join(root, 'fixtures/inferencebench-envelopes');

const bench = (args: readonly string[]): Promise<CliResult> => runBench(args);

const FAST = ['--no-tui', '--no-gate', '--warmup', '1', '--max-tokens', '24', '--drain-grace', '5'];

let dir: string;
let key: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bench-e2e-run-'));
  key = join(dir, 'cosign.key');
  const made = await bench(['keygen', key]);
  expect(made.code).toBe(0);
});

describe('bench run', () => {
  it('streams a run against the embedded engine and writes a signed envelope whose hash recomputes', async () => {
    const out = join(dir, 'single');
    const r = await bench([
      'run',
      'llm.inference',
      '--duration',
      '2',
      '--concurrency',
      '2',
      ...FAST,
      '--json',
      '--output',
      out,
      '--dev-key',
      key,
    ]);
    expect(r.stderr).toContain('measuring');
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout) as { envelope: string; metrics: Record<string, unknown> };
    const files = readdirSync(out).filter((f) => f.endsWith('.json') && !f.startsWith('.'));
    expect(files).toHaveLength(1);
    expect(result.envelope).toBe(join(out, files[0] ?? ''));
    const loaded = await readEnvelopeFile(result.envelope);
    const env = loaded.envelope as Record<string, unknown> & { metrics: Record<string, unknown> };
    expect(env.envelope_version).toBe('v1');
    expect(env.suite_id).toBe('llm.inference.chatbot-short');
    expect((env.engine as { name: string }).name).toBe('sim');
    expect(env.warnings).toEqual(expect.arrayContaining([expect.stringContaining('simulated')]));
    for (const key of [
      'ttft_p50_ms',
      'ttft_p99_ms',
      'tpot_p50_ms',
      'total_p50_ms',
      'throughput_tok_per_s',
      'ok_rate',
    ]) {
      expect(typeof env.metrics[key]).toBe('number');
    }
    expect(env.metrics.ok_rate).toBe(1);
    expect(env.run_context).toMatchObject({ driver: 'closed_loop', concurrency: 2, simulated: true });
    const hash = contentHashOfLossless(loaded.lossless as object);
    expect(basename(result.envelope)).toBe(`${hash.slice(0, 12)}.json`);
    expect((env.signature as { method: string }).method).toBe('dev-key');
    const verified = await bench(['verify', result.envelope]);
    expect(verified.code).toBe(0);
  });

  it.each([
    [['--bogus-flag'], "unknown option '--bogus-flag'"],
    [['--concurrency', '0'], '--concurrency must be a positive integer'],
    [['--duration', '-3'], '--duration must be a positive number'],
    [['--base-url', 'htp:/nope'], '--base-url'],
    [['--base-url', 'http://127.0.0.1:9/v1'], 'cannot reach http://127.0.0.1:9/v1'],
    [['--output', '/dev/null/results'], 'refusing output directory /dev/null/results'],
    [['--dev-key', '/nonexistent/cosign.key'], 'bench keygen'],
    [['--sweep', '1,4', '--concurrency', '2'], 'mutually exclusive'],
  ])('rejects %j with one clear line, exit 2, nothing written', async (args, message) => {
    const out = join(dir, `bad-${Math.random().toString(36).slice(2)}`);
    const r = await bench([
      'run',
      'llm.inference',
      '--duration',
      '1',
      '--output',
      out,
      '--dev-key',
      key,
      ...args,
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    const written = existsSync(out) ? readdirSync(out).filter((f) => f.endsWith('.json')) : [];
    expect(written).toEqual([]);
  });

  it('writes one envelope per sweep point and exits 1 when a point is below ok_rate 0.95', async () => {
    const out = join(dir, 'sweep');
    const r = await bench([
      'run',
      'llm.inference',
      '--sweep',
      '1,2',
      '--duration',
      '1.5',
      ...FAST,
      '--sim-fault-rate',
      '0.6',
      '--output',
      out,
      '--dev-key',
      key,
    ]);
    expect(r.stdout).toContain('Sweep results (concurrency)');
    expect(r.code).toBe(1);
    const files = readdirSync(out).filter((f) => f.endsWith('.json') && !f.startsWith('.'));
    expect(files.some((f) => /^c1-[0-9a-f]{12}\.json$/.test(f))).toBe(true);
    expect(files.some((f) => /^c2-[0-9a-f]{12}\.json$/.test(f))).toBe(true);
  });

  it('runs --trials in fresh processes and writes an aggregate envelope with the tier', async () => {
    const out = join(dir, 'trials');
    const r = await bench([
      'run',
      'llm.inference',
      '--trials',
      '2',
      '--duration',
      '1.5',
      '--concurrency',
      '2',
      ...FAST,
      '--output',
      out,
      '--dev-key',
      key,
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Trials (2, seeds 42..43): mean ± std');
    expect(r.stderr).toContain('trial 2/2 (seed 43) in a fresh process');
    const [aggregate] = readdirSync(out).filter((f) => f.endsWith('.json') && !f.startsWith('.'));
    const loaded = await readEnvelopeFile(join(out, aggregate ?? ''));
    const env = loaded.envelope as unknown as Record<string, unknown> & { trials: { seed: number }[] };
    expect(env.trials.map((t) => t.seed)).toEqual([42, 43]);
    expect(env.run_context).toMatchObject({ tier: 'DRAFT', trials: { count: 2, seeds: [42, 43] } });
    expect(readdirSync(join(out, 'trials'))).toEqual(['t1', 't2']);
    expect((await bench(['verify', out])).code).toBe(0);
  });

  it('--detach returns at once and the background run finishes with an envelope', async () => {
    const out = join(dir, 'detached');
    const r = await bench([
      'run',
      'llm.inference',
      '--detach',
      '--duration',
      '1',
      ...FAST,
      '--output',
      out,
      '--dev-key',
      key,
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/started in the background: pid \d+/);
    expect(r.stdout).toContain(`bench watch ${out}`);
    const deadline = Date.now() + 60_000;
    const finished = (): boolean => {
      try {
        return (JSON.parse(readFileSync(join(out, '.bench', 'live.json'), 'utf8')) as { finished: boolean })
          .finished;
      } catch {
        return false;
      }
    };
    while (!finished() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 250));
    expect(finished()).toBe(true);
    expect(readdirSync(out).filter((f) => /^[0-9a-f]{12}\.json$/.test(f))).toHaveLength(1);
  });

  it('--workers 2 shards the load over worker threads and records them', async () => {
    const out = join(dir, 'workers');
    const r = await bench([
      'run',
      'llm.inference',
      '--workers',
      '2',
      '--duration',
      '1.5',
      '--concurrency',
      '4',
      ...FAST,
      '--json',
      '--output',
      out,
      '--dev-key',
      key,
    ]);
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout) as { envelope: string; metrics: { ok_rate: number } };
    expect(result.metrics.ok_rate).toBe(1);
    const env = (await readEnvelopeFile(result.envelope)).envelope as unknown as {
      run_context: { workers: number };
      quality: { client: { workers: number; worker_event_loop_delay_p99_ms: number | null } };
    };
    expect(env.run_context.workers).toBe(2);
    expect(env.quality.client.workers).toBe(2);
    expect(typeof env.quality.client.worker_event_loop_delay_p99_ms).toBe('number');
  });

  it('prints the plugin benchmark ids with --list', async () => {
    const r = await bench(['run', 'llm.inference', '--list']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('llm.inference.chatbot-short');
  });
});

describe('bench replay / profile', () => {
  let engine: EngineHandle;
  beforeAll(async () => {
    engine = await startEngine({ model: 'Qwen/Qwen2.5-72B-Instruct', quant: 'bf16', tensorParallel: 8 });
  });
  afterAll(async () => {
    await engine.close();
  });

  // A short, gate-free replay/profile of `source` against the in-process engine.
  const replayArgs = (kind: 'replay' | 'profile', source: string, out: string): string[] => [
    kind,
    source,
    '--base-url',
    engine.baseUrl,
    '--duration',
    '2',
    '--no-gate',
    '--max-tokens',
    '24',
    '--no-tui',
    '--output',
    out,
    '--dev-key',
    key,
  ];

  it('refuses a tampered envelope with exit 1 before any request reaches the engine', async () => {
    const tampered = join(dir, 'c4-95cbfd4f49dc.json');
    const text = readFileSync(join(fixtures, 'c4-95cbfd4f49dc.json'), 'utf8').replace(
      '"seed": 42',
      '"seed": 43',
    );
    writeFileSync(tampered, text);
    const before = engine.counters().requestsReceived;
    const r = await bench([
      'replay',
      tampered,
      '--base-url',
      engine.baseUrl,
      '--output',
      join(dir, 'rep-bad'),
      '--dev-key',
      key,
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('FAIL');
    expect(engine.counters().requestsReceived).toBe(before);
  });

  it('replays an InferenceBench envelope and prints the seed 000 tables', async () => {
    const source = join(dir, 'c4-95cbfd4f49dc.json');
    copyFileSync(join(fixtures, 'c4-95cbfd4f49dc.json'), source);
    const out = join(dir, 'rep');
    const r = await bench(replayArgs('replay', source, out));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Replay summary');
    expect(r.stdout).toMatch(/model\.id\s+Qwen\/Qwen2\.5-72B-Instruct\s+Qwen\/Qwen2\.5-72B-Instruct\s+yes/);
    expect(r.stdout).toContain('Headline metrics (source vs replay)');
    const [file] = readdirSync(out).filter((f) => f.endsWith('.json') && !f.startsWith('.'));
    const loaded = await readEnvelopeFile(join(out, file ?? ''));
    const env = loaded.envelope as Record<string, unknown>;
    expect(env.suite_id).toBe('llm.inference.chatbot-short');
    // their builtin-chatbot-short holds other prompts: the replay runs ours, under our own id
    expect((env.dataset as { id: string }).id).toBe('builtin-chatbot-short-node');
    expect(r.stdout).toMatch(/dataset\.id\s+builtin-chatbot-short\s+builtin-chatbot-short-node\s+no/);
    // their llm.standard is not ours: the replay says it judges with ours
    expect(env.warnings).toContain(
      'the source is an InferenceBench envelope: its llm.standard means ttft<200ms, tpot<50ms, total<3000ms there; this run judges with ours, so compliance and goodput are not comparable with the source',
    );
    expect(env.run_context).toMatchObject({ concurrency: 4, replay: { point_source: 'file name' } });
  });

  it('profiles with the breakdown table and a profile- envelope', async () => {
    const source = join(dir, 'c4-95cbfd4f49dc.json');
    const out = join(dir, 'prof');
    const r = await bench(replayArgs('profile', source, out));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Profiling breakdown');
    expect(r.stdout).toContain('% time on host');
    expect(r.stdout).toContain('RAPL sample count');
    const files = readdirSync(out).filter((f) => f.endsWith('.json') && !f.startsWith('.'));
    expect(files.some((f) => /^profile-[0-9a-f]{12}\.json$/.test(f))).toBe(true);
  });

  it('exits 1 with a pinning hint when no plugin ships the recorded benchmark', async () => {
    const text = readFileSync(join(fixtures, 'c4-95cbfd4f49dc.json'), 'utf8');
    const unknown = join(dir, 'unknown-bench.json');
    writeFileSync(unknown, text.replace('llm.inference.chatbot-short', 'llm.inference.retired-bench'));
    const r = await bench([
      'replay',
      unknown,
      '--no-verify',
      '--base-url',
      engine.baseUrl,
      '--output',
      join(dir, 'rep-x'),
      '--dev-key',
      key,
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('pin');
  });
});
