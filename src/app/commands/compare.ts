// bench compare <envelopes or dirs…> [--report table|pareto|json|html [--out report.html]] [--verify]
import { Option, type Command } from 'commander';
import { UsageError } from '../errors.js';
import { buildCompare, compareJson, renderComparePareto, renderCompareTable } from '../report/compare.js';
import { envelopeIo, readPublicKeyFlag, type EnvelopeIo } from '../report/envelopeIo.js';
import { loadInputs, renderVerifyFailures, verifyAll } from '../report/loadInputs.js';

interface CompareFlags {
  report: 'table' | 'pareto' | 'json' | 'html';
  out?: string;
  verify?: boolean;
  devPublicKey?: string;
  trustedRoot?: string;
}

export interface CommandOutput {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
}

export async function runCompare(
  paths: readonly string[],
  flags: CompareFlags,
  io: EnvelopeIo = envelopeIo,
): Promise<CommandOutput> {
  if (flags.out !== undefined && flags.report !== 'html')
    throw new UsageError('--out is for --report html', 'E_COMPARE_INPUT');
  const { loaded, skipped } = await loadInputs(io, paths);
  let stderr = skipped.map((s) => `skipped ${s.path}: ${s.reason}\n`).join('');
  if (loaded.length < 2)
    throw new UsageError(`compare needs at least 2 envelopes (got ${loaded.length})`, 'E_COMPARE_INPUT');
  if (flags.verify) {
    const devPublicKeyPem = await readPublicKeyFlag(flags.devPublicKey);
    const failures = await verifyAll(io, loaded, {
      ...(devPublicKeyPem !== undefined ? { devPublicKeyPem } : {}),
      ...(flags.trustedRoot !== undefined ? { trustedRootPath: flags.trustedRoot } : {}),
    });
    if (failures.length > 0) {
      stderr += renderVerifyFailures(failures);
      stderr += `signature verification failed for ${failures.length} of ${loaded.length} envelopes; nothing compared\n`;
      return { stdout: '', stderr, exitCode: 1 };
    }
    stderr += `verified ${loaded.length} signatures\n`;
  }
  if (flags.report === 'html') {
    // The same page as `bench report` (docs/report.md), for the envelopes being compared.
    const { writeHtmlReport } = await import('../report/html/writeReport.js');
    const devPublicKeyPem = await readPublicKeyFlag(flags.devPublicKey);
    const page = await writeHtmlReport({
      loaded,
      skipped,
      out: flags.out ?? 'report.html',
      io,
      verify: {
        ...(devPublicKeyPem !== undefined ? { devPublicKeyPem } : {}),
        ...(flags.trustedRoot !== undefined ? { trustedRootPath: flags.trustedRoot } : {}),
      },
    });
    return {
      stdout: `wrote ${page.path} (${loaded.length} envelopes, self-contained HTML)\n`,
      stderr,
      exitCode: 0,
    };
  }
  const report = buildCompare(loaded);
  const stdout =
    flags.report === 'json'
      ? `${JSON.stringify(compareJson(report, loaded), null, 2)}\n`
      : flags.report === 'pareto'
        ? `${renderComparePareto(report)}\n`
        : `${renderCompareTable(report)}\n`;
  return { stdout, stderr, exitCode: 0 };
}

export function register(program: Command): void {
  program
    .command('compare')
    .description('Compare envelopes: Pareto frontiers, tok/s per user, winners per concurrency regime')
    .argument('<paths...>', 'envelope files or directories (at least 2 envelopes)')
    .addOption(
      new Option('--report <kind>', 'table, pareto, json or html (a self-contained page, see bench report)')
        .choices(['table', 'pareto', 'json', 'html'])
        .default('table'),
    )
    .option('--out <file>', 'with --report html: where to write the page (default report.html)')
    .option('--verify', 'check every signature first; exit 1 if any fails')
    .option('--dev-public-key <path>', 'with --verify: require dev-key envelopes to be signed by this key')
    .option('--trusted-root <file>', 'with --verify: Sigstore trusted_root.json for keyless envelopes')
    .action(async (paths: string[], flags: CompareFlags) => {
      const out = await runCompare(paths, flags);
      process.stderr.write(out.stderr);
      process.stdout.write(out.stdout);
      if (out.exitCode !== 0) process.exitCode = out.exitCode;
    });
}
