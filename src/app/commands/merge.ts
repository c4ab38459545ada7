// bench merge <shard envelopes…>: verify each shard envelope of one sharded run, merge them exactly
// (src/app/shard/merge.ts), sign and write one envelope. Exit 0 merged; 1 a check failed (a
// signature, a missing or incomplete shard, windows that disagree); 2 the inputs cannot be merged
// (not shard envelopes, different runs or versions, a shard given twice, unreadable files).
import type { Command } from 'commander';
import { Option } from 'commander';
import {
  loadPublicKeyFile,
  readEnvelopeFile,
  signEnvelope,
  verifyEnvelopeObject,
  writeEnvelope,
  type SigningOptions,
} from '../../envelope/index.js';
import { UsageError } from '../errors.js';
import { DEFAULT_WINDOW_TOLERANCE_MS, MergeError, mergeShards, type ShardInput } from '../shard/merge.js';
import { expandEnvelopePaths } from './verify.js';

interface MergeFlags {
  output: string;
  signingMode: 'dev' | 'keyless';
  devKey: string;
  devPublicKey?: string;
  trustedRoot?: string;
  windowTolerance: string;
  json?: boolean;
  /** Print nothing on stdout (the coordinator prints the envelope itself). */
  quiet?: boolean;
}

export interface MergeCommandResult {
  readonly path: string;
  readonly contentHash: string;
  readonly runId: string;
  readonly shards: number;
}

function fmt(value: unknown, digits = 2): string {
  return typeof value === 'number' ? value.toFixed(digits) : '—';
}

export async function runMerge(inputs: readonly string[], flags: MergeFlags): Promise<MergeCommandResult> {
  const toleranceMs = Number(flags.windowTolerance);
  if (flags.windowTolerance.trim() === '' || !Number.isFinite(toleranceMs) || toleranceMs < 0)
    throw new UsageError(`--window-tolerance must be a number of ms ≥ 0 (got "${flags.windowTolerance}")`);
  const devPublicKeyPem =
    flags.devPublicKey !== undefined ? await loadPublicKeyFile(flags.devPublicKey) : undefined;
  const paths = await expandEnvelopePaths(inputs);
  const shards: ShardInput[] = [];
  for (const path of paths) {
    // One read and parse per file: the lossless parse is what the hash is computed from.
    const { envelope, lossless } = await readEnvelopeFile(path);
    const check = await verifyEnvelopeObject(
      { envelope, lossless, path },
      {
        ...(devPublicKeyPem !== undefined ? { devPublicKeyPem } : {}),
        ...(flags.trustedRoot !== undefined ? { trustedRootPath: flags.trustedRoot } : {}),
      },
    );
    if (!check.ok)
      throw new MergeError(
        'E_MERGE_VERIFY',
        `${path} does not verify: ${check.reason ?? 'bad signature'}`,
        1,
      );
    shards.push({ path, envelope, contentHash: check.contentHash });
  }
  const merged = mergeShards(shards, { toleranceMs });
  const signing: SigningOptions =
    flags.signingMode === 'dev' ? { mode: 'dev', keyPath: flags.devKey } : { mode: 'keyless' };
  const { envelope, contentHash } = await signEnvelope(merged.envelope, signing);
  const path = await writeEnvelope(flags.output, 'merged-', envelope);
  const m = merged.envelope.metrics as Record<string, unknown>;
  if (flags.quiet) {
    // nothing
  } else if (flags.json) {
    process.stdout.write(
      `${JSON.stringify({ path, content_hash: contentHash, run_id: merged.runId, shards: merged.shards, metrics: m }, null, 2)}\n`,
    );
  } else {
    process.stdout.write(
      [
        `merged ${merged.shards} shards of run ${merged.runId}`,
        `  window spread: start ${fmt(merged.windowSpreadMs.start, 1)} ms, end ${fmt(merged.windowSpreadMs.end, 1)} ms`,
        `  requests ${String(m.n_requests)} (ok ${String(m.n_ok)}), throughput ${fmt(m.throughput_tok_per_s, 1)} tok/s, ${fmt(m.req_per_s_all)} req/s`,
        `  ttft p50/p90/p99 ${fmt(m.ttft_p50_ms)} / ${fmt(m.ttft_p90_ms)} / ${fmt(m.ttft_p99_ms)} ms`,
        `  tpot p50/p90/p99 ${fmt(m.tpot_p50_ms, 3)} / ${fmt(m.tpot_p90_ms, 3)} / ${fmt(m.tpot_p99_ms, 3)} ms`,
        `  envelope: ${path}`,
        '',
      ].join('\n'),
    );
  }
  return { path, contentHash, runId: merged.runId, shards: merged.shards };
}

export function register(program: Command): void {
  program
    .command('merge')
    .summary('merge the shard envelopes of one sharded run into one signed envelope')
    .description(
      'Verify every shard envelope (bench run --shard i/N), refuse shards of different runs or versions, ' +
        'missing or duplicate shards and windows that disagree by more than --window-tolerance, then ' +
        "recompute every percentile and CI from the union of the shards' samples and sign one envelope " +
        'listing its shards by content hash. Exit 0 merged, 1 a check failed, 2 the inputs cannot be merged.',
    )
    .argument('<paths...>', 'shard envelope files or directories (searched recursively for *.json)')
    .option('--output <dir>', 'directory for the merged envelope', './results')
    .addOption(
      new Option('--signing-mode <mode>', 'envelope signing').choices(['dev', 'keyless']).default('dev'),
    )
    .option('--dev-key <path>', 'ed25519 signing key for --signing-mode dev', 'cosign.key')
    .option('--dev-public-key <pem>', 'trusted ed25519 public key: every shard must be signed by it')
    .option('--trusted-root <file>', 'Sigstore trusted_root.json for keyless shard envelopes')
    .option(
      '--window-tolerance <ms>',
      'largest disagreement of the shards’ window starts (and ends)',
      String(DEFAULT_WINDOW_TOLERANCE_MS),
    )
    .option('--json', 'print the result as JSON')
    .action(async (paths: string[], flags: MergeFlags) => {
      await runMerge(paths, flags);
      process.exitCode = 0;
    });
}
