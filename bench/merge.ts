// npm run bench:merge -- [--shards 64] [--requests 1000000] [--baseline-shards 8] [--tokens 128] [--keep]
//
// Issue 21 merge budget: merging 64 shard envelopes of 1M requests each takes ≤ 30 s, with memory
// bounded by the histogram size, not the request count. Shard envelopes are synthesised as a
// 1M-request shard writes them: past its exact cap (4 Mi ÷ N values per distribution) a shard sends
// log buckets, so each distribution is a bucket block (ITL: 1M × (tokens − 1) samples), plus exact
// counters. Every envelope is signed with a dev key and written to a temp folder; each merge runs in
// a fresh child process (`bench merge` in-process: verify, decode, merge, bootstrap CIs, sign, write)
// that reports its wall time and peak RSS. Printed as ratios against a baseline measured in the same
// run: the time against the 30 s budget, and the 64-shard peak RSS against the --baseline-shards
// merge (8× fewer requests: a ratio near 1 means memory does not grow with requests).
// A third case merges the exact worst case: every shard at its exact cap (4 Mi values in all).
import { ChunkSizeAccumulator } from '../src/harness/metrics/chunk-sizes.js';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { toShardEnvelope } from '../src/app/shard/shard-envelope.js';
import { VERSION } from '../src/app/version.js';
import {
  buildHardwareFingerprint,
  timestampMicros,
  type UnsignedEnvelope,
  generateDevKeyPair,
  signEnvelope,
  writeEnvelope,
} from '../src/envelope/index.js';
import { DISTRIBUTION_NAMES, type DistributionName } from '../src/harness/metrics/compute.js';
import type { SortedSamples } from '../src/harness/metrics/sample-sink.js';
import { shardExactCap } from '../src/harness/shard/block.js';
import { clockRecord } from '../src/harness/shard/clock.js';
import { exactSamples } from '../src/harness/shard/merge-samples.js';
import { bucketKey, BUCKETS_PER_OCTAVE } from '../src/harness/shard/sample-block.js';
import type { ShardCounters } from '../src/harness/shard/tally.js';
import { createRng } from '../src/lib/rng.js';
import { flag, loadNote } from './engine-serve.js';

const RUN_ID = '019e3b45-8552-7705-ab62-1cb802fe5680';
const BUDGET_S = 30;
const EXACT_CAP = 4 * 1024 * 1024;

// ---------------------------------------------------------------- child: one timed merge
if (process.argv[2] === '--child') {
  const { runMerge } = await import('../src/app/commands/merge.js');
  const [dir, keyPath, out] = process.argv.slice(3) as [string, string, string];
  const t0 = performance.now();
  await runMerge([dir], {
    output: out,
    signingMode: 'dev',
    devKey: keyPath,
    windowTolerance: '50',
    quiet: true,
  });
  const seconds = (performance.now() - t0) / 1000;
  process.stdout.write(JSON.stringify({ seconds, maxRssMb: process.resourceUsage().maxRSS / 1024 }) + '\n');
  process.exit(0);
}

// ---------------------------------------------------------------- parent
const shards = Number(flag('shards', '64'));
const requests = Number(flag('requests', '1000000'));
const baselineShards = Number(flag('baseline-shards', '8'));
const tokens = Number(flag('tokens', '128'));

function erf(x: number): number {
  // Abramowitz–Stegun 7.1.26 (|error| < 1.5e-7): enough to shape synthetic histograms.
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const y =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) *
      t *
      Math.exp(-x * x);
  return x >= 0 ? y : -y;
}

