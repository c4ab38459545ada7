// npm run bench:fuzz [-- --runs 20000]
// 1. The property tests of npm test (SSE parser, envelope reader) with many more runs.
// 2. SSE long-line scaling: one event of N MB fed in 64 KiB reads. Linear parsing means the cost
//    per MB stays flat as N doubles (ratio ≈ 1); the quadratic parser it replaced gave ≈ 2 per
//    doubling (0.6 s for 10 MB, 2.2 s for 20 MB). Baseline in the same run: 1 MB.
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { SseParser } from '../src/harness/client/sse.js';

const args = process.argv.slice(2);
const runsAt = args.indexOf('--runs');
const runs = runsAt >= 0 ? Number(args[runsAt + 1]) : 20_000;

process.stdout.write(`property tests with FUZZ_RUNS=${runs}\n`);
const vitest = spawnSync(
  'npx',
  ['vitest', 'run', 'test/unit/harness/sse.test.ts', 'test/unit/envelope/reader-fuzz.test.ts'],
  { stdio: 'inherit', env: { ...process.env, FUZZ_RUNS: String(runs) } },
);
if (vitest.status !== 0) process.exit(vitest.status ?? 1);

function longLineMs(megabytes: number): number {
  let events = 0;
  const parser = new SseParser(
    {
      onEvent: () => void events++,
      onTooLarge: () => {
        throw new Error('cap hit');
      },
    },
    256 * 1024 * 1024,
  );
  const piece = 'x'.repeat(64 * 1024);
  const reads = Math.round((megabytes * 1024 * 1024) / piece.length);
  const c0 = process.cpuUsage();
  parser.feed('data: ', 0);
  for (let i = 0; i < reads; i++) parser.feed(piece, i);
  parser.feed('\n\n', reads);
  const cpu = process.cpuUsage(c0);
  if (events !== 1) throw new Error('lost the event');
  return (cpu.user + cpu.system) / 1000;
}

process.stdout.write('\nSSE: one long event fed in 64 KiB reads (CPU ms, best of 3)\n');
const best = (mb: number): number => Math.min(longLineMs(mb), longLineMs(mb), longLineMs(mb));
const t0 = performance.now();
const base = best(1);
for (const mb of [1, 4, 16, 64]) {
  const ms = best(mb);
  process.stdout.write(
    `  ${String(mb).padStart(3)} MB  ${ms.toFixed(1).padStart(8)} ms  ${(ms / mb).toFixed(2).padStart(6)} ms/MB  ratio to 1 MB per MB ${(ms / mb / Math.max(base, 0.01)).toFixed(2)}\n`,
  );
}
process.stdout.write(`  (total ${((performance.now() - t0) / 1000).toFixed(1)} s)\n`);
