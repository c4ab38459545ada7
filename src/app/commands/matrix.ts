// bench matrix <config.yaml> --output DIR [--continue-on-error] [--signing-mode] [--dev-key] [--seed]
import type { Command } from 'commander';
import { loadMatrixConfig } from '../matrix/config.js';
import { runMatrix, type MatrixResultRow } from '../matrix/run.js';
import { renderVerdicts, trialWarnings, verdicts, type MatrixCell } from '../matrix/summary.js';
import { formatNumber, renderTable } from '../report/format.js';

interface MatrixFlags {
  output: string;
  continueOnError: boolean;
  signingMode?: string;
  devKey?: string;
  seed?: string;
}

export function cellsOf(rows: readonly MatrixResultRow[]): MatrixCell[] {
  const cells = new Map<
    string,
    MatrixCell & { throughputTokPerS: number[]; tpotP50Ms: number[]; ttftP50Ms: number[]; okRate: number[] }
  >();
  for (const r of rows) {
    if (r.point === null || r.envelope === null) continue;
    const key = `${r.target}\u0000${r.point}`;
    let cell = cells.get(key);
    if (!cell) {
      cell = {
        target: r.target,
        point: r.point,
        throughputTokPerS: [],
        tpotP50Ms: [],
        ttftP50Ms: [],
        okRate: [],
      };
      cells.set(key, cell);
    }
    if (r.status !== 'ok') continue;
    if (r.throughputTokPerS !== null) cell.throughputTokPerS.push(r.throughputTokPerS);
    if (r.tpotP50Ms !== null) cell.tpotP50Ms.push(r.tpotP50Ms);
    if (r.ttftP50Ms !== null) cell.ttftP50Ms.push(r.ttftP50Ms);
    if (r.okRate !== null) cell.okRate.push(r.okRate);
  }
  return [...cells.values()];
}

export function renderMatrixResults(rows: readonly MatrixResultRow[]): string {
  const table = renderTable(
    [
      { header: 'target' },
      { header: 'point', align: 'right' },
      { header: 'throughput_tok_per_s', align: 'right' },
      { header: 'ttft_p50_ms', align: 'right' },
      { header: 'ok_rate', align: 'right' },
      { header: 'envelope' },
      { header: 'status' },
    ],
    rows.map((r) => [
      r.target,
      r.point === null ? '-' : `c${r.point}`,
      formatNumber(r.throughputTokPerS),
      formatNumber(r.ttftP50Ms),
      r.okRate === null ? '-' : r.okRate.toFixed(3),
      r.envelope ?? '-',
      r.detail ? `${r.status} (${r.detail})` : r.status,
    ]),
  );
  const cells = cellsOf(rows);
  const warnings = trialWarnings(cells);
  return [
    'Matrix results',
    table,
    '',
    'Winner per concurrency regime (no overall winner):',
    ...renderVerdicts(verdicts(cells)).map((l) => `  ${l}`),
    ...warnings.map((w) => `warning: ${w}`),
  ].join('\n');
}

export function register(program: Command): void {
  program
    .command('matrix')
    .summary('run targets × concurrency points; winner per concurrency regime')
    .description('Run every target × concurrency point of a matrix config; winner per concurrency regime')
    .argument('<config>', 'matrix YAML (schema inferencebench.matrix.v1)')
    .argument(
      '[runArgs...]',
      'after --: more bench run flags for every target (e.g. -- --warmup 1 --max-tokens 64)',
    )
    .option('--output <dir>', 'directory for the envelopes', './results')
    .option('--continue-on-error', 'keep going past a failed target', false)
    .option('--no-continue-on-error', 'stop at the first failed target (the default)')
    .option('--signing-mode <mode>', 'passed to bench run (dev or keyless)')
    .option('--dev-key <path>', 'passed to bench run')
    .option('--seed <n>', 'passed to bench run')
    .action(async (configPath: string, runArgs: string[], flags: MatrixFlags) => {
      const config = loadMatrixConfig(configPath);
      const passThrough = [
        ...(flags.signingMode !== undefined ? ['--signing-mode', flags.signingMode] : []),
        ...(flags.devKey !== undefined ? ['--dev-key', flags.devKey] : []),
        ...(flags.seed !== undefined ? ['--seed', flags.seed] : []),
        ...runArgs,
      ];
      const rows = await runMatrix(config, {
        outputDir: flags.output,
        continueOnError: flags.continueOnError,
        passThrough,
        log: (line) => process.stderr.write(`${line}\n`),
      });
      process.stdout.write(`${renderMatrixResults(rows)}\n`);
      if (rows.some((r) => r.status !== 'ok')) process.exitCode = 1;
    });
}