/** Bucket counts of n lognormal samples (median m ms, log-sd s), with exact total n. */
function lognormalSamples(n: number, medianMs: number, s: number): SortedSamples {
  const cdf = (v: number): number => 0.5 * (1 + erf(Math.log(v / medianMs) / (s * Math.SQRT2)));
  const lo = bucketKey(medianMs * Math.exp(-6 * s));
  const hi = bucketKey(medianMs * Math.exp(6 * s));
  const entries: [number, number][] = [];
  let assigned = 0;
  let carry = 0;
  for (let key = lo; key <= hi; key++) {
    const a = Math.pow(2, key / BUCKETS_PER_OCTAVE);
    const b = Math.pow(2, (key + 1) / BUCKETS_PER_OCTAVE);
    const want = n * (cdf(b) - cdf(a)) + carry;
    const count = key === hi ? n - assigned : Math.min(n - assigned, Math.max(0, Math.round(want)));
    carry = want - count;
    if (count > 0) {
      entries.push([Math.pow(2, (key + 0.5) / BUCKETS_PER_OCTAVE), count]);
      assigned += count;
    }
  }
  const min = entries[0]?.[0] ?? 0;
  const max = entries[entries.length - 1]?.[0] ?? 0;
  let sum = 0;
  for (const [v, c] of entries) sum += v * c;
  return {
    exact: false,
    length: n,
    mean: n > 0 ? sum / n : null,
    at: (rank) => (rank === 0 ? min : rank === n - 1 ? max : undefined),
    forEachValue: (fn) => entries.forEach(([v, c]) => fn(v, c)),
  };
}

function counters(n: number, startMs: number, endMs: number): ShardCounters {
  return {
    measured: n,
    ok: n,
    errors_by_code: {},
    good: n,
    osl_from_usage: n,
    osl_counted: 0,
    osl_sum: n * tokens,
    isl_sum: n * 100,
    isl_n: n,
    tokens_in_window: n * tokens,
    completions_in_window: n,
    good_completions_in_window: n,
    good_tokens_in_window: n * tokens,
    first_dispatch_ms: startMs,
    last_completion_ms: endMs,
    last_token_ms: endMs,
    cancelled: 0,
    sent_in_window: n,
    slo_basis: 'sent',
    chunk_sizes: new ChunkSizeAccumulator().finish(),
    coalesced: 0,
    slo_pass: [],
    warmup: 0,
    outside_window: 0,
  };
}

async function writeShards(dir: string, keyPath: string, count: number, exact: boolean): Promise<void> {
  const epoch = 1_790_000_000_000;
  const windowMs = 600_000;
  for (let index = 0; index < count; index++) {
    const rng = createRng(index + 1);
    const samples = {} as Record<DistributionName, SortedSamples>;
    const perShardCap = shardExactCap(EXACT_CAP, count);
    for (const name of DISTRIBUTION_NAMES) {
      const median =
        name === 'itl' || name === 'tpot' || name === 'icl' ? 8 : name.startsWith('total') ? 1000 : 40;
      if (exact && name === 'ttft') {
        const values = Float64Array.from(
          { length: perShardCap },
          () => median * Math.exp(0.4 * rng.normal()),
        );
        values.sort();
        samples[name] = exactSamples(values);
      } else {
        const n = name === 'itl' || name === 'icl' ? requests * (tokens - 1) : requests;
        samples[name] = lognormalSamples(n, median * (1 + 0.01 * index), 0.4);
      }
    }
    const base = {
      envelope_version: 'v1',
      suite_id: 'llm.inference.chatbot-short',
      suite_version: '1.0.0',
      run_id: `019e3b45-8552-7705-ab62-${(0x1000000000000 + index).toString(16).slice(1)}`,
      timestamp: timestampMicros(new Date()),
      model: {
        id: 'meta-llama/Llama-3.1-8B-Instruct',
        revision: 'unknown',
        provider: 'vllm',
        endpoint_hash: 'a'.repeat(64),
      },
      engine: { name: 'vllm', version: '0.11.0', config_hash: 'b'.repeat(64), image_digest: '' },
      quantization: { format: 'fp16', method: '' },
      hardware_fingerprint: buildHardwareFingerprint({
        dmi_uuid: 'unknown',
        gpus: [],
        cpu: { model: 'x', microcode: 'unknown' },
        memory: { channels: 1, speed_mts: 1, ecc: false },
        bios: { version: 'unknown', resizable_bar: false, above_4g: false },
        numa: {},
        driver: 'unknown',
        cuda: 'unknown',
        nccl: '',
      }),
      software_provenance: {
        image_digest: '',
        pip_freeze_hash: 'c'.repeat(64),
        git_commit: '0'.repeat(40),
        nvidia_smi_q_hash: 'd'.repeat(64),
      },
      dataset: { id: 'synthetic', hash: 'e'.repeat(64) },
      seed: 42,
      driver_options: {},
      metrics: { ok_rate: 1 },
      distributions: {},
      slo_template: '',
      warnings: [],
      signature: null,
      run_context: { tool: { name: 'inferencebench', version: VERSION }, incomplete: false },
      quality: { valid: true },
    };
    const unsigned = toShardEnvelope(base as UnsignedEnvelope, {
      runId: RUN_ID,
      shard: { index, count },
      runSeed: 42,
      shardSeed: index,
      toolVersion: VERSION,
      run: { requests_per_shard: requests },
      window: { startMs: epoch, endMs: epoch + windowMs },
      anchor: { timeOriginMs: epoch, wallMs: epoch },
      clock: clockRecord({ offsetMs: 0, roundTripMs: 0.2, atShardMs: epoch, exchanges: 8 }, null),
      slo: null,
      bootstrapResamples: 1000,
      counters: counters(requests, epoch, epoch + windowMs),
      samples,
      exactCap: EXACT_CAP,
    });
    const { envelope } = await signEnvelope(unsigned, { mode: 'dev', keyPath });
    await writeEnvelope(dir, `shard${index}-`, envelope);
  }
}

