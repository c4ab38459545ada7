import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { mountConsole } from '../../src/app/console/index.js';
import {
  GATE_WAITING,
  gpuTelemetry,
  harnessSnapshot,
  META,
  SWEEP_ROWS,
  WARMUP_SNAPSHOT,
  WINDOW_SUMMARY,
} from './fixtures.js';
import { FakeStdin, VirtualTerminal } from './virtual-terminal.js';

function setup(columns = 80, rows = 24) {
  const vt = new VirtualTerminal(columns, rows);
  const stdin = new FakeStdin();
  const calls: string[] = [];
  const handle = mountConsole({
    meta: META,
    stdout: vt as unknown as NodeJS.WriteStream,
    stdin: stdin as unknown as NodeJS.ReadStream,
    maxFps: 15,
    noColor: true,
    onStopRequest: () => calls.push('stop'),
    onForceExit: () => calls.push('force'),
  });
  return { vt, stdin, calls, handle };
}

/** Waits until the screen satisfies `ok` (renders are throttled to 15 fps). */
async function until(
  vt: VirtualTerminal,
  ok: (screen: string) => boolean,
  timeoutMs = 3000,
): Promise<string> {
  const start = Date.now();
  for (;;) {
    const screen = vt.screen().join('\n');
    if (ok(screen)) return screen;
    if (Date.now() - start > timeoutMs) throw new Error(`screen never matched:\n${screen}`);
    await sleep(20);
  }
}

describe('mountConsole on a fake TTY', () => {
  it('follows a sequence of snapshots and leaves the final frame on the terminal', async () => {
    const { vt, handle } = setup();
    await until(vt, (s) => s.includes('starting'));
    handle.update({ harness: WARMUP_SNAPSHOT });
    await until(vt, (s) => s.includes('warm-up · 0:00 · point'));
    handle.update({ harness: harnessSnapshot({ phase: 'gate', elapsedS: 20, gate: GATE_WAITING }) });
    await until(vt, (s) => s.includes('Gate ◌ waiting'));
    for (let i = 0; i < 40; i += 1) {
      handle.update({
        harness: harnessSnapshot({ seq: 300 + i, elapsedS: 30 + i, windowElapsedS: 20 + i }),
        telemetry: gpuTelemetry(1),
      });
    }
    handle.finishPoint(SWEEP_ROWS[0]!);
    handle.finishPoint(SWEEP_ROWS[1]!);
    handle.update({ telemetrySummary: WINDOW_SUMMARY, sweepRows: SWEEP_ROWS.slice(0, 2), finished: true });
    await handle.unmount();
    const all = vt.allLines();
    const screen = vt.screen();
    // Static sweep lines printed once each above the live area.
    expect(all.filter((l) => l.startsWith('point ')).length).toBe(1);
    expect(all.filter((l) => l.startsWith('c1 ')).length).toBe(1);
    expect(all.filter((l) => l.startsWith('c4 ')).length).toBe(1);
    // The final frame: done, the last snapshot, the final sweep table, no garbage.
    const text = screen.join('\n');
    expect(text).toContain('done · 0:59 / 2:00 · point c16 (2/4)');
    expect(text).toContain('Sweep  2 points · run finished');
    expect(text).toMatch(/│ c4 +│ +372 │/);
    expect(text).toContain('snapshot 339');
    const liveStart = screen.findIndex((l) => l.startsWith('inferencebench'));
    expect(screen.length - liveStart).toBeLessThanOrEqual(23);
    for (const line of screen) expect([...line].length).toBeLessThanOrEqual(80);
  });

  it('publishes at most once per frame however often update() is called', async () => {
    const { vt, handle } = setup();
    await until(vt, (s) => s.includes('starting'));
    const writesBefore = vt.writes;
    for (let i = 0; i < 5000; i += 1) handle.update({ harness: harnessSnapshot({ seq: i }) });
    await until(vt, (s) => s.includes('snapshot 4999'));
    expect(vt.writes - writesBefore).toBeLessThanOrEqual(3);
    await handle.unmount();
  });

  it('keys: ? toggles help, q stops once, Ctrl-C after that forces exit', async () => {
    const { vt, stdin, calls, handle } = setup();
    handle.update({ harness: harnessSnapshot() });
    await until(vt, (s) => s.includes('measuring'));
    stdin.press('?');
    await until(vt, (s) => s.includes('Keys  ? to close'));
    stdin.press('?');
    await until(vt, (s) => !s.includes('Keys  ? to close'));
    stdin.press('q');
    await until(vt, (s) => s.includes('stopping…'));
    stdin.press('q');
    expect(calls).toEqual(['stop']);
    stdin.press('\u0003');
    await untilCalls(() => calls.length === 2);
    expect(calls).toEqual(['stop', 'force']);
    await handle.unmount();
  });

  it('reflows on resize and never exceeds the new height', async () => {
    const { vt, handle } = setup(160, 50);
    handle.update({
      harness: harnessSnapshot(),
      telemetry: gpuTelemetry(2),
      telemetrySummary: WINDOW_SUMMARY,
    });
    await until(vt, (s) => s.includes('Profiling') && s.includes('GPU  nvml'));
    vt.resize(80, 16);
    handle.update({ harness: harnessSnapshot({ seq: 999 }) });
    const screen = await until(vt, (s) => s.includes('hidden:'));
    const lines = screen.split('\n');
    const top = lines.findIndex((l) => l.startsWith('inferencebench'));
    expect(lines.length - top).toBeLessThanOrEqual(15);
    for (const line of lines.slice(top)) expect([...line].length).toBeLessThanOrEqual(80);
    await handle.unmount();
  });
});

async function untilCalls(ok: () => boolean): Promise<void> {
  for (let i = 0; i < 150 && !ok(); i += 1) await sleep(20);
}

describe('Ink incrementalRendering (kept off in mountConsole)', () => {
  async function screenAfterRerenders(incrementalRendering: boolean): Promise<string[]> {
    const { render, Text } = await import('ink');
    const vt = new VirtualTerminal(40, 10);
    const frame = (n: number) => <Text>{`line A ${n}\nline B\nline C ${n}`}</Text>;
    const instance = render(frame(0), {
      stdout: vt as unknown as NodeJS.WriteStream,
      stdin: new FakeStdin() as unknown as NodeJS.ReadStream,
      patchConsole: false,
      incrementalRendering,
      maxFps: 1000,
    });
    for (let n = 1; n <= 3; n += 1) {
      await sleep(20);
      instance.rerender(frame(n));
    }
    await sleep(20);
    const screen = vt.screen();
    instance.unmount();
    return screen;
  }

  it('whole-frame redraw is exact; incremental still misplaces lines (re-enable it when this fails)', async () => {
    const expected = ['line A 3', 'line B', 'line C 3'];
    expect(await screenAfterRerenders(false)).toEqual(expected);
    expect(await screenAfterRerenders(true)).not.toEqual(expected);
  });
});
