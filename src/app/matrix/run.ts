// Runs a matrix: one `bench run … --sweep <points>` per target in a child process (the same CLI,
// so every run flag and guard applies), then files each envelope as
// `<target>-c<point>-<hash12>.json` under --output. A failed target stops the matrix unless
// --continue-on-error.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { matrixEnvelopeName, type MatrixConfig, type MatrixTarget } from './config.js';

export interface MatrixRunOptions {
  readonly outputDir: string;
  readonly continueOnError: boolean;
  /** Passed through to every `bench run`. */
  readonly passThrough: readonly string[];
  /** Where progress lines go (child stderr, prefixed with the target). */
  readonly log: (line: string) => void;
  /** Seam: runs the CLI with these args; default spawns this process's own entry point. */
  readonly runCli?: (args: readonly string[], onStderrLine: (line: string) => void) => Promise<number | null>;
}

export interface MatrixResultRow {
  readonly target: string;
  readonly point: number | null;
  readonly trial: number | null;
  readonly throughputTokPerS: number | null;
  readonly ttftP50Ms: number | null;
  readonly tpotP50Ms: number | null;
  readonly okRate: number | null;
  readonly envelope: string | null;
  readonly status: 'ok' | 'low_ok_rate' | 'failed' | 'skipped';
  readonly detail?: string;
}

/** The `bench run` arguments for one target. */
export function runArgsFor(
  config: MatrixConfig,
  target: MatrixTarget,
  outDir: string,
  passThrough: readonly string[],
): string[] {
  return [
    'run',
    config.suite_id,
    '--model',
    target.model,
    '--engine',
    target.engine,
    '--quant',
    target.quant,
    ...(target.base_url !== undefined ? ['--base-url', target.base_url] : []),
    '--sweep',
    config.sweep.join(','),
    '--duration',
    String(config.duration_s),
    '--trials',
    String(config.trials),
    '--output',
    outDir,
    '--no-tui',
    ...passThrough,
  ];
}

function spawnSelf(args: readonly string[], onStderrLine: (line: string) => void): Promise<number | null> {
  return new Promise((resolve) => {
    const entry = process.argv[1];
    if (entry === undefined) {
      resolve(null);
      return;
    }
    const child = spawn(process.execPath, [...process.execArgv, entry, ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, CI: '1' },
    });
    let carry = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (carry + chunk).split('\n');
      carry = lines.pop() ?? '';
      for (const line of lines) if (line.trim() !== '') onStderrLine(line);
    });
    child.on('error', () => resolve(null));
    child.on('close', (code) => {
      if (carry.trim() !== '') onStderrLine(carry);
      resolve(code);
    });
  });
}

function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

const OK_RATE_FLOOR = 0.95;

/** Files the envelopes a target's run wrote; one row per envelope. */
async function collect(target: string, tmp: string, outputDir: string): Promise<MatrixResultRow[]> {
  const rows: MatrixResultRow[] = [];
  for (const name of (await readdir(tmp)).filter((n) => n.endsWith('.json') && !n.startsWith('.')).sort()) {
    const hash = /([0-9a-f]{12})\.json$/.exec(name)?.[1];
    let envelope: Record<string, unknown>;
    try {
      envelope = JSON.parse(await readFile(join(tmp, name), 'utf8')) as Record<string, unknown>;
    } catch {
      continue;
    }
    const driver = envelope.driver_options as Record<string, unknown> | undefined;
    const metrics = (envelope.metrics ?? {}) as Record<string, unknown>;
    const trials = (envelope.run_context as { trials?: { index?: unknown } } | undefined)?.trials;
    const point = num(driver?.concurrency);
    if (hash === undefined || point === null) continue;
    const fileName = matrixEnvelopeName(target, point, hash);
    await rename(join(tmp, name), join(outputDir, fileName));
    const okRate = num(metrics.ok_rate);
    rows.push({
      target,
      point,
      trial: num(trials?.index),
      throughputTokPerS: num(metrics.throughput_tok_per_s),
      ttftP50Ms: num(metrics.ttft_p50_ms),
      tpotP50Ms: num(metrics.tpot_p50_ms),
      okRate,
      envelope: fileName,
      status: okRate !== null && okRate < OK_RATE_FLOOR ? 'low_ok_rate' : 'ok',
    });
  }
  return rows.sort((a, b) => (a.point ?? 0) - (b.point ?? 0) || (a.trial ?? 0) - (b.trial ?? 0));
}

export async function runMatrix(config: MatrixConfig, options: MatrixRunOptions): Promise<MatrixResultRow[]> {
  await mkdir(options.outputDir, { recursive: true });
  const runCli = options.runCli ?? spawnSelf;
  const rows: MatrixResultRow[] = [];
  let stopped = false;
  for (const target of config.targets) {
    if (stopped) {
      rows.push({ ...emptyRow(target.name), status: 'skipped', detail: 'an earlier target failed' });
      continue;
    }
    const tmp = await mkdtemp(join(options.outputDir, `.matrix-${target.name}-`));
    try {
      options.log(`[${target.name}] bench run ${config.suite_id} --sweep ${config.sweep.join(',')}`);
      const code = await runCli(runArgsFor(config, target, tmp, options.passThrough), (line) =>
        options.log(`[${target.name}] ${line}`),
      );
      const collected = await collect(target.name, tmp, options.outputDir);
      rows.push(...collected);
      // Exit 1 with envelopes = some point under the ok-rate floor (rows say which); anything else failed.
      const failed = code === null || code === 2 || (code !== 0 && collected.length === 0) || code > 2;
      if (failed) {
        rows.push({
          ...emptyRow(target.name),
          status: 'failed',
          detail: `bench run exited ${code ?? 'abnormally'}`,
        });
        if (!options.continueOnError) stopped = true;
      }
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }
  return rows;
}

function emptyRow(target: string): Omit<MatrixResultRow, 'status'> {
  return {
    target,
    point: null,
    trial: null,
    throughputTokPerS: null,
    ttftP50Ms: null,
    tpotP50Ms: null,
    okRate: null,
    envelope: null,
  };
}
