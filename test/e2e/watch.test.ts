// `bench watch` against a run in another process: a child plays a short sweep into a live state
// file (the real writer, createStateWriter), and the real CLI follows it.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../src/app/cli.js';
import { readState } from '../../src/app/live/state-file.js';
import { watchRun } from '../../src/app/live/watch-session.js';
import { VirtualTerminal } from '../console/virtual-terminal.js';

const ROOT = resolve(import.meta.dirname, '../..');
const WRITER = join(ROOT, 'test/integration/console/state-writer-child.ts');
const MAIN = join(ROOT, 'src/app/main.ts');

/** Starts the writer; it creates the state file, then plays `steps` once `go()` is called. */
function startWriter(dir: string, steps: number, stepMs: number, end: string) {
  const goFile = join(dir, 'go');
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', WRITER, dir, String(steps), String(stepMs), end, goFile],
    { cwd: ROOT, stdio: 'ignore' },
  );
  const exited = new Promise<number | null>((r) => child.on('exit', r));
  return { exited, go: () => writeFileSync(goFile, '') };
}

async function waitFor(ok: () => boolean, timeoutMs = 20_000): Promise<void> {
  const start = Date.now();
  while (!ok()) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out');
    await sleep(20);
  }
}

const stateExists = (dir: string) => () => existsSync(join(dir, '.bench', 'live.json'));
const tmp = () => mkdtempSync(join(tmpdir(), 'bench-watch-'));
/** A terminal that is not CI: CI is removed, not emptied (Ink and bench count an empty CI as CI). */
const ptyEnv = (): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', TERM: 'xterm-256color' };
  delete env.CI;
  return env;
};

