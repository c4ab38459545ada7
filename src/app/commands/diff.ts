// bench diff <baseline> <candidate> [--tolerance 0.02] [--report table|json] [--strict] [--verify] [--all-metrics]
// Files are diffed directly; two directories are matched by suite and sweep point.
import { stat } from 'node:fs/promises';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { UsageError } from '../errors.js';
import { diffEnvelopes, pairDirectories, type DiffResult } from '../report/diff.js';
import { loadJournalSamples } from '../report/diff-samples.js';
import { diffResultJson, renderDiffTable } from '../report/diffRender.js';
import { envelopeIo, readPublicKeyFlag, type EnvelopeIo } from '../report/envelopeIo.js';
import type { LoadedEnvelope } from '../report/envelopeView.js';
import {
  loadInputs,
  renderTrustBlock,
  renderVerifyFailures,
  trustLevels,
  verifyAll,
} from '../report/loadInputs.js';
import type { CommandOutput } from './compare.js';
import { addMaxFileBytesOption } from './file-options.js';
import { addTrustOptions, trustStoreFromFlags, untrustedSummary, type TrustFlags } from './trust-options.js';

interface DiffFlags extends TrustFlags {
  maxFileBytes?: number;
  tolerance: number;
  report: 'table' | 'json';
  strict?: boolean;
  verify?: boolean;
  allMetrics?: boolean;
  devPublicKey?: string;
  trustedRoot?: string;
}

export function parseTolerance(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n >= 10)
    throw new InvalidArgumentError('tolerance must be a fraction ≥ 0 (0.02 = ±2%)');
  return n;
}

async function isDirectory(path: string): Promise<boolean> {
  const info = await stat(path).catch(() => null);
  if (info === null) throw new UsageError(`no such file or directory: ${path}`, 'E_PATH_NOT_FOUND');
  return info.isDirectory();
}

/** Diff with per-request samples from each side's journal when it is next to the envelope. */
async function diffWithJournals(
  baseline: LoadedEnvelope,
  candidate: LoadedEnvelope,
  tolerance: number,
): Promise<DiffResult> {
  const [bj, cj] = await Promise.all([loadJournalSamples(baseline), loadJournalSamples(candidate)]);
  return diffEnvelopes(baseline, candidate, tolerance, {
    ...(bj ? { baseline: bj } : {}),
    ...(cj ? { candidate: cj } : {}),
  });
}

