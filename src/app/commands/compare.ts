// bench compare <envelopes or dirs…> [--report table|pareto|json] [--verify]
import { Option, type Command } from 'commander';
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

interface CompareFlags extends TrustFlags {
  report: 'table' | 'pareto' | 'json';
  verify?: boolean;
  devPublicKey?: string;
  trustedRoot?: string;
  maxFileBytes?: number;
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
        : `${renderCompareTable(report)}\n\n${renderTrustBlock(loaded, levels)}\n`;
  return { stdout, stderr, exitCode: 0 };
}

export function register(program: Command): void {
  const command = program
    .command('compare')
    .summary('compare envelopes: Pareto frontiers, tok/s per user, winners per regime')
    .description('Compare envelopes: Pareto frontiers, tok/s per user, winners per concurrency regime.')
    .argument('<paths...>', 'envelope files or directories (at least 2 envelopes)')
    .addOption(
      new Option('--report <kind>', 'table, pareto or json')
        .choices(['table', 'pareto', 'json'])
        .default('table'),
    )
    .option('--verify', 'check every signature first; exit 1 if any fails')
    .option('--dev-public-key <path>', 'with --verify: require dev-key envelopes to be signed by this key')
    .option('--trusted-root <file>', 'Sigstore trusted_root.json for keyless envelopes');
  addTrustOptions(command, 'any envelope');
  addMaxFileBytesOption(command);
  command.action(async (paths: string[], flags: CompareFlags) => {
    const out = await runCompare(paths, flags);
    process.stderr.write(out.stderr);
    process.stdout.write(out.stdout);
    if (out.exitCode !== 0) process.exitCode = out.exitCode;
  });
}