/** Runs the CLI in this process (stdout is not a TTY under vitest: headless), capturing output. */
async function runInProcess(args: string[]) {
  let stdout = '';
  let stderr = '';
  const out = vi
    .spyOn(process.stdout, 'write')
    .mockImplementation((chunk) => ((stdout += String(chunk)), true));
  const err = vi
    .spyOn(process.stderr, 'write')
    .mockImplementation((chunk) => ((stderr += String(chunk)), true));
  try {
    const code = await runCli(args);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

afterEach(() => {
  process.exitCode = undefined;
});

describe('bench watch, headless (stdout is a pipe)', () => {
  it('the real CLI follows a live run: progress on stderr, final table on stdout, the run exit code', async () => {
    const dir = tmp();
    const writer = startWriter(dir, 8, 250, '3');
    await waitFor(stateExists(dir));
    const cli = spawn(process.execPath, ['--import', 'tsx', MAIN, 'watch', dir, '--interval-ms', '100'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    cli.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    cli.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = new Promise<number | null>((r) => cli.on('exit', r));
    await waitFor(() => stderr.includes('watching'));
    writer.go();
    expect(await writer.exited).toBe(0);
    expect(await code).toBe(3);
    const err = stderr.split('\n');
    expect(err[0]).toMatch(
      /^watching .*: chat-short · sim-8b · sim @ embedded engine \(SIMULATED\) · pid \d+$/,
    );
    expect(err.filter((l) => /^\[c1 1\/2\] measuring/.test(l)).length).toBeGreaterThanOrEqual(1);
    expect(err.filter((l) => /^\[c4 2\/2\] measuring/.test(l)).length).toBeGreaterThanOrEqual(1);
    expect(err.filter((l) => l.startsWith('point '))).toHaveLength(1);
    expect(err).toContain('run finished (exit code 3)');
    const out = stdout.trimEnd().split('\n');
    expect(out).toHaveLength(6);
    expect(out[1]).toMatch(/^│ point │/);
    expect(out[3]).toMatch(
      /^│ c1 +│ +96\.2 │ +21\.4ms │ +10\.1ms │ +100\.0% │ +3\.05J\/tok │ c1-3f9a1c2b7d4e\.json │$/,
    );
    expect(out[4]).toMatch(/^│ c4 +│ +372 │/);
  });

  it('works after the run ended, and reports a run that died without finishing', async () => {
    const died = tmp();
    const dying = startWriter(died, 2, 20, 'die');
    const done = tmp();
    const finishing = startWriter(done, 2, 20, '0');
    await waitFor(() => stateExists(died)() && stateExists(done)());
    dying.go();
    finishing.go();
    expect(await dying.exited).toBe(0);
    expect(await finishing.exited).toBe(0);

    const gone = await runInProcess(['watch', died, '--no-tui']);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/run process \d+ ended without finishing \(see bench\.log/);

    const after = await runInProcess(['watch', done]);
    expect(after.code).toBe(0);
    expect(after.stdout).toMatch(/│ c4 +│ +372 │/);
  });

  it('exits 2 with one clear line when the dir has no state file', async () => {
    const dir = tmp();
    const result = await runInProcess(['watch', dir]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `bench: no live state in ${dir} (expected .bench/live.json; is this a bench output directory?)\n`,
    );
    expect(result.stdout).toBe('');
  });
});

describe('bench watch, console', () => {
  it('renders the console read-only from another process, then the final sweep table', async () => {
    const dir = tmp();
    const writer = startWriter(dir, 8, 150, '0');
    await waitFor(stateExists(dir));
    const vt = new VirtualTerminal(100, 30);
    const watching = watchRun(dir, {
      tui: true,
      intervalMs: 100,
      stdout: vt as unknown as NodeJS.WriteStream,
      noColor: true,
    });
    writer.go();
    let sawLive = false;
    const poll = setInterval(() => {
      if (vt.screen().some((l) => /^measuring · .* point c1 \(1\/2\)/.test(l))) sawLive = true;
    }, 20);
    const code = await watching;
    clearInterval(poll);
    expect(await writer.exited).toBe(0);
    expect(code).toBe(0);
    expect(sawLive).toBe(true);
    const screen = vt.screen().join('\n');
    expect(screen).toMatch(/^inferencebench SIMULATED\s+WATCH\s+▸ chat-short · sim-8b/m);
    expect(screen).toContain('Sweep  2 points · run finished');
    expect(screen).toMatch(/│ c4 +│ +372 │/);
    // Finished points were printed once each as static lines above the live area.
    const all = vt.allLines();
    expect(all.filter((l) => /^c1 +96\.2/.test(l))).toHaveLength(1);
    expect(all.filter((l) => /^c4 +372/.test(l))).toHaveLength(1);
  });

  const hasScript = spawnSync('script', ['--version']).status === 0;
  it.skipIf(!hasScript)(
    'the real CLI on a pseudo-terminal (script(1)) draws the console and exits',
    async () => {
      const dir = tmp();
      const writer = startWriter(dir, 2, 20, '0');
      await waitFor(stateExists(dir));
      writer.go();
      expect(await writer.exited).toBe(0);
      const cmd = `stty cols 90 rows 28; ${process.execPath} --import tsx ${MAIN} watch ${dir}`;
      const result = await new Promise<{ code: number | null; raw: string }>((done) => {
        const child = spawn('script', ['-qefc', cmd, '/dev/null'], {
          cwd: ROOT,
          env: ptyEnv(),
          stdio: ['pipe', 'pipe', 'pipe'],
        });
        let raw = '';
        child.stdout.on('data', (d: Buffer) => (raw += d.toString()));
        child.on('exit', (code) => done({ code, raw }));
      });
      expect(result.code).toBe(0);
      const vt = new VirtualTerminal(90, 28);
      vt.write(result.raw.replace(/\r\n/g, '\n'));
      const screen = vt.screen();
      expect(screen.join('\n')).toContain('Sweep  2 points · run finished');
      expect(screen.find((l) => l.startsWith('inferencebench'))).toMatch(/SIMULATED\s+WATCH/);
      for (const line of screen) expect([...line].length).toBeLessThanOrEqual(90);
      // eslint-disable-next-line no-control-regex -- NO_COLOR: no SGR colour escapes at all
      expect(/\u001B\[(3[0-7]|9[0-7]|38;)/.test(result.raw)).toBe(false);
    },
  );
});

describe.skipIf(spawnSync('script', ['--version']).status !== 0)('bench run with the live console', () => {
  it('a whole short sweep on a pseudo-terminal: live frames, final frame, envelopes, then bench watch', async () => {
    const dir = tmp();
    const out = join(dir, 'out');
    const key = join(dir, 'key.pem');
    expect(await runInProcess(['keygen', key])).toMatchObject({ code: 0 });
    const args = [
      'run',
      '--sweep',
      '1,2',
      '--duration',
      '2',
      '--no-gate',
      '--warmup',
      '1',
      '--max-tokens',
      '16',
      '--output',
      out,
      '--dev-key',
      key,
    ];
    const cmd = `stty cols 110 rows 36; ${process.execPath} --import tsx ${MAIN} ${args.join(' ')}`;
    const result = await new Promise<{ code: number | null; raw: string }>((done) => {
      const child = spawn('script', ['-qefc', cmd, '/dev/null'], {
        cwd: ROOT,
        env: ptyEnv(),
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let raw = '';
      child.stdout.on('data', (d: Buffer) => (raw += d.toString()));
      child.on('exit', (code) => done({ code, raw }));
    });
    expect(result.code).toBe(0);
    const vt = new VirtualTerminal(110, 36);
    vt.write(result.raw.replace(/\r\n/g, '\n'));
    const all = vt.allLines();
    // Finished points were printed once each above the live area, with their envelope names.
    const envelopes = readdirSync(out)
      .filter((f) => /^c[12]-[0-9a-f]{12}\.json$/.test(f))
      .sort();
    expect(envelopes).toHaveLength(2);
    for (const name of envelopes) {
      expect(all.filter((l) => l.startsWith(name.slice(0, 2).padEnd(8)) && l.endsWith(name))).toHaveLength(1);
    }
    // The last live frame: header with the SIMULATED badge, the last point, real histograms.
    const frameTop = all
      .map((l, i) => (l.startsWith('inferencebench') ? i : -1))
      .filter((i) => i >= 0)
      .at(-1)!;
    const frame = all.slice(frameTop);
    expect(frame[0]).toMatch(/^inferencebench SIMULATED\s+▸ llm\.inference/);
    expect(frame[1]).toMatch(/ · point c2 \(2\/2\)/);
    expect(frame.some((l) => /^TTFT {2}n \d+ · p50 [\d.]+ms/.test(l))).toBe(true);
    expect(frame.some((l) => l.includes('◂p50'))).toBe(true);
    for (const line of frame) expect([...line].length).toBeLessThanOrEqual(110);
    // The run left a finished state file; bench watch shows its final table.
    expect(readState(out).finished).toBe(true);
    const watched = await runInProcess(['watch', out]);
    expect(watched.code).toBe(0);
    for (const name of envelopes) expect(watched.stdout).toContain(name);
  });
});
