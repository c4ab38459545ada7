// `bench run` on a terminal mounts its live console before set-up (src/app/run/early-console.ts), so
// a first frame shows at once. The bundle on a pseudo-terminal (script(1)): a run that gets through
// set-up keeps one console from the first frame to the last, with set-up warnings above it; one
// whose set-up fails erases the frame, leaving the error line alone, as without a console.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliPath, runBench } from '../helpers/cli.js';
import { VirtualTerminal } from '../console/virtual-terminal.js';

const COLUMNS = 100;
const ROWS = 30;
let dir: string;
let key: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ib-early-console-'));
  key = join(dir, 'cosign.key');
  expect((await runBench(['keygen', key])).code).toBe(0);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the bundled CLI on a pseudo-terminal; returns its exit code and the terminal it leaves. */
function onTerminal(
  args: readonly string[],
): Promise<{ code: number | null; raw: string; vt: VirtualTerminal }> {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', TERM: 'xterm-256color' };
  delete env.CI; // removed, not emptied: an empty CI counts as CI
  const quoted = [process.execPath, cliPath(), ...args].map((a) => `'${a}'`).join(' ');
  const cmd = `stty cols ${COLUMNS} rows ${ROWS}; ${quoted}`;
  return new Promise((done) => {
    const child = spawn('script', ['-qefc', cmd, '/dev/null'], {
      cwd: dir,
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let raw = '';
    child.stdout.on('data', (d: Buffer) => (raw += d.toString()));
    child.on('exit', (code) => {
      const vt = new VirtualTerminal(COLUMNS, ROWS);
      vt.write(raw.replace(/\r\n/g, '\n'));
      done({ code, raw, vt });
    });
  });
}

describe.skipIf(spawnSync('script', ['--version']).status !== 0)(
  'bench run: the console before set-up',
  () => {
    it('one console from the first frame to the result: header with the resolved suite, an envelope', async () => {
      const out = join(dir, 'ok');
      const args = [
        'run',
        '--duration',
        '1',
        '--no-gate',
        '--max-tokens',
        '8',
        '--output',
        out,
        '--dev-key',
        key,
      ];
      const { code, vt } = await onTerminal(args);
      expect(code).toBe(0);
      const all = vt.allLines();
      const headers = all.filter((l) => l.startsWith('inferencebench'));
      expect(headers.length).toBeGreaterThan(0);
      // The last frame names the benchmark set-up resolved, not just the plugin typed.
      expect(headers.at(-1)).toMatch(/▸ llm\.inference\.chatbot-short/);
      expect(readdirSync(out).filter((f) => f.endsWith('.json'))).toHaveLength(1);
    }, 120_000);

    it('a set-up warning written while the console is up stays on the terminal, above the frame', async () => {
      const out = join(dir, 'warned');
      // llm.inference.synthetic without --tokenizer warns during set-up (plugin validation).
      const args = [
        'run',
        'llm.inference.synthetic',
        '--duration',
        '1',
        '--no-gate',
        '--output',
        out,
        '--dev-key',
        key,
      ];
      const { code, vt } = await onTerminal(args);
      expect(code).toBe(0);
      const all = vt.allLines();
      const warning = all.findIndex((l) =>
        l.startsWith('bench: warning: llm.inference.synthetic: no --tokenizer given'),
      );
      expect(warning).toBeGreaterThanOrEqual(0);
      const lastHeader = all
        .map((l, i) => (l.startsWith('inferencebench') ? i : -1))
        .filter((i) => i >= 0)
        .at(-1);
      expect(lastHeader).toBeGreaterThan(warning);
    }, 120_000);

    it('a set-up failure after the first frame: the frame is erased, one error line, exit 2', async () => {
      const { code, raw, vt } = await onTerminal([
        'run',
        '--duration',
        '1',
        '--output',
        '/proc/self/x',
        '--dev-key',
        key,
      ]);
      expect(code).toBe(2);
      expect(raw).toContain('starting: plugins, signing key, output directory'); // the first frame was drawn
      const screen = vt
        .screen()
        .map((l) => l.trimEnd())
        .filter((l) => l !== '');
      // The error line (wrapped at the terminal's width) and nothing of the console around it.
      expect(screen.join('')).toMatch(/^bench: refusing output directory \/proc\/self\/x: .*not a disk$/);
      expect(screen.length).toBeLessThanOrEqual(2);
    }, 120_000);
  },
);
