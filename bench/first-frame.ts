// npx tsx bench/first-frame.ts [--reps 5] [--bundle-only]
//
// Issue 18: `bench run` shows its first frame (live console, under a pseudo-terminal from
// script(1)) or its first headless progress line (a pipe) within 300 ms of start. Measures, from a
// clone, the time from spawning `node bin/bench.js run llm.inference` to the first visible output:
//  - from the TypeScript sources through tsx (BENCH_FROM_SOURCE=1: what a clone ran before bin/
//    preferred a fresh bundle),
//  - from the bundle (what bin/bench.js runs when dist/bench.js is newer than src/),
// each next to `node -e 0` measured in the same run (Node's own start-up on this host). Medians of
// --reps alternating runs. Needs `npm run build` first and script(1) for the console rows.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { flag, loadNote, REPO_ROOT } from './engine-serve.js';

const reps = Number(flag('reps', '5'));
const BUDGET_MS = 300;
const scratch = mkdtempSync(join(tmpdir(), 'ib-first-frame-'));
const bin = join(REPO_ROOT, 'bin', 'bench.js');
if (!existsSync(join(REPO_ROOT, 'dist', 'bench.js'))) throw new Error('run `npm run build` first');

const strip = (text: string): string =>
  text
    .replace(/^Script started.*\n/, '')
    // eslint-disable-next-line no-control-regex -- ANSI escape sequences
    .replace(/\x1b\[[0-9;?]*[a-zA-Z]/g, '')
    .trim();

/**
 * ms from spawn to the first visible character on stdout/stderr (or in script's log), then SIGINT;
 * resolves once the child has exited, so that its shutdown (drain, envelope, engine stop) does not
 * overlap the next measurement.
 */
function firstOutputMs(mode: 'pipe' | 'tty', fromSource: boolean): Promise<number> {
  const args = [
    bin,
    'run',
    'llm.inference',
    '--duration',
    '5',
    '--output',
    join(scratch, 'results'),
    '--dev-key',
    join(scratch, 'cosign.key'),
  ];
  const env: NodeJS.ProcessEnv = { ...process.env, BENCH_FROM_SOURCE: fromSource ? '1' : '0' };
  delete env.CI;
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let firstMs: number | null = null;
    let done = false;
    const finish = (child: ReturnType<typeof spawn>, text: string): void => {
      if (done || strip(text) === '') return;
      done = true;
      firstMs = performance.now() - t0;
      child.kill('SIGINT');
      setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
    };
    const exited = (): void => (firstMs === null ? reject(new Error('no output')) : resolve(firstMs));
    if (mode === 'pipe') {
      const child = spawn(process.execPath, args, { cwd: scratch, env, stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout.on('data', (c: Buffer) => finish(child, String(c)));
      child.stderr.on('data', (c: Buffer) => finish(child, String(c)));
      child.on('close', exited);
      return;
    }
    const log = join(scratch, `tty-${performance.now()}.log`);
    const command = [process.execPath, ...args].map((a) => `'${a}'`).join(' ');
    const child = spawn('script', ['-qfc', command, log], {
      cwd: scratch,
      env: { ...env, TERM: 'xterm-256color', COLUMNS: '120', LINES: '40' },
      stdio: 'ignore',
    });
    const poll = setInterval(() => {
      try {
        finish(child, readFileSync(log, 'utf8'));
        if (done) clearInterval(poll);
      } catch {
        // not written yet
      }
    }, 2);
    child.on('close', () => {
      clearInterval(poll);
      exited();
    });
  });
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const nodeStartMs = (): number => {
  const t = performance.now();
  spawnSync(process.execPath, ['-e', '0']);
  return performance.now() - t;
};

spawnSync(process.execPath, [bin, 'keygen', join(scratch, 'cosign.key')]);
// --bundle-only: the bundle rows alone (an installed package, or a host without tsx and the sources).
const bundleOnly = process.argv.includes('--bundle-only');
interface Case {
  readonly name: string;
  readonly mode: 'pipe' | 'tty';
  readonly fromSource: boolean;
}
const ALL_CASES: readonly Case[] = [
  { name: 'headless line, tsx sources', mode: 'pipe', fromSource: true },
  { name: 'headless line, bundle', mode: 'pipe', fromSource: false },
  { name: 'console frame, tsx sources', mode: 'tty', fromSource: true },
  { name: 'console frame, bundle', mode: 'tty', fromSource: false },
];
const cases = ALL_CASES.filter((c) => !(bundleOnly && c.fromSource));
const rows = cases.map((c) => ({ ...c, ms: [] as number[] }));
const base: number[] = [];
for (let i = 0; i < reps; i++) {
  base.push(nodeStartMs());
  for (const row of rows) row.ms.push(await firstOutputMs(row.mode, row.fromSource));
}
const b = median(base);
console.log(`bench run → first visible output; ${loadNote()}; baseline node -e 0 median ${b.toFixed(0)} ms`);
for (const row of rows) {
  const m = median(row.ms);
  console.log(
    `  ${row.name.padEnd(28)} median ${m.toFixed(0).padStart(5)} ms (min ${Math.min(...row.ms).toFixed(0)})   ` +
      `${(m / b).toFixed(1)}× node -e 0   budget ≤ ${BUDGET_MS} ms: ${m <= BUDGET_MS ? 'PASS' : 'FAIL'}`,
  );
}
rmSync(scratch, { recursive: true, force: true });
