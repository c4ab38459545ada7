// Issue 17 end to end: numbers nobody can misread. The real CLI against the embedded engine (or
// `bench engine serve`), checked against the point's own journal (the truth of what happened).
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { startEngine } from '../../src/engine/index.js';
import { readEnvelopeFile } from '../../src/envelope/index.js';
import { loadTokenizer } from '../../src/harness/tokenizer/index.js';
import type { RequestRecord } from '../../src/harness/types.js';
import { runBench } from '../helpers/cli.js';

let dir: string;
let key: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bench-e2e-numbers-'));
  key = join(dir, 'cosign.key');
  expect((await runBench(['keygen', key])).code).toBe(0);
});

type Env = Record<string, unknown> & {
  metrics: Record<string, number | null>;
  warnings: string[];
  run_context: Record<string, unknown>;
  quality: Record<string, unknown>;
  engine: { name: string };
};

async function envelopeIn(out: string): Promise<Env> {
  const files = readdirSync(out).filter((f) => f.endsWith('.json') && !f.startsWith('.'));
  expect(files).toHaveLength(1);
  return (await readEnvelopeFile(join(out, files[0]!))).envelope as unknown as Env;
}

function journalOf(out: string, env: Env): RequestRecord[] {
  const ref = env.run_context.journal as { file: string };
  return readFileSync(join(out, ref.file), 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as RequestRecord);
}

describe('case 1: coordinated omission in the headline', () => {
  it('--rps 6 gamma(0.5) --max-concurrency 3: ttft_sched beside ttft, SLOs on ttft_sched, achieved vs offered', async () => {
    const out = join(dir, 'co');
    const r = await runBench(
      [
        'run',
        '--rps',
        '6',
        '--arrival',
        'gamma',
        '--burstiness',
        '0.5',
        '--max-concurrency',
        '3',
        '--ramp',
        '2',
        '--duration',
        '5',
        '--no-tui',
        '--output',
        out,
        '--dev-key',
        key,
      ],
      { timeoutMs: 120_000 },
    );
    expect(r.code, r.stderr).toBe(0);
    const env = await envelopeIn(out);
    const m = env.metrics;
    const window = env.run_context.journal as { window_ms: { start: number; end: number } };
    const measured = journalOf(out, env).filter(
      (x) => !x.warmup && x.tSchedMs >= window.window_ms.start && x.tSchedMs <= window.window_ms.end,
    );
    const ok = measured.filter((x) => x.errorCode === null);
    // Truth from the journal: each request's ttft_sched − ttft is its client queue delay, and the
    // SLO (llm.standard on h100: ttft 300 ms, tpot 50 ms) is judged on ttft_sched in open loop.
    const good = ok.filter(
      (x) =>
        x.tFirstMs! - x.tSchedMs <= 300 &&
        (x.oslTokens < 2 || (x.tLastMs! - x.tFirstMs!) / (x.oslTokens - 1) <= 50),
    );
    expect(m.n_requests).toBe(measured.length);
    expect(m.compliance_rate).toBeCloseTo(good.length / measured.length, 12);
    const queue = ok.map((x) => x.tSendMs - x.tSchedMs).sort((a, b) => a - b);
    expect(queue[Math.floor(queue.length / 2)]!).toBeGreaterThan(1000); // seconds of client queueing
    expect(m.ttft_sched_p50_ms! - m.ttft_p50_ms!).toBeGreaterThan(1000);
    const sent = measured.filter((x) => x.tSendMs <= window.window_ms.end).length;
    const sentInWindow = journalOf(out, env).filter(
      (x) => !x.warmup && x.tSendMs >= window.window_ms.start && x.tSendMs <= window.window_ms.end,
    ).length;
    expect(sent).toBeLessThanOrEqual(measured.length);
    expect(m.offered_rps).toBe(6);
    expect(m.offered_realised_rps).toBeCloseTo(measured.length / m.window_s!, 9);
    expect(m.achieved_rps).toBeCloseTo(sentInWindow / m.window_s!, 9);
    expect(m.achieved_rps!).toBeLessThan(4.5); // 3 in flight × ~1 s requests
    // The headline prints ttft_sched beside ttft; the warnings say why.
    expect(r.stdout).toMatch(/ttft_p99_ms .*\n\s+ttft_sched_p50_ms/);
    expect(env.warnings.some((w) => w.startsWith('client queue delay p99'))).toBe(true);
    // The rate warning fires exactly when the journal's sent count is beyond ±2 √n of the arrivals.
    const z = (sentInWindow - measured.length) / Math.sqrt(measured.length);
    expect(env.warnings.some((w) => /^open loop: achieved [\d.]+ req\/s against 6 offered/.test(w))).toBe(
      Math.abs(z) > 2,
    );
    expect(sentInWindow).toBeLessThan(measured.length);
    const slo = env.quality.slo as { basis: string; targets: { metric: string; judgedOn: string }[] };
    expect(slo.basis).toBe('scheduled');
    expect(slo.targets.find((t) => t.metric === 'ttft')!.judgedOn).toBe('ttft_sched');
  }, 150_000);
});

