import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { StateFileError } from '../../../src/app/live/state-file.js';
import {
  createStateWriter,
  isProcessAlive,
  parseState,
  readState,
  RUN_FILES_DIR,
  STATE_FILE_NAME,
} from '../../../src/app/live/state-file.js';
import { gpuTelemetry, harnessSnapshot, META, SWEEP_ROWS, WINDOW_SUMMARY } from '../../console/fixtures.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'bench-live-'));

describe('live state file', () => {
  it('round-trips meta, snapshots, sweep rows, finished and exit code', async () => {
    const dir = tmp();
    const writer = createStateWriter(join(dir, 'nested', 'out'), { meta: META });
    const harness = harnessSnapshot();
    const telemetry = gpuTelemetry(2);
    writer.update({ harness, telemetry, telemetrySummary: WINDOW_SUMMARY, sweepRows: SWEEP_ROWS });
    await writer.flush();
    const s = readState(join(dir, 'nested', 'out'));
    expect(s.pid).toBe(process.pid);
    // The endpoint's host:port is not stored in the file (it outlives the run and may be shared).
    expect(s.meta).toEqual({ ...META, endpointHost: 'endpoint (address not stored)' });
    expect(JSON.stringify(s)).not.toContain('gpu-box');
    expect(s.harness).toEqual(harness);
    expect(s.telemetry).toEqual(telemetry);
    expect(s.telemetrySummary).toEqual(WINDOW_SUMMARY);
    expect(s.sweepRows).toEqual(SWEEP_ROWS);
    expect(s.finished).toBe(false);
    expect(Date.parse(s.startedAt)).toBeLessThanOrEqual(Date.parse(s.updatedAt));
    await writer.finish(3);
    const f = readState(join(dir, 'nested', 'out'));
    expect(f.finished).toBe(true);
    expect(f.exitCode).toBe(3);
    writer.update({ harness: harnessSnapshot({ seq: 1 }) }); // ignored after finish
    await sleep(20);
    expect(readState(join(dir, 'nested', 'out')).harness?.seq).toBe(harness.seq);
    // Only the state file remains: the tmp file was renamed over it.
    expect(readdirSync(join(dir, 'nested', 'out', RUN_FILES_DIR))).toEqual([STATE_FILE_NAME]);
  });

  it('exists from creation so watch can attach before the first snapshot', async () => {
    const dir = tmp();
    const writer = createStateWriter(dir, { meta: META });
    await writer.flush();
    const s = readState(dir);
    expect(s.harness).toBeNull();
    expect(s.sweepRows).toEqual([]);
    writer.finishSync(0);
    expect(readState(dir).finished).toBe(true);
  });

  it('coalesces updates: at most one write per interval, the latest values win', async () => {
    const dir = tmp();
    const writer = createStateWriter(dir, { meta: META, minIntervalMs: 200 });
    await writer.flush();
    const seen = new Set<number>();
    for (let i = 1; i <= 300; i += 1) {
      writer.update({ harness: harnessSnapshot({ seq: i }) });
      if (i % 50 === 0) await sleep(10);
      const seq = readState(dir).harness?.seq;
      if (seq !== undefined) seen.add(seq);
    }
    await sleep(450);
    expect(readState(dir).harness?.seq).toBe(300);
    // 300 updates over a few tens of ms: nowhere near one write each.
    expect(seen.size).toBeLessThanOrEqual(3);
    await writer.finish(0);
  });

  it('never shows a torn file to a concurrent reader in another process', async () => {
    const dir = tmp();
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, 'state-writer-child.ts'), dir, '20', '15', '0'],
      { stdio: 'ignore' },
    );
    const exited = new Promise<number | null>((r) => child.on('exit', r));
    let reads = 0;
    let finished = false;
    while (!finished) {
      try {
        const s = readState(dir);
        reads += 1;
        finished = s.finished;
      } catch (error) {
        // Before the child created the file: E_NO_STATE is fine; a parse error is not.
        expect((error as StateFileError).code).toBe('E_NO_STATE');
      }
      await sleep(2);
    }
    expect(await exited).toBe(0);
    expect(reads).toBeGreaterThan(10);
    expect(readState(dir).sweepRows).toHaveLength(2);
  });

  it('errors: E_NO_STATE (exit 2) for a dir without state, E_STATE_INVALID for junk', () => {
    const dir = tmp();
    expect(() => readState(dir)).toThrowError(expect.objectContaining({ code: 'E_NO_STATE', exitCode: 2 }));
    expect(() => readState(join(dir, 'missing'))).toThrowError(/no live state in .*missing/);
    mkdirSync(join(dir, RUN_FILES_DIR));
    writeFileSync(join(dir, RUN_FILES_DIR, STATE_FILE_NAME), '{"version":1,');
    expect(() => readState(dir)).toThrowError(expect.objectContaining({ code: 'E_STATE_INVALID' }));
    expect(() => parseState('{"version":2,"pid":1,"meta":{},"finished":false,"sweepRows":[]}')).toThrowError(
      /not a bench live state file/,
    );
    expect(readFileSync(join(dir, RUN_FILES_DIR, STATE_FILE_NAME), 'utf8')).toBe('{"version":1,');
  });

  it('isProcessAlive', async () => {
    expect(isProcessAlive(process.pid)).toBe(true);
    const child = spawn(process.execPath, ['-e', '0']);
    const pid = child.pid!;
    await new Promise((r) => child.on('exit', r));
    await sleep(20);
    expect(isProcessAlive(pid)).toBe(false);
  });
});
