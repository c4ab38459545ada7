// bench verify <files or dirs…>: recompute content_hash, compare with the file-name prefix, check
// the signature. Exit 0 when every file passes, 1 when a check fails, 2 when a file cannot be used.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { loadPublicKeyFile, verifyEnvelopeFile } from '../../envelope/index.js';
import type { VerifyOptions, VerifyResult } from '../../envelope/index.js';
import { isCodedError, UsageError } from '../errors.js';
import { addMaxFileBytesOption } from './file-options.js';
import {
  addTrustOptions,
  trustLabel,
  trustStoreFromFlags,
  untrustedSummary,
  type TrustFlags,
} from './trust-options.js';

interface VerifyFlags extends TrustFlags {
  devPublicKey?: string;
  trustedRoot?: string;
  allowUnsigned?: boolean;
  identity?: string;
  json?: boolean;
  maxFileBytes?: number;
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

function methodLine(result: VerifyResult): string {
  if (result.method === null) return 'none (unsigned)';
  // Say what was actually established: a failed check must not read like a good signature.
  const state = result.ok ? null : result.signatureChecked ? 'signature invalid' : 'signature not checked';
  if (result.method === 'dev-key') {
    if (state !== null) return `dev-key (ed25519; ${state})`;
    return result.trust === 'trusted'
      ? `dev-key (ed25519, signed by a trusted key)`
      : 'dev-key (ed25519, signed by the key embedded in the envelope)';
  }
  if (result.method === 'sigstore-cosign') {
    if (state !== null) return `sigstore-cosign (keyless; ${state})`;
    return 'sigstore-cosign (keyless, certificate chains to --trusted-root)';
  }
  return state === null ? result.method : `${result.method} (${state})`;
}

function trustLine(result: VerifyResult, trustDir: string): string {
  if (result.trust === 'trusted') return `trusted (${result.trustedBy ?? 'trust store'})`;
  if (result.trust === 'untrusted')
    return result.method === 'sigstore-cosign'
      ? `${trustLabel('untrusted')}: identity ${result.identity ?? '(none)'} matches no --identity or trusted-identities pattern`
      : `${trustLabel('untrusted')}: anyone can make such a signature; the key is not in ${trustDir} or a --trusted-key`;
  return trustLabel(result.trust);
}

/** Passed: valid, and with --require-trusted also trusted. */
function passes(result: VerifyResult, requireTrusted: boolean): boolean {
  return result.ok && (!requireTrusted || result.trust === 'trusted');
}

function renderOutcome(outcome: FileOutcome, trustDir: string, requireTrusted: boolean): string {
  if (outcome.kind === 'unusable') return `FAIL  ${outcome.path}\n    reason: ${outcome.reason}\n`;
  const r = outcome.result;
  const lines = [
    `${passes(r, requireTrusted) ? 'OK' : 'FAIL'}  ${r.path ?? ''}`,
    `    method: ${methodLine(r)}`,
    `    trust: ${trustLine(r, trustDir)}`,
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
  else if (!passes(r, requireTrusted)) lines.push(`    reason: ${trustLabel(r.trust)} (--require-trusted)`);
  else if (r.reason !== undefined) lines.push(`    note: ${r.reason}`);
  return `${lines.join('\n')}\n`;
}

export async function runVerify(inputs: readonly string[], flags: VerifyFlags): Promise<number> {
  const options: VerifyOptions = {};
  if (flags.devPublicKey !== undefined) options.devPublicKeyPem = await loadPublicKeyFile(flags.devPublicKey);
  if (flags.trustedRoot !== undefined) options.trustedRootPath = flags.trustedRoot;
  if (flags.allowUnsigned) options.allowUnsigned = true;
  if (flags.identity !== undefined) options.identityPattern = flags.identity;
  if (flags.maxFileBytes !== undefined) options.maxBytes = flags.maxFileBytes;
  options.trustStore = await trustStoreFromFlags(flags, options.devPublicKeyPem, flags.devPublicKey);
  const trustDir = options.trustStore.dir;
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
    if (!flags.json) process.stdout.write(renderOutcome(outcome, trustDir, flags.requireTrusted === true));
  }
  const requireTrusted = flags.requireTrusted === true;
  const passed = outcomes.filter((o) => o.kind === 'checked' && passes(o.result, requireTrusted)).length;
  const unusable = outcomes.filter((o) => o.kind === 'unusable').length;
  const failed = outcomes.length - passed - unusable;
  const levels = outcomes.map((o) => (o.kind === 'checked' ? o.result.trust : 'invalid'));
  const trusted = levels.filter((l) => l === 'trusted').length;
  const untrusted = outcomes.filter(
    (o) => o.kind === 'checked' && o.result.ok && o.result.trust === 'untrusted',
  ).length;
  const trustFailed = requireTrusted && trusted < outcomes.length;
  if (flags.json) {
    const results = outcomes.map((o) =>
      o.kind === 'checked'
        ? o.result
        : { ok: false, path: o.path, trust: 'invalid', error: o.code, reason: o.reason },
    );
    process.stdout.write(
      `${JSON.stringify({ results, passed, failed, unusable, trusted, untrusted }, null, 2)}\n`,
    );
  } else {
    const parts = [`${passed} passed`, `${failed} failed`];
    if (unusable > 0) parts.push(`${unusable} could not be loaded`);
    const trustNote =
      untrusted > 0 ? `; ${untrusted} valid but untrusted signer` : trusted > 0 ? `; ${trusted} trusted` : '';
    process.stdout.write(
      `\n${parts.join(', ')} (${outcomes.length} envelope${outcomes.length === 1 ? '' : 's'}${trustNote})\n`,
    );
    if (trustFailed) process.stdout.write(`${untrustedSummary(levels)}\n`);
  }
  return unusable > 0 ? 2 : failed > 0 || trustFailed ? 1 : 0;
}

export function register(program: Command): void {
  const command = program
    .command('verify')
    .summary('verify envelope content hashes and signatures')
    .description(
      "Recompute each envelope's content_hash (lossless: numbers keep their text), compare it with the " +
        'file-name prefix, and check the signature: dev-key (ed25519) against the embedded key or ' +
        '--dev-public-key, keyless (Sigstore) against --trusted-root offline. Each envelope is reported ' +
        'trusted, valid but untrusted signer, invalid or unsigned (trust store: ' +
        '~/.config/inferencebench/trusted-keys/, --trusted-key, --identity). Exit 0 when every file ' +
        'passes (with --require-trusted: every file is trusted), 1 when a check fails, 2 when a file ' +
        'cannot be loaded.',
    )
    .argument('<paths...>', 'envelope files or directories (searched recursively for *.json)')
    .option('--dev-public-key <pem>', 'trusted ed25519 public key: dev-key envelopes must be signed by it')
    .option('--trusted-root <file>', 'Sigstore trusted_root.json for offline keyless verification')
    .option(
      '--identity <pattern>',
      'keyless: certificate identity must match this regular expression (anchored)',
    )
    .option('--allow-unsigned', 'accept envelopes whose signature is null (hash checks still apply)')
    .option('--json', 'print the results as JSON');
  addTrustOptions(command, 'any envelope');
  addMaxFileBytesOption(command);
  command.action(async (paths: string[], flags: VerifyFlags) => {
    process.exitCode = await runVerify(paths, flags);
  });
}