function timedMerge(dir: string, keyPath: string, out: string): { seconds: number; maxRssMb: number } {
  const self = fileURLToPath(import.meta.url);
  const text = execFileSync(process.execPath, ['--import', 'tsx', self, '--child', dir, keyPath, out], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  return JSON.parse(text.trim().split('\n').pop() as string) as { seconds: number; maxRssMb: number };
}

const root = mkdtempSync(join(tmpdir(), 'bench-merge-'));
try {
  const keyPath = join(root, 'cosign.key');
  await generateDevKeyPair(keyPath);
  console.log(
    `merge: ${shards} shards × ${requests.toLocaleString('en-US')} requests (${tokens} tokens each); ${loadNote()}`,
  );
  const cases: [string, number, boolean][] = [
    ['baseline', baselineShards, false],
    ['main', shards, false],
    ['exact', shards, true],
  ];
  const results = new Map<string, { seconds: number; maxRssMb: number }>();
  for (const [label, count, exact] of cases) {
    const dir = join(root, label);
    await writeShards(dir, keyPath, count, exact);
    const r = timedMerge(dir, keyPath, join(root, `${label}-out`));
    results.set(label, r);
    const total = count * requests;
    console.log(
      `  ${label.padEnd(8)} ${String(count).padStart(3)} shards, ${total.toLocaleString('en-US').padStart(13)} requests${exact ? ` (ttft exact: ${(shardExactCap(EXACT_CAP, count) * count).toLocaleString('en-US')} values)` : ''}: ` +
        `${r.seconds.toFixed(2)} s, peak RSS ${r.maxRssMb.toFixed(0)} MB`,
    );
  }
  const main = results.get('main') as { seconds: number; maxRssMb: number };
  const base = results.get('baseline') as { seconds: number; maxRssMb: number };
  const exact = results.get('exact') as { seconds: number; maxRssMb: number };
  const timeRatio = main.seconds / BUDGET_S;
  console.log(`  time ÷ ${BUDGET_S} s budget: ${timeRatio.toFixed(3)}  ${timeRatio <= 1 ? 'PASS' : 'FAIL'}`);
  const memRatio = main.maxRssMb / base.maxRssMb;
  console.log(
    `  peak RSS ${shards} shards ÷ ${baselineShards} shards (${shards / baselineShards}× the requests): ${memRatio.toFixed(2)}  ${memRatio <= 1.5 ? 'PASS (bounded by histogram size)' : 'FAIL'}`,
  );
  console.log(
    `  exact worst case ÷ ${BUDGET_S} s budget: ${(exact.seconds / BUDGET_S).toFixed(3)}  ${exact.seconds <= BUDGET_S ? 'PASS' : 'FAIL'}`,
  );
  if (timeRatio > 1 || memRatio > 1.5 || exact.seconds > BUDGET_S) process.exitCode = 1;
} finally {
  if (process.argv.includes('--keep')) console.log(`  kept ${root}`);
  else rmSync(root, { recursive: true, force: true });
}
