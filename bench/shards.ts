// npm run bench:shards -- [--shards 1,2,4] [--concurrency 16] [--requests 400] [--max-tokens 64] [--timing fixed|nodelay]
//
// Issue 21 scale-out budget: N shards on one machine, each a host of its own (a network namespace
// bridged to the engine's), reach ≥ 0.9·N × one shard's throughput until the engine or the cores
// saturate. Each shard is the netns-shard probe (real streaming client, coordinator barriers, a
// signed shard envelope); the shards' envelopes are merged with `bench merge` and the merged
// throughput_tok_per_s (tokens in the common window ÷ window) is the number. Every N runs in the
// same invocation; the ratio is tput(N) ÷ (N × tput(1)). CPU of the engine and of the shards
// (from /proc, over the run) is printed so that the line says what saturated.
//   --timing fixed   (default) streams paced by the engine: per-shard load is latency-bound, so
//                    N shards should scale until CPU runs out.
//   --timing nodelay the engine writes as fast as sockets take it: one shard is CPU-bound, and
//                    on 2 cores N shards share them with the engine (saturation is the expected
//                    result there; on a bigger host this mode measures the client ceiling).
// Needs root and iproute2 (ip netns); says so and exits 0 otherwise.
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runMerge } from '../src/app/commands/merge.js';
import { readEnvelopeFile, generateDevKeyPair } from '../src/envelope/index.js';
import { NetnsTopology, probeNetns, watch, type Host } from '../test/helpers/netns.js';
import { flag, loadNote } from './engine-serve.js';

const shardCounts = flag('shards', '1,2,4').split(',').map(Number);
const concurrency = Number(flag('concurrency', '16'));
const requestsPerShard = Number(flag('requests', '400'));
const maxTokens = Number(flag('max-tokens', '64'));
const timing = flag('timing', 'fixed');
const BUDGET = 0.9;
const repo = fileURLToPath(new URL('..', import.meta.url));
const cli = join(repo, 'bin/bench.js');
const probe = join(repo, 'test/helpers/netns-shard.ts');
const TICKS = 100; // USER_HZ

/** Busy and total jiffies of the whole machine (/proc/stat), to tell saturated cores apart. */
function machineTicks(): { busy: number; total: number } {
  const cpu = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '')
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  const total = cpu.reduce((a, b) => a + b, 0);
  const idle = (cpu[3] ?? 0) + (cpu[4] ?? 0);
  return { busy: total - idle, total };
}

function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / TICKS;
  } catch {
    return 0;
  }
}

const reason = await probeNetns();
if (reason !== null) {
  console.log(`shards: skipped: ${reason}`);
  process.exit(0);
}

