// The commands as commander sees them (flags, choices, repeatable options, exit codes), in-process
// through runCli so no CLI start-up is paid per case.
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../../src/app/cli.js';
import { fixturePath, tempDir } from './helpers.js';

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  process.exitCode = undefined;
  try {
    const code = await runCli(args);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
    process.exitCode = undefined;
  }
}

afterEach(() => {
  process.exitCode = undefined;
});

const c1 = fixturePath('c1-79d354b13545.json');
const c4 = fixturePath('c4-95cbfd4f49dc.json');

describe('command wiring', () => {
  it('export: --format choice and repeatable --metric; --out writes a file', async () => {
    const r = await cli(['export', c4, '--format', 'csv', '--metric', 'ttft_p99_ms', '--metric', 'ok_rate']);
    expect(r.code).toBe(0);
    expect(r.stdout.trimEnd().split('\n').slice(-3)).toEqual([
      'metric,value',
      'ok_rate,1.0',
      'ttft_p99_ms,48.39602540247142',
    ]);
    expect((await cli(['export', c4, '--format', 'pdf'])).code).toBe(2);
    const dir = await tempDir();
    const out = join(dir, 'a', 'x.md');
    const w = await cli(['export', c4, '--out', out]);
    expect(w.code).toBe(0);
    expect(w.stdout).toBe('');
    expect(w.stderr).toBe(`wrote ${out}\n`);
  });

  it('compare: --report choices; diff: --tolerance parsing and --report json', async () => {
    expect((await cli(['compare', c1, c4, '--report', 'pareto'])).stdout).toMatch(/^throughput_vs_latency /m);
    expect((await cli(['compare', c1, c4, '--report', 'svg'])).code).toBe(2);
    expect((await cli(['compare', c1])).code).toBe(2);
    expect((await cli(['diff', c1, c4, '--tolerance', 'x'])).code).toBe(2);
    const json = await cli(['diff', c1, c4, '--tolerance', '0.5', '--report', 'json']);
    expect((JSON.parse(json.stdout) as { tolerance: number }).tolerance).toBe(0.5);
    expect((await cli(['diff', c1])).code).toBe(2);
  });

  it('summary --csv / --json; doctor --concurrency validation', async () => {
    expect((await cli(['summary', c1, c4, '--csv'])).stdout.split('\n')[0]).toMatch(/^suite_id,/);
    // InferenceBench's keys first, ours after
    expect(Object.keys(JSON.parse((await cli(['summary', c1, '--json'])).stdout) as object)).toEqual([
      'suites',
      'skipped',
      'loaded',
      'notes',
    ]);
    expect((await cli(['summary', '/no/such/dir'])).code).toBe(2);
    expect((await cli(['doctor', '--concurrency', '0'])).code).toBe(2);
  });
});