describe('case 2: simulated results are always named', () => {
  it('--base-url at bench engine serve, --engine sglang: simulated, both names, DCGM marked simulated', async () => {
    const engine = await startEngine({
      timing: 'fixed',
      fixed: { ttftMs: 5, ttftJitterMs: 0, itlMs: 1, itlJitterMs: 0 },
    });
    try {
      const out = join(dir, 'serve');
      const r = await runBench([
        'run',
        '--base-url',
        engine.baseUrl,
        '--engine',
        'sglang',
        '--concurrency',
        '2',
        '--duration',
        '1',
        '--no-gate',
        '--warmup',
        '1',
        '--max-tokens',
        '16',
        '--no-tui',
        '--output',
        out,
        '--dev-key',
        key,
      ]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain(
        'identified itself as the simulated engine (x-inferencebench-engine: sim/0.1.0-sim)',
      );
      const env = await envelopeIn(out);
      expect(env.engine.name).toBe('sim');
      expect(env.run_context.simulated).toBe(true);
      expect(env.run_context.engine_requested).toBe('sglang');
      expect(env.warnings).toEqual(
        expect.arrayContaining([
          'results are simulated: the embedded engine models a GPU; they say nothing about real hardware',
          expect.stringContaining('--engine sglang names a real engine'),
        ]),
      );
      expect((env.telemetry as { source: string }).source).toBe('engine');
    } finally {
      await engine.close();
    }
  }, 120_000);
});

describe('case 6: tiers are earned', () => {
  it('three short trials against the simulated engine are DRAFT, with the reasons', async () => {
    const out = join(dir, 'trials');
    const r = await runBench(
      [
        'run',
        '--trials',
        '3',
        '--concurrency',
        '2',
        '--duration',
        '1',
        '--warmup',
        '1',
        '--max-tokens',
        '16',
        '--no-tui',
        '--output',
        out,
        '--dev-key',
        key,
      ],
      { timeoutMs: 240_000 },
    );
    expect(r.code, r.stderr).toBe(0);
    const env = await envelopeIn(out);
    expect(env.run_context.tier).toBe('DRAFT');
    const draft = env.warnings.find((w) => w.startsWith('tier DRAFT: '))!;
    expect(draft).toContain('simulated engine: results say nothing about real hardware');
    expect(draft).toMatch(/3 trial\(s\) measured fewer than 200 requests/);
  }, 300_000);
});

describe('case 9: TTST, chunk sizes and the tokenizer audit in a run', () => {
  it('--tokenizer: output tokens counted both ways, equal to a recount of the journal; ttst and chunk keys', async () => {
    const out = join(dir, 'tok');
    const tokenizerPath = join(import.meta.dirname, '../../fixtures/tokenizer/tokenizer.json');
    const r = await runBench([
      'run',
      '--concurrency',
      '2',
      '--duration',
      '2',
      '--no-gate',
      '--warmup',
      '1',
      '--max-tokens',
      '24',
      '--tokenizer',
      tokenizerPath,
      '--no-tui',
      '--output',
      out,
      '--dev-key',
      key,
    ]);
    expect(r.code, r.stderr).toBe(0);
    const env = await envelopeIn(out);
    const window = (env.run_context.journal as { window_ms: { start: number; end: number } }).window_ms;
    const measured = journalOf(out, env).filter(
      (x) => !x.warmup && x.errorCode === null && x.tSchedMs >= window.start && x.tSchedMs <= window.end,
    );
    const tok = await loadTokenizer({ path: tokenizerPath });
    const counted = measured.reduce((a, x) => a + tok.count(x.outputText ?? ''), 0);
    const usage = measured.reduce((a, x) => a + (x.usage?.completionTokens ?? 0), 0);
    expect(env.run_context.output_token_audit).toEqual({
      tokenizer: tok.name,
      requests: measured.length,
      with_usage: measured.length,
      osl_source: { usage: measured.length, tokenizer: 0 },
      tokenizer_total: counted,
      usage_total: usage,
      rel_diff: (counted - usage) / usage,
      over_2pct: expect.any(Number),
    });
    // TTST: t_2 − t_1 of each measured request, p50 (linear) as the envelope says
    const ttst = measured
      .filter((x) => x.eventTimesMs.length >= 2)
      .map((x) => x.eventTimesMs[1]! - x.eventTimesMs[0]!)
      .sort((a, b) => a - b);
    const h = (ttst.length - 1) * 0.5;
    const p50 = ttst[Math.floor(h)]! + (h - Math.floor(h)) * (ttst[Math.ceil(h)]! - ttst[Math.floor(h)]!);
    expect(env.metrics.ttst_p50_ms).toBeCloseTo(p50, 9);
    expect(env.metrics.chunk_events_n).toBe(measured.reduce((a, x) => a + x.eventTimesMs.length, 0));
    expect(env.metrics.chunk_tokens_mean).toBe(1); // the embedded engine streams one token per event
  }, 120_000);
});

describe('case 4: a trace replay measures the trace', () => {
  const tracePath = join(import.meta.dirname, '../../fixtures/datasets/mooncake-trace-sample.jsonl');
  it('the issue reproduction: every entry is measured, the envelope says trace with schedule lag', async () => {
    const out = join(dir, 'trace');
    const r = await runBench(
      [
        'run',
        'llm.inference.trace',
        '--dataset-path',
        tracePath,
        '--duration',
        '8',
        '--sim-timing',
        'fixed',
        '--no-tui',
        '--output',
        out,
        '--dev-key',
        key,
      ],
      { timeoutMs: 120_000 },
    );
    expect(r.code, r.stderr).toBe(0);
    const env = await envelopeIn(out);
    const journal = journalOf(out, env);
    // The fixture has 100 entries over 1.873 s: all sent, none warm-up, all in the window.
    expect(journal).toHaveLength(100);
    expect(journal.filter((x) => x.warmup)).toHaveLength(0);
    expect(env.metrics.n_requests).toBe(100);
    expect(env.run_context.driver).toBe('trace');
    expect(env.run_context.concurrency).toBeNull();
    expect(env.run_context.warmup_requests).toBe(0);
    expect(env.run_context.duration_s).toBe(8);
    const driverOptions = env.driver_options as { mode: string; gate: { enabled: boolean } };
    expect(driverOptions.mode).toBe('trace');
    expect(driverOptions.gate.enabled).toBe(false);
    const trace = env.run_context.trace as {
      entries: number;
      sent: number;
      skipped: number;
      span_s: number;
      schedule_lag_ms: { n: number; p50: number; p99: number; max: number };
    };
    expect(trace).toMatchObject({ entries: 100, sent: 100, skipped: 0, span_s: 1.873 });
    // Schedule lag = send − scheduled send, per request: its max is the journal's.
    const lags = journal.map((x) => x.tSendMs - x.tSchedMs).sort((a, b) => a - b);
    expect(trace.schedule_lag_ms.n).toBe(100);
    expect(trace.schedule_lag_ms.max).toBeCloseTo(lags.at(-1)!, 6);
    // The sends follow the trace's timestamps (relative to the first).
    const lines = readFileSync(tracePath, 'utf8').trim().split('\n');
    const offsets = lines.map((l) => (JSON.parse(l) as { timestamp: number }).timestamp);
    const scheds = journal.map((x) => x.tSchedMs).sort((a, b) => a - b);
    expect(scheds.map((t) => Math.round((t - scheds[0]!) * 1000) / 1000)).toEqual(offsets);
    // The window closes with the last response, not at --duration.
    const lastDone = Math.max(...journal.map((x) => x.tDoneMs));
    const window = env.run_context.journal as { window_ms: { start: number; end: number } };
    expect(window.window_ms.end).toBeGreaterThanOrEqual(lastDone);
    expect(window.window_ms.end - window.window_ms.start).toBeLessThan(8000);
    expect(r.stdout).toMatch(/^Trace: 100 of 100 entries sent over 1\.87 s/m);
    expect(r.stdout).toContain('· trace of 100 over 1.87 s (×1) ·');
    expect(r.stdout).toContain('regime       cold cache · trace replay');
  }, 150_000);

  it('replay of a trace envelope: with --dataset-path the same requests (hash match), without it a warning', async () => {
    const source = join(
      dir,
      'trace',
      readdirSync(join(dir, 'trace')).find((f) => f.endsWith('.json') && !f.startsWith('.'))!,
    );
    const engine = await startEngine({
      timing: 'fixed',
      fixed: { ttftMs: 5, ttftJitterMs: 0, itlMs: 1, itlJitterMs: 0 },
    });
    try {
      const common = ['replay', source, '--base-url', engine.baseUrl, '--no-tui', '--dev-key', key];
      const same = await runBench([...common, '--dataset-path', tracePath, '--output', join(dir, 'rep1')], {
        timeoutMs: 120_000,
      });
      expect(same.code, same.stderr).toBe(0);
      expect(same.stdout).toMatch(/^dataset\.hash\s+(\w{12})\s+\1\s+yes$/m);
      expect(same.stderr).not.toContain('its requests differ');
      const replayed = await envelopeIn(join(dir, 'rep1'));
      expect(replayed.run_context.driver).toBe('trace');
      expect(replayed.metrics.n_requests).toBe(100);
      expect((replayed.run_context.trace as { sent: number }).sent).toBe(100);
      // Without the file, the generated sample trace runs instead: the tables and a warning say so.
      const other = await runBench([...common, '--duration', '1', '--output', join(dir, 'rep2')], {
        timeoutMs: 120_000,
      });
      expect(other.stdout).toMatch(/^dataset\.hash\s+\w{12}\s+\w{12}\s+no$/m);
      expect(other.stderr).toContain('bench: warning: the replay sent dataset mooncake-trace-sample (hash');
    } finally {
      await engine.close();
    }
  }, 300_000);

  it('--sweep does not apply to a trace: exit 2 with one line', async () => {
    const r = await runBench([
      'run',
      'llm.inference.trace',
      '--dataset-path',
      tracePath,
      '--sweep',
      '1,2',
      '--no-tui',
      '--output',
      join(dir, 'trace-sweep'),
      '--dev-key',
      key,
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(
      'bench: llm.inference.trace replays a timestamped trace: --sweep and --rps-sweep do not apply (use --time-scale to change its speed)',
    );
  });
});

describe('case 8: --trials says why it exits 1', () => {
  it('names the point whose mean ok rate is below the floor and the trials that failed', async () => {
    const out = join(dir, 'trials-fail');
    const r = await runBench(
      [
        'run',
        '--trials',
        '2',
        '--concurrency',
        '2',
        '--duration',
        '1',
        '--warmup',
        '0',
        '--no-gate',
        '--max-tokens',
        '8',
        '--sim-fault-rate',
        '0.6',
        '--no-tui',
        '--output',
        out,
        '--dev-key',
        key,
      ],
      { timeoutMs: 180_000 },
    );
    expect(r.code).toBe(1);
    const last = r.stderr.trim().split('\n').at(-1)!;
    expect(last).toMatch(
      /^bench: exit 1: 1 point\(s\) below the ok-rate floor 0\.95: c2 mean ok_rate 0\.\d{3}; trial 1 \(seed 42\) exited 1, trial 2 \(seed 43\) exited 1 \(see the trial's own message above\)$/,
    );
  }, 240_000);
});