export async function runDiff(
  baselinePath: string,
  candidatePath: string,
  flags: DiffFlags,
  io: EnvelopeIo = envelopeIo,
): Promise<CommandOutput> {
  const [bDir, cDir] = [await isDirectory(baselinePath), await isDirectory(candidatePath)];
  if (bDir !== cDir)
    throw new UsageError('diff compares two files or two directories, not one of each', 'E_DIFF_INPUT');
  const readOptions = flags.maxFileBytes !== undefined ? { maxBytes: flags.maxFileBytes } : {};
  const b = await loadInputs(io, [baselinePath], readOptions);
  const c = await loadInputs(io, [candidatePath], readOptions);
  let stderr = [...b.skipped, ...c.skipped].map((s) => `skipped ${s.path}: ${s.reason}\n`).join('');
  if (b.loaded.length === 0 || c.loaded.length === 0)
    throw new UsageError(
      `no usable envelopes under ${b.loaded.length === 0 ? baselinePath : candidatePath}`,
      'E_DIFF_INPUT',
    );
  const devPublicKeyPem = await readPublicKeyFlag(flags.devPublicKey);
  const verifyFlags = {
    ...(devPublicKeyPem !== undefined ? { devPublicKeyPem } : {}),
    ...(flags.trustedRoot !== undefined ? { trustedRootPath: flags.trustedRoot } : {}),
  };
  if (flags.requireTrusted) {
    const all = [...b.loaded, ...c.loaded];
    const trustStore = await trustStoreFromFlags(flags, devPublicKeyPem, flags.devPublicKey);
    const levels = await trustLevels(io, all, { ...verifyFlags, trustStore });
    if (levels.some((l) => l !== 'trusted')) {
      stderr += `${renderTrustBlock(all, levels)}\n${untrustedSummary(levels)}; nothing diffed\n`;
      return { stdout: '', stderr, exitCode: 1 };
    }
  }
  if (flags.verify) {
    const failures = await verifyAll(io, [...b.loaded, ...c.loaded], verifyFlags);
    if (failures.length > 0) {
      stderr += renderVerifyFailures(failures);
      stderr += 'signature verification failed; nothing diffed\n';
      return { stdout: '', stderr, exitCode: 1 };
    }
  }
  let results: { key: string; result: DiffResult }[];
  let onlyBaseline: readonly string[] = [];
  let onlyCandidate: readonly string[] = [];
  let notes: readonly string[] = [];
  if (!bDir) {
    results = [
      {
        key: '',
        result: await diffWithJournals(
          b.loaded[0] as LoadedEnvelope,
          c.loaded[0] as LoadedEnvelope,
          flags.tolerance,
        ),
      },
    ];
  } else {
    const pairing = pairDirectories(b.loaded, c.loaded);
    if (pairing.pairs.length === 0)
      throw new UsageError(
        'no envelope pairs match by suite and sweep point between the two directories',
        'E_DIFF_INPUT',
      );
    results = [];
    for (const p of pairing.pairs)
      results.push({ key: p.key, result: await diffWithJournals(p.baseline, p.candidate, flags.tolerance) });
    onlyBaseline = pairing.onlyBaseline;
    onlyCandidate = pairing.onlyCandidate;
    notes = pairing.duplicates;
  }
  const regressions = results.reduce((n, r) => n + r.result.counts.regression, 0);
  let stdout: string;
  if (flags.report === 'json') {
    const body = bDir
      ? {
          pairs: results.map((r) => ({ key: r.key, ...(diffResultJson(r.result) as object) })),
          only_baseline: onlyBaseline,
          only_candidate: onlyCandidate,
          notes,
        }
      : diffResultJson(results[0]?.result as DiffResult);
    stdout = `${JSON.stringify(body, null, 2)}\n`;
  } else {
    const blocks = results.map((r) =>
      renderDiffTable(
        r.result,
        r.key ? `[${r.key}] ${r.result.baselinePath} → ${r.result.candidatePath}` : undefined,
        { allMetrics: flags.allMetrics === true },
      ),
    );
    if (onlyBaseline.length > 0) blocks.push(`only in baseline (not compared): ${onlyBaseline.join(', ')}`);
    if (onlyCandidate.length > 0)
      blocks.push(`only in candidate (not compared): ${onlyCandidate.join(', ')}`);
    for (const note of notes) blocks.push(`note: ${note}`);
    if (flags.strict)
      blocks.push(
        regressions > 0 ? `STRICT: ${regressions} regression(s) → exit 1` : 'STRICT: no regressions',
      );
    stdout = `${blocks.join('\n\n')}\n`;
  }
  return { stdout, stderr, exitCode: flags.strict && regressions > 0 ? 1 : 0 };
}

export function register(program: Command): void {
  const command = program
    .command('diff')
    .summary('per-metric verdicts between a baseline and a candidate')
    .description(
      'Per-metric verdicts between a baseline and a candidate (files, or directories matched by suite and sweep point).',
    )
    .argument('<baseline>', 'baseline envelope or directory')
    .argument('<candidate>', 'candidate envelope or directory')
    .option('--tolerance <fraction>', 'relative change treated as no_change', parseTolerance, 0.02)
    .addOption(new Option('--report <kind>', 'table or json').choices(['table', 'json']).default('table'))
    .option('--strict', 'exit 1 when any metric regresses')
    .option('--all-metrics', 'table: also list metrics only one side has (default: one line names them)')
    .option('--verify', 'check both signatures first; exit 1 if either fails')
    .option('--dev-public-key <path>', 'with --verify: require dev-key envelopes to be signed by this key')
    .option('--trusted-root <file>', 'Sigstore trusted_root.json for keyless envelopes');
  addTrustOptions(command, 'either side');
  addMaxFileBytesOption(command);
  command.action(async (baseline: string, candidate: string, flags: DiffFlags) => {
    const out = await runDiff(baseline, candidate, flags);
    process.stderr.write(out.stderr);
    process.stdout.write(out.stdout);
    if (out.exitCode !== 0) process.exitCode = out.exitCode;
  });
}