const root = await mkdtemp(join(tmpdir(), 'bench-shards-'));
const keyPath = join(root, 'cosign.key');
await generateDevKeyPair(keyPath);
const net = await NetnsTopology.create('10.78.0');
try {
  const engineHost = await net.addHost('engine', 2);
  const coordHost = await net.addHost('coord', 3);
  const maxShards = Math.max(...shardCounts);
  const shardHosts: Host[] = [];
  for (let i = 0; i < maxShards; i++) shardHosts.push(await net.addHost(`s${i}`, 10 + i));
  const engineArgs =
    timing === 'fixed'
      ? [
          '--timing',
          'fixed',
          '--ttft-ms',
          '15',
          '--ttft-jitter-ms',
          '0',
          '--itl-ms',
          '4',
          '--itl-jitter-ms',
          '0',
        ]
      : ['--timing', 'nodelay'];
  const engine = net.spawn(engineHost, process.execPath, [
    cli,
    ...['engine', 'serve', '--host', engineHost.address, '--port', '8000', ...engineArgs],
  ]);
  const engineUrl = (await watch(engine).line(/^http:\/\//, 120_000)).trim();
  console.log(
    `shards: closed loop c=${concurrency} per shard, ${requestsPerShard} requests × ${maxTokens} tokens per shard, engine '${timing}'; ${loadNote()}`,
  );
  const tput = new Map<number, number>();
  let run = 0;
  for (const n of shardCounts) {
    run++;
    const runId = `019e3b45-8552-7705-ab62-${(0x1000000000000 + run).toString(16).slice(1)}`;
    const out = join(root, `n${n}`);
    const coordinator = net.spawn(coordHost, process.execPath, [
      cli,
      ...['k8s', 'coordinator', '--shards', String(n), '--run-id', runId, '--host', coordHost.address],
      ...['--port', String(7400 + run), '--output', out, '--dev-key', keyPath, '--barrier-timeout', '120'],
    ]);
    const cw = watch(coordinator);
    await cw.line(/listening/, 120_000);
    const shards = shardHosts.slice(0, n).map((host, index) =>
      net.spawn(host, process.execPath, [
        '--import',
        'tsx',
        probe,
        JSON.stringify({
          coordinator: `http://${coordHost.address}:${7400 + run}`,
          baseUrl: engineUrl,
          runId,
          index,
          count: n,
          requests: requestsPerShard * n,
          concurrency: concurrency * n,
          maxTokens,
          keyPath,
          outDir: join(out, 'local'),
        }),
      ]),
    );
    const watches = shards.map((s) => watch(s));
    // CPU over the measured window only: from the start barrier (every shard printed "started")
    // to the last shard's end (start-up and tsx compilation excluded).
    await Promise.all(watches.map((w) => w.line(/^started/, 300_000)));
    const tStart = performance.now();
    const engineCpu0 = cpuSeconds(engine.pid);
    const shardCpu0 = shards.reduce((a, c) => a + cpuSeconds(c.pid), 0);
    const machine0 = machineTicks();
    let shardCpu1 = 0;
    await Promise.all(
      watches.map(async (w, i) => {
        await w.line(/^uploaded/, 300_000);
        shardCpu1 += cpuSeconds(shards[i]?.pid);
      }),
    );
    const windowS = (performance.now() - tStart) / 1000;
    const engineCpu = cpuSeconds(engine.pid) - engineCpu0;
    const machine1 = machineTicks();
    const machineBusy = (machine1.busy - machine0.busy) / Math.max(1, machine1.total - machine0.total);
    for (const w of watches) if ((await w.exit()) !== 0) throw new Error(`a shard failed:\n${w.output()}`);
    const cpuNote =
      `CPU over the ${windowS.toFixed(1)} s window: engine ${((engineCpu / windowS) * 100).toFixed(0)} %, ` +
      `shards ${(((shardCpu1 - shardCpu0) / windowS) * 100).toFixed(0)} %, whole machine ${(machineBusy * 100).toFixed(0)} % busy ` +
      `of ${availableParallelism()} cores`;
    if ((await cw.exit(120_000)) !== 0) {
      const reason = cw.output().trim().split('\n').pop() ?? '';
      console.log(`  ${String(n).padStart(2)} shard(s): FAIL: the run failed (${reason})  ${cpuNote}`);
      process.exitCode = 1;
      continue;
    }
    const merged = (await readdir(out)).find((f) => f.startsWith('merged-')) as string;
    const m = (await readEnvelopeFile(join(out, merged))).envelope.metrics;
    const tok = m.throughput_tok_per_s as number;
    tput.set(n, tok);
    const one = tput.get(shardCounts[0] ?? 1) as number;
    const ratio = tok / ((n / (shardCounts[0] ?? 1)) * one);
    console.log(
      `  ${String(n).padStart(2)} shard(s): ${Math.round(tok).toLocaleString('en-US').padStart(8)} tok/s merged  ` +
        `÷ (N × 1 shard) ${ratio.toFixed(2)}  budget ≥ ${BUDGET}: ${ratio >= BUDGET ? 'PASS' : 'FAIL'}  ${cpuNote}  ${loadNote()}`,
    );
    // Shards of one run also merge with bench merge from their own copies (the check the doc shows).
    await runMerge([join(out, 'local')], {
      output: join(root, `again-${n}`),
      signingMode: 'dev',
      devKey: keyPath,
      windowTolerance: '50',
      quiet: true,
    });
  }
} finally {
  await net.destroy();
  await rm(root, { recursive: true, force: true });
}
