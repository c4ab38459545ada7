import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { detachedArgv, spawnDetached } from '../../../src/app/live/detach.js';
import { isProcessAlive } from '../../../src/app/live/state-file.js';

describe('detachedArgv', () => {
  it.each([
    [
      ['run', '--detach', '--out', 'x'],
      ['run', '--out', 'x', '--no-tui'],
    ],
    [
      ['run', '--no-tui', '--detach'],
      ['run', '--no-tui'],
    ],
    [
      ['run', '--detach=true'],
      ['run', '--no-tui'],
    ],
  ])('%j → %j', (input, expected) => {
    expect(detachedArgv(input)).toEqual(expected);
  });
});

/** Session id and process group of a live pid, from /proc (Linux). */
function sessionOf(pid: number): { pgrp: number; session: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { pgrp: Number(fields[2]), session: Number(fields[3]) };
}

describe('spawnDetached', () => {
  it('re-runs the entry in a new session with --detach removed and --no-tui added, logging to bench.log', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-detach-'));
    const entry = join(dir, 'fake-cli.mjs');
    writeFileSync(
      entry,
      `console.log(JSON.stringify({argv: process.argv.slice(2), detached: process.env.BENCH_DETACHED}));
       console.error('to stderr');
       setTimeout(() => console.log('done'), 400);`,
    );
    const out = join(dir, 'out');
    const run = spawnDetached(['run', '--detach', '--concurrency', '4'], out, { entry, execArgv: [] });
    expect(run.pid).toBeGreaterThan(0);
    expect(run.pid).not.toBe(process.pid);
    expect(run.logFile).toBe(join(out, 'bench.log'));
    expect(isProcessAlive(run.pid)).toBe(true);
    const { pgrp, session } = sessionOf(run.pid);
    expect(session).toBe(run.pid); // setsid: its own session, so closing our terminal does not hang it up
    expect(pgrp).toBe(run.pid);
    expect(session).not.toBe(sessionOf(process.pid).session);
    for (let i = 0; i < 100 && !readFileSync(run.logFile, 'utf8').includes('done'); i += 1) await sleep(20);
    const log = readFileSync(run.logFile, 'utf8').split('\n');
    expect(JSON.parse(log[0]!)).toEqual({ argv: ['run', '--concurrency', '4', '--no-tui'], detached: '1' });
    expect(log).toContain('to stderr');
    expect(log).toContain('done');
  });

  it('uses the running CLI by default (execPath, execArgv, argv[1])', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-detach-'));
    // Point at a script that exits at once; only the composed command line is checked.
    const entry = join(dir, 'noop.mjs');
    writeFileSync(entry, '');
    const run = spawnDetached(['run'], dir, { entry });
    expect(run.args.slice(0, process.execArgv.length)).toEqual(process.execArgv);
    expect(run.args.slice(process.execArgv.length)).toEqual([entry, 'run', '--no-tui']);
  });
});
