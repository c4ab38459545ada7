// bench summary <path…> [--json] [--csv]: tabulate envelopes per suite, sorted by throughput, with
// each envelope's trust level and flags (incomplete, quality invalid).
import type { Command } from 'commander';
import { loadCeilings } from '../analysis/ceilings.js';
import { renderSolReport } from '../analysis/sol-report.js';
import { UsageError } from '../errors.js';
import { parseModelBytes } from './compare.js';
import { shortRunId } from '../report/envelopeView.js';
import {
  collectJsonFiles,
  envelopeIo,
  loadMany,
  readPublicKeyFlag,
  type EnvelopeIo,
  type SignatureCheck,
} from '../report/envelopeIo.js';
import {
  buildSummary,
  renderSummaryCsv,
  renderSummaryText,
  summaryJson,
  type SignatureStatus,
  type SummaryInput,
} from '../report/summary.js';
import { addMaxFileBytesOption } from './file-options.js';
import { addTrustOptions, trustStoreFromFlags, untrustedSummary, type TrustFlags } from './trust-options.js';

interface SummaryFlags extends TrustFlags {
  json?: boolean;
  csv?: boolean;
  verbose?: boolean;
  devPublicKey?: string;
  trustedRoot?: string;
  maxFileBytes?: number;
  ceilings?: string;
  modelBytes?: string;
}

/** The trust level of a signature check (trusted / untrusted / invalid / unsigned). */
export function signatureStatusOf(check: SignatureCheck): SignatureStatus {
  return check.trust;
}

export interface SummaryOutput {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
}

export async function runSummaryCommand(
  paths: readonly string[],
  flags: SummaryFlags,
  io: EnvelopeIo = envelopeIo,
): Promise<SummaryOutput> {
  if (flags.json && flags.csv) throw new UsageError('--json and --csv are mutually exclusive');
  const files = await collectJsonFiles(paths);
  const { loaded, skipped } = await loadMany(
    io,
    files,
    flags.maxFileBytes !== undefined ? { maxBytes: flags.maxFileBytes } : {},
  );
  let stderr = '';
  for (const s of skipped)
    // An over-size file is always named: it may be an envelope the user expected to see.
    if (flags.verbose || s.code === 'E_ENVELOPE_TOO_LARGE') stderr += `skipped ${s.path}: ${s.reason}\n`;
  const devPublicKeyPem = await readPublicKeyFlag(flags.devPublicKey);
  const trustStore = await trustStoreFromFlags(flags, devPublicKeyPem, flags.devPublicKey);
  const verifyFlags = {
    ...(devPublicKeyPem !== undefined ? { devPublicKeyPem } : {}),
    ...(flags.trustedRoot !== undefined ? { trustedRootPath: flags.trustedRoot } : {}),
    trustStore,
  };
  const inputs: SummaryInput[] = [];
  for (const item of loaded) {
    let signature: SignatureStatus;
    try {
      signature = signatureStatusOf(await io.verify(item, verifyFlags));
    } catch {
      signature = 'invalid';
    }
    inputs.push({ ...item, signature });
  }
  const report = buildSummary(inputs, skipped.length);
  let stdout: string;
  if (flags.json) stdout = `${JSON.stringify(summaryJson(report), null, 2)}\n`;
  else if (flags.csv) stdout = `${renderSummaryCsv(report)}\n`;
  else {
    const modelBytes = flags.modelBytes !== undefined ? parseModelBytes(flags.modelBytes) : undefined;
    const sol = renderSolReport(
      inputs.map((item) => ({ label: shortRunId(item.envelope), loaded: item })),
      { ceilings: loadCeilings(flags.ceilings), ...(modelBytes !== undefined ? { modelBytes } : {}) },
    );
    // The trailer (`N envelopes loaded, …`) stays the last line, as in the Python tool.
    const text = renderSummaryText(report);
    const cut = text.lastIndexOf('\n');
    stdout = cut < 0 ? `${sol}\n\n${text}\n` : `${text.slice(0, cut)}\n\n${sol}\n\n${text.slice(cut + 1)}\n`;
  }
  const levels = inputs.map((i) => i.signature);
  if (flags.requireTrusted && levels.some((l) => l !== 'trusted')) {
    stderr += `${untrustedSummary(levels)}\n`;
    return { stdout, stderr, exitCode: 1 };
  }
  return { stdout, stderr, exitCode: 0 };
}

/** stdout only (kept for callers and tests that want the table text). */
export async function runSummary(
  paths: readonly string[],
  flags: SummaryFlags,
  io: EnvelopeIo = envelopeIo,
): Promise<string> {
  return (await runSummaryCommand(paths, flags, io)).stdout;
}

export function register(program: Command): void {
  const command = program
    .command('summary')
    .summary('tabulate envelopes grouped by suite, with trust and flags')
    .description(
      'Tabulate envelopes (files or directories, *.json recursively) grouped by suite, with each ' +
        "envelope's trust (trusted, untrusted signer, invalid, unsigned) and flags (incomplete, quality invalid)",
    )
    .argument('<path...>', 'envelope files or directories')
    .option('--json', 'machine-readable output: {"suites": {...}, "skipped": N}')
    .option('--csv', 'one CSV table for all suites')
    .option('-v, --verbose', 'name each skipped file and why on stderr')
    .option('--dev-public-key <path>', 'trust column: require dev-key envelopes to be signed by this key')
    .option('--trusted-root <file>', 'trust column: Sigstore trusted_root.json for keyless envelopes')
    .option('--ceilings <file>', 'speed-of-light ceilings by key path (default: the shipped ceilings)')
    .option('--model-bytes <n>', 'model weight bytes for %SoL when the model is not in the catalog');
  addTrustOptions(command, 'any envelope');
  addMaxFileBytesOption(command);
  command.action(async (paths: string[], flags: SummaryFlags) => {
    const out = await runSummaryCommand(paths, flags);
    process.stderr.write(out.stderr);
    process.stdout.write(out.stdout);
    if (out.exitCode !== 0) process.exitCode = out.exitCode;
  });
}
