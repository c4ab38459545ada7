// bench report <envelopes or dirs…> [--out report.html] [--open]: one self-contained HTML page
// (docs/report.md). The page module is imported lazily: it carries the bundled chart script.
import { spawn } from 'node:child_process';
import type { Command } from 'commander';
import { envelopeIo, readPublicKeyFlag, type EnvelopeIo } from '../report/envelopeIo.js';
import { loadInputs } from '../report/loadInputs.js';
import type { CommandOutput } from './compare.js';

interface ReportFlags {
  out: string;
  open?: boolean;
  title?: string;
  devPublicKey?: string;
  trustedRoot?: string;
}

export function summaryLine(path: string, bytes: number, envelopes: number, charts: number): string {
  return `wrote ${path} (${envelopes} envelope${envelopes === 1 ? '' : 's'}, ${charts} charts, ${(bytes / 1024).toFixed(0)} KiB, self-contained)\n`;
}

export async function runReport(
  paths: readonly string[],
  flags: ReportFlags,
  io: EnvelopeIo = envelopeIo,
): Promise<CommandOutput & { path: string }> {
  const { loaded, skipped } = await loadInputs(io, paths);
  const devPublicKeyPem = await readPublicKeyFlag(flags.devPublicKey);
  const { writeHtmlReport } = await import('../report/html/writeReport.js');
  const result = await writeHtmlReport({
    loaded,
    skipped,
    out: flags.out,
    io,
    verify: {
      ...(devPublicKeyPem !== undefined ? { devPublicKeyPem } : {}),
      ...(flags.trustedRoot !== undefined ? { trustedRootPath: flags.trustedRoot } : {}),
    },
    ...(flags.title !== undefined ? { title: flags.title } : {}),
  });
  const drawn = result.model.charts.filter((c) => c.placeholder === null).length;
  return {
    stdout: summaryLine(result.path, result.bytes, loaded.length, drawn),
    stderr: skipped.map((s) => `skipped ${s.path}: ${s.reason}\n`).join(''),
    exitCode: 0,
    path: result.path,
  };
}

/** Opens the page in the desktop's browser; a missing opener is a note, not a failure. */
export function openInBrowser(path: string): Promise<string | undefined> {
  const command =
    process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  return new Promise((resolve) => {
    const child = spawn(command, [path], { stdio: 'ignore', detached: true });
    child.once('error', () => resolve(`could not open ${path}: ${command} not available; open it yourself`));
    child.once('spawn', () => {
      child.unref();
      resolve(undefined);
    });
  });
}

export function register(program: Command): void {
  program
    .command('report')
    .summary('write one self-contained HTML page with plots for envelopes')
    .description(
      'Write one self-contained HTML page (sweep curves, trade-off with the Pareto frontier, distributions, telemetry, tables) for envelope files or directories. The page fetches nothing when opened.',
    )
    .argument('<paths...>', 'envelope files or directories (*.json, recursively)')
    .option('--out <file>', 'where to write the page', 'report.html')
    .option('--open', 'open the page in the default browser when written')
    .option('--title <text>', 'page title (default: from the suites)')
    .option('--dev-public-key <path>', 'trust state: dev-key envelopes signed by this key are "verified"')
    .option('--trusted-root <file>', 'trust state: Sigstore trusted_root.json for keyless envelopes')
    .action(async (paths: string[], flags: ReportFlags) => {
      const out = await runReport(paths, flags);
      process.stderr.write(out.stderr);
      process.stdout.write(out.stdout);
      if (flags.open) {
        const note = await openInBrowser(out.path);
        if (note !== undefined) process.stderr.write(`${note}\n`);
      }
    });
}
