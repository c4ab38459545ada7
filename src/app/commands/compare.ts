// bench compare <envelopes or dirs…> [--report table|pareto|json|html [--out report.html]] [--verify]
import { Option, type Command } from 'commander';
import { loadCeilings } from '../analysis/ceilings.js';
import { renderServerMetricsTable, serverMetricsView } from '../analysis/server-metrics.js';
import { renderSolReport } from '../analysis/sol-report.js';
import { UsageError } from '../errors.js';
import { buildCompare, compareJson, renderComparePareto, renderCompareTable } from '../report/compare.js';
import { envelopeIo, readPublicKeyFlag, type EnvelopeIo } from '../report/envelopeIo.js';
import {
  loadInputs,
  renderTrustBlock,
  renderVerifyFailures,
  trustLevels,
  verifyAll,
} from '../report/loadInputs.js';
import { envelopeFlags } from '../report/trustView.js';
import { addMaxFileBytesOption } from './file-options.js';
import { addTrustOptions, trustStoreFromFlags, untrustedSummary, type TrustFlags } from './trust-options.js';
import type { LoadedEnvelope } from '../report/envelopeView.js';

interface CompareFlags extends TrustFlags {
  report: 'table' | 'pareto' | 'json' | 'html';
  out?: string;
  verify?: boolean;
  devPublicKey?: string;
  trustedRoot?: string;
  maxFileBytes?: number;
  ceilings?: string;
  modelBytes?: string;
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
  const { loaded, skipped } = await loadInputs(
    io,
    paths,
    flags.maxFileBytes !== undefined ? { maxBytes: flags.maxFileBytes } : {},
  );
  let stderr = skipped.map((s) => `skipped ${s.path}: ${s.reason}\n`).join('');
  if (loaded.length < 2)
    throw new UsageError(`compare needs at least 2 envelopes (got ${loaded.length})`, 'E_COMPARE_INPUT');
  const devPublicKeyPem = await readPublicKeyFlag(flags.devPublicKey);
  const verifyFlags = {
    ...(devPublicKeyPem !== undefined ? { devPublicKeyPem } : {}),
    ...(flags.trustedRoot !== undefined ? { trustedRootPath: flags.trustedRoot } : {}),
    trustStore: await trustStoreFromFlags(flags, devPublicKeyPem, flags.devPublicKey),
  };
  const levels = await trustLevels(io, loaded, verifyFlags);
  if (flags.requireTrusted && levels.some((l) => l !== 'trusted')) {
    stderr += `${renderTrustBlock(loaded, levels)}\n${untrustedSummary(levels)}; nothing compared\n`;
    return { stdout: '', stderr, exitCode: 1 };
  }
  if (flags.verify) {
    const failures = await verifyAll(io, loaded, verifyFlags);
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
  const trustJson = loaded.map((item, index) => {
    const flagsOf = envelopeFlags(item.envelope);
    return {
      index,
      path: item.path,
      trust: levels[index] ?? 'invalid',
      incomplete: flagsOf.includes('incomplete'),
      quality_valid: !flagsOf.includes('quality invalid'),
    };
  });
  const stdout =
    flags.report === 'json'
      ? `${JSON.stringify({ ...(compareJson(report, loaded) as object), trust: trustJson }, null, 2)}\n`
      : flags.report === 'pareto'
        ? `${renderComparePareto(report)}\n\n${renderTrustBlock(loaded, levels)}\n`
        : `${renderCompareTable(report)}\n${serverBlock(report.rows, loaded)}\n${solBlock(report.rows, loaded, flags)}\n\n${renderTrustBlock(loaded, levels)}\n`;
  return { stdout, stderr, exitCode: 0 };
}

/** %SoL per row with its ceiling key, each row's full-context descriptor, and the next lever. */
function solBlock(
  rows: readonly { index: number }[],
  loaded: readonly LoadedEnvelope[],
  flags: CompareFlags,
): string {
  const modelBytes = flags.modelBytes !== undefined ? parseModelBytes(flags.modelBytes) : undefined;
  return renderSolReport(
    rows.flatMap((r) => {
      const item = loaded[r.index];
      return item ? [{ label: `#${r.index + 1}`, loaded: item }] : [];
    }),
    { ceilings: loadCeilings(flags.ceilings), ...(modelBytes !== undefined ? { modelBytes } : {}) },
  );
}

export function parseModelBytes(text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value <= 0)
    throw new UsageError(`--model-bytes must be a positive number of bytes (got '${text}')`, 'E_MODEL_BYTES');
  return value;
}

/** The engines' own /metrics view per compared row (rows as numbered in the table). */
function serverBlock(rows: readonly { index: number }[], loaded: readonly { envelope: object }[]): string {
  const table = renderServerMetricsTable(
    rows.map((r) => ({ label: `#${r.index + 1}`, view: serverMetricsView(loaded[r.index]?.envelope) })),
  );
  return table === null ? '' : `\n${table}\n`;
}

export function register(program: Command): void {
  const command = program
    .command('compare')
    .summary('compare envelopes: Pareto frontiers, tok/s per user, winners per regime')
    .description('Compare envelopes: Pareto frontiers, tok/s per user, winners per concurrency regime.')
    .argument('<paths...>', 'envelope files or directories (at least 2 envelopes)')
    .addOption(
      new Option('--report <kind>', 'table, pareto, json or html (a self-contained page, see bench report)')
        .choices(['table', 'pareto', 'json', 'html'])
        .default('table'),
    )
    .option('--out <file>', 'with --report html: where to write the page (default: report.html)')
    .option('--verify', 'check every signature first; exit 1 if any fails')
    .option('--dev-public-key <path>', 'with --verify: require dev-key envelopes to be signed by this key')
    .option('--trusted-root <file>', 'Sigstore trusted_root.json for keyless envelopes')
    .option('--ceilings <file>', 'speed-of-light ceilings by key path (default: the shipped ceilings)')
    .option('--model-bytes <n>', 'model weight bytes for %SoL when the model is not in the catalog');
  addTrustOptions(command, 'any envelope');
  addMaxFileBytesOption(command);
  command.action(async (paths: string[], flags: CompareFlags) => {
    const out = await runCompare(paths, flags);
    process.stderr.write(out.stderr);
    process.stdout.write(out.stdout);
    if (out.exitCode !== 0) process.exitCode = out.exitCode;
  });
}
