// bench verify <files or dirs…>: recompute content_hash, compare with the file-name prefix, check
// the signature. Exit 0 when every file passes, 1 when a check fails, 2 when a file cannot be used.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { loadPublicKeyFile, verifyEnvelopeFile } from '../../envelope/index.js';
import type { VerifyOptions, VerifyResult } from '../../envelope/index.js';
import { isCodedError, UsageError } from '../errors.js';

interface VerifyFlags {
  devPublicKey?: string;
  trustedRoot?: string;
  allowUnsigned?: boolean;
  identity?: string;
  json?: boolean;
}

type FileOutcome =
  | { kind: 'checked'; result: VerifyResult }
  | { kind: 'unusable'; path: string; code: string; reason: string };

async function collectJson(dir: string, out: string[]): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await collectJson(path, out);
    else if (entry.isFile() && entry.name.endsWith('.json')) out.push(path);
  }
}

/** Expands directories (recursively, *.json, hidden names skipped); files are kept as given. */
export async function expandEnvelopePaths(inputs: readonly string[]): Promise<string[]> {
  const paths: string[] = [];
  for (const input of inputs) {
    const info = await stat(input).catch(() => null);
    if (info?.isDirectory()) {
      const found: string[] = [];
      await collectJson(input, found);
      if (found.length === 0) throw new UsageError(`no *.json envelopes under ${input}`);
      paths.push(...found);
    } else paths.push(input);
  }
  return paths;
}

function methodLine(result: VerifyResult, flags: VerifyFlags): string {
  if (result.method === null) return 'none (unsigned)';
  if (result.method === 'dev-key')
    return result.keyTrusted
      ? `dev-key (ed25519, trusted key ${flags.devPublicKey ?? ''})`
      : 'dev-key (ed25519, embedded key: self-consistent, not a trusted key)';
  if (result.method === 'sigstore-cosign')
    return result.keyTrusted
      ? 'sigstore-cosign (keyless, chain to --trusted-root)'
      : 'sigstore-cosign (keyless)';
  return result.method;
}

function renderOutcome(outcome: FileOutcome, flags: VerifyFlags): string {
  if (outcome.kind === 'unusable') return `FAIL  ${outcome.path}\n    reason: ${outcome.reason}\n`;
  const r = outcome.result;
  const lines = [
    `${r.ok ? 'OK' : 'FAIL'}  ${r.path ?? ''}`,
    `    method: ${methodLine(r, flags)}`,
    `    content_hash: ${r.contentHash}`,
  ];
  if (r.identity !== undefined)
    lines.push(`    identity: ${r.identity}${r.issuer ? ` (issuer ${r.issuer})` : ''}`);
  lines.push(
    `    suite: ${r.suite.id} ${r.suite.version}`.trimEnd(),
    `    model: ${r.model.id}`,
    `    engine: ${r.engine.name} ${r.engine.version}`.trimEnd(),
  );
  if (r.reason !== undefined && !r.ok) lines.push(`    reason: ${r.reason}`);
  else if (r.reason !== undefined) lines.push(`    note: ${r.reason}`);
  return `${lines.join('\n')}\n`;
}

export async function runVerify(inputs: readonly string[], flags: VerifyFlags): Promise<number> {
  const options: VerifyOptions = {};
  if (flags.devPublicKey !== undefined) options.devPublicKeyPem = await loadPublicKeyFile(flags.devPublicKey);
  if (flags.trustedRoot !== undefined) options.trustedRootPath = flags.trustedRoot;
  if (flags.allowUnsigned) options.allowUnsigned = true;
  if (flags.identity !== undefined) options.identityPattern = flags.identity;
  const paths = await expandEnvelopePaths(inputs);
  const outcomes: FileOutcome[] = [];
  for (const path of paths) {
    let outcome: FileOutcome;
    try {
      outcome = { kind: 'checked', result: await verifyEnvelopeFile(path, options) };
    } catch (error) {
      if (!isCodedError(error) || error.exitCode !== 2 || /^E_(KEY|TRUSTED_ROOT|IDENTITY)/.test(error.code))
        throw error;
      outcome = { kind: 'unusable', path, code: error.code, reason: error.message };
    }
    outcomes.push(outcome);
    if (!flags.json) process.stdout.write(renderOutcome(outcome, flags));
  }
  const passed = outcomes.filter((o) => o.kind === 'checked' && o.result.ok).length;
  const unusable = outcomes.filter((o) => o.kind === 'unusable').length;
  const failed = outcomes.length - passed - unusable;
  if (flags.json) {
    const results = outcomes.map((o) =>
      o.kind === 'checked' ? o.result : { ok: false, path: o.path, error: o.code, reason: o.reason },
    );
    process.stdout.write(`${JSON.stringify({ results, passed, failed, unusable }, null, 2)}\n`);
  } else {
    const parts = [`${passed} passed`, `${failed} failed`];
    if (unusable > 0) parts.push(`${unusable} could not be loaded`);
    process.stdout.write(
      `\n${parts.join(', ')} (${outcomes.length} envelope${outcomes.length === 1 ? '' : 's'})\n`,
    );
  }
  return unusable > 0 ? 2 : failed > 0 ? 1 : 0;
}

export function register(program: Command): void {
  program
    .command('verify')
    .summary('verify envelope content hashes and signatures')
    .description(
      "Recompute each envelope's content_hash (lossless: numbers keep their text), compare it with the " +
        'file-name prefix, and check the signature: dev-key (ed25519) against the embedded key or ' +
        '--dev-public-key, keyless (Sigstore) against --trusted-root offline. ' +
        'Exit 0 when every file passes, 1 when a check fails, 2 when a file cannot be loaded.',
    )
    .argument('<paths...>', 'envelope files or directories (searched recursively for *.json)')
    .option('--dev-public-key <pem>', 'trusted ed25519 public key: dev-key envelopes must be signed by it')
    .option('--trusted-root <file>', 'Sigstore trusted_root.json for offline keyless verification')
    .option(
      '--identity <pattern>',
      'keyless: certificate identity must match this regular expression (anchored)',
    )
    .option('--allow-unsigned', 'accept envelopes whose signature is null (hash checks still apply)')
    .option('--json', 'print the results as JSON')
    .action(async (paths: string[], flags: VerifyFlags) => {
      process.exitCode = await runVerify(paths, flags);
    });
}
