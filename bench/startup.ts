// npx tsx bench/startup.ts [--reps 10] [--cli dist/bench.js] [--no-build]
//
// Issue 7 start-up budgets, on the esbuild bundle (`npm run build` first; this script builds into a
// private folder itself unless --cli is given):
//  - `node <bundle> --version` wall time ≤ 150 ms, printed next to `node -e 0` measured in the same
//    run (the floor: Node's own start-up on this host) — median of --reps alternating runs;
//  - `bench run` reaches its first request ≤ 1 s: time from spawning `node <bundle> run --base-url …`
//    (an engine already running in another process, with a truth log) to the engine's receive
//    stamp of the first request (epoch ms on both sides). Includes the CLI's start-up, the plugin
//    and dataset set-up, endpoint pre-flight, telemetry start and the first send.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { flag, hasFlag, loadNote, REPO_ROOT, spawnEngine } from './engine-serve.js';

const reps = Number(flag('reps', '10'));
const VERSION_BUDGET_MS = 150;
const FIRST_REQUEST_BUDGET_MS = 1000;

let cli = flag('cli', '');
if (cli !== '') cli = resolve(cli);
const scratch = mkdtempSync(join(tmpdir(), 'ib-startup-'));
// Built inside the repository (.tmp/ is git-ignored), beside the bundle's data files, as dist/ is.
const buildDir = join(REPO_ROOT, '.tmp', 'startup-dist');
if (cli === '') {
  cli = join(buildDir, 'bench.js');
  if (!hasFlag('no-build')) {
    const t = performance.now();
    const built = spawnSync(process.execPath, ['scripts/build.mjs'], {
      cwd: REPO_ROOT,
      env: { ...process.env, BENCH_BUILD_OUT: buildDir },
      stdio: ['ignore', 'ignore', 'ignore'],
    });
    if (built.status !== 0) throw new Error('build failed');
    console.log(`built ${cli} in ${(performance.now() - t).toFixed(0)} ms`);
  }
}
if (!existsSync(cli)) throw new Error(`no bundle at ${cli}: run npm run build or pass --cli`);

const wallMs = (args: string[]): number => {
  const t = performance.now();
  const r = spawnSync(process.execPath, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr.toString()}`);
  return performance.now() - t;
};
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

// ---- --version -----------------------------------------------------------------------------------
wallMs(['-e', '0']);
wallMs([cli, '--version']); // page cache warm
const base: number[] = [];
const version: number[] = [];
for (let i = 0; i < reps; i++) {
  base.push(wallMs(['-e', '0']));
  version.push(wallMs([cli, '--version']));
}
const v = median(version);
const b = median(base);
console.log(`start-up: ${cli}; ${loadNote()}`);
console.log(
  `  bench --version       median ${v.toFixed(1)} ms (min ${Math.min(...version).toFixed(1)})   baseline node -e 0 median ${b.toFixed(1)} ms   ratio ${(v / b).toFixed(2)}×   CLI's own share ${(v - b).toFixed(1)} ms   budget ≤ ${VERSION_BUDGET_MS} ms: ${v <= VERSION_BUDGET_MS ? 'PASS' : 'FAIL'}`,
);

// ---- bench run → first request ---------------------------------------------------------------------
const truthPath = join(scratch, 'truth.jsonl');
const engine = await spawnEngine([
  '--timing',
  'fixed',
  '--ttft-ms',
  '5',
  '--itl-ms',
  '1',
  '--truth-log',
  truthPath,
]);
const firsts: number[] = [];
try {
  const keygen = spawnSync(process.execPath, [cli, 'keygen', join(scratch, 'cosign.key')], { cwd: scratch });
  if (keygen.status !== 0) throw new Error(`bench keygen failed: ${keygen.stderr.toString()}`);
  const runs = Math.max(1, Math.min(reps, 5));
  for (let i = 0; i < runs; i++) {
    const before = existsSync(truthPath) ? readFileSync(truthPath, 'utf8').length : 0;
    const spawnEpochMs = performance.timeOrigin + performance.now();
    const child = spawn(
      process.execPath,
      [
        cli,
        'run',
        '--base-url',
        engine.baseUrl,
        '--concurrency',
        '1',
        '--num-requests',
        '2',
        '--warmup',
        '0',
        '--max-tokens',
        '4',
        '--output',
        join(scratch, `results-${i}`),
        '--dev-key',
        join(scratch, 'cosign.key'),
        '--no-tui',
      ],
      { cwd: scratch, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const exited = new Promise<number | null>((r) => child.once('exit', r));
    // The truth line is written when the request ends (~10 ms here); its receive stamp is when the
    // request arrived. Stop the run once one is there.
    let text = '';
    let code: number | null = null;
    const deadline = performance.now() + 20_000;
    while (performance.now() < deadline) {
      text = existsSync(truthPath) ? readFileSync(truthPath, 'utf8').slice(before) : '';
      if (text.includes('\n') || child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill('SIGKILL');
    code = await exited;
    const first = text
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => (JSON.parse(l) as { receivedMs: number }).receivedMs)
      .sort((a, c) => a - c)[0];
    if (first === undefined) {
      console.log(`  bench run exited ${code} without sending a request:\n${stderr.slice(-2000)}`);
      continue;
    }
    firsts.push(first - spawnEpochMs);
  }
} finally {
  await engine.close();
  rmSync(scratch, { recursive: true, force: true });
}
if (firsts.length > 0) {
  const f = median(firsts);
  console.log(
    `  bench run → first request received  median ${f.toFixed(0)} ms over ${firsts.length} runs (${firsts.map((x) => x.toFixed(0)).join(', ')})   baseline node -e 0 ${b.toFixed(1)} ms   budget ≤ ${FIRST_REQUEST_BUDGET_MS} ms: ${f <= FIRST_REQUEST_BUDGET_MS ? 'PASS' : 'FAIL'}`,
  );
}
console.log(`  (${loadNote()})`);
