// bench summary <path…> [--json] [--csv]: tabulate envelopes per suite, sorted by throughput.
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

interface SummaryFlags {
  json?: boolean;
  csv?: boolean;
  verbose?: boolean;
  devPublicKey?: string;
  trustedRoot?: string;
  ceilings?: string;
  modelBytes?: string;
}

/** ok → signed OK; unsigned; keyless without a trusted root → unchecked; anything else → FAIL. */
export function signatureStatusOf(check: SignatureCheck): SignatureStatus {
  if (check.ok) return 'ok';
  if (check.method === null) return 'unsigned';
  if (check.method === 'sigstore-cosign' && /--trusted-root/.test(check.reason ?? '')) return 'unchecked';
  return 'fail';
}

export async function runSummary(
  paths: readonly string[],
  flags: SummaryFlags,
  io: EnvelopeIo = envelopeIo,
): Promise<string> {
  if (flags.json && flags.csv) throw new UsageError('--json and --csv are mutually exclusive');
  const files = await collectJsonFiles(paths);
  const { loaded, skipped } = await loadMany(io, files);
  if (flags.verbose) for (const s of skipped) process.stderr.write(`skipped ${s.path}: ${s.reason}\n`);
  const devPublicKeyPem = await readPublicKeyFlag(flags.devPublicKey);
  const verifyFlags = {
    ...(devPublicKeyPem !== undefined ? { devPublicKeyPem } : {}),
    ...(flags.trustedRoot !== undefined ? { trustedRootPath: flags.trustedRoot } : {}),
  };
  const inputs: SummaryInput[] = [];
  for (const item of loaded) {
    let signature: SignatureStatus;
    try {
      signature = signatureStatusOf(await io.verify(item, verifyFlags));
    } catch {
      signature = 'fail';
    }
    inputs.push({ ...item, signature });
  }
  const report = buildSummary(inputs, skipped.length);
  if (flags.json) return `${JSON.stringify(summaryJson(report), null, 2)}\n`;
  if (flags.csv) return `${renderSummaryCsv(report)}\n`;
  const modelBytes = flags.modelBytes !== undefined ? parseModelBytes(flags.modelBytes) : undefined;
  const sol = renderSolReport(
    inputs.map((item) => ({ label: shortRunId(item.envelope), loaded: item })),
    { ceilings: loadCeilings(flags.ceilings), ...(modelBytes !== undefined ? { modelBytes } : {}) },
  );
  // The trailer (`N envelopes loaded, …`) stays the last line, as in the Python tool.
  const text = renderSummaryText(report);
  const cut = text.lastIndexOf('\n');
  return cut < 0 ? `${sol}\n\n${text}\n` : `${text.slice(0, cut)}\n\n${sol}\n\n${text.slice(cut + 1)}\n`;
}

export function register(program: Command): void {
  program
    .command('summary')
    .description('Tabulate envelopes (files or directories, *.json recursively) grouped by suite')
    .argument('<path...>', 'envelope files or directories')
    .option('--json', 'machine-readable output: {"suites": {...}, "skipped": N}')
    .option('--csv', 'one CSV table for all suites')
    .option('-v, --verbose', 'name each skipped file and why on stderr')
    .option('--dev-public-key <path>', 'signature column: require dev-key envelopes to be signed by this key')
    .option('--trusted-root <file>', 'signature column: Sigstore trusted_root.json for keyless envelopes')
    .option('--ceilings <file>', 'speed-of-light ceilings by key path (default: the shipped ceilings)')
    .option('--model-bytes <n>', 'model weight bytes for %SoL when the model is not in the catalog')
    .action(async (paths: string[], flags: SummaryFlags) => {
      process.stdout.write(await runSummary(paths, flags));
    });
}
