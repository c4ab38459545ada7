// bench fetch <uri> [--out PATH] [--force]: download an envelope (hf://, https://, http://,
// file://, a path) into the cache, then validate and verify it.
import { mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { ErrorCode } from '../../lib/errors.js';
import type { Command } from 'commander';
import { request } from 'undici';
import { DEFAULT_MAX_FILE_BYTES, readBoundedFile } from '../../envelope/io.js';
import { writeFileAtomic } from '../../lib/safe-file.js';
import { UsageError } from '../errors.js';
import { redactText, redactUrl } from '../redact.js';
import { addMaxFileBytesOption } from './file-options.js';
import { addTrustOptions, trustLabel, trustStoreFromFlags, type TrustFlags } from './trust-options.js';
import { envelopeIo, readPublicKeyFlag, type EnvelopeIo } from '../report/envelopeIo.js';
import { DEFAULT_HF_ENDPOINT, fetchCachePath, parseFetchUri, type FetchSource } from '../report/fetchUri.js';
import { getString } from '../report/envelopeView.js';
import type { CommandOutput } from './compare.js';

interface FetchFlags extends TrustFlags {
  maxFileBytes?: number;
  out?: string;
  force?: boolean;
  devPublicKey?: string;
  trustedRoot?: string;
}

export class FetchError extends UsageError {
  override name = 'FetchError';
  constructor(message: string, code: ErrorCode = 'E_FETCH', exitCode = 2) {
    super(message, code, exitCode);
  }
}

const MAX_REDIRECTS = 5;
const TIMEOUT_MS = 30_000;

async function httpGet(
  url: string,
  token: string | undefined,
  maxBytes: number = DEFAULT_MAX_FILE_BYTES,
): Promise<{ status: number; body: Buffer; url: string }> {
  let current = url;
  const origin = new URL(url).origin;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    // The token only goes to the endpoint's own origin, never to a CDN it redirects to.
    const headers: Record<string, string> = {
      'user-agent': 'inferencebench-fetch',
      'accept-encoding': 'identity',
    };
    if (token && new URL(current).origin === origin) headers.authorization = `Bearer ${token}`;
    let res;
    try {
      res = await request(current, { method: 'GET', headers, signal: AbortSignal.timeout(TIMEOUT_MS) });
    } catch (error) {
      const err = error as { code?: string; message?: string };
      throw new FetchError(
        `cannot reach ${redactUrl(current)}: ${err.code ?? redactText(err.message ?? String(error))}`,
        'E_FETCH_NETWORK',
      );
    }
    if (res.statusCode >= 300 && res.statusCode < 400 && res.headers.location) {
      await res.body.dump();
      const location = Array.isArray(res.headers.location) ? res.headers.location[0] : res.headers.location;
      current = new URL(location ?? '', current).toString();
      continue;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res.body) {
      const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
      size += buf.length;
      if (size > maxBytes) {
        res.body.destroy();
        throw new FetchError(
          `${redactUrl(current)}: larger than ${maxBytes / 1024 / 1024} MiB, not an envelope (--max-file-bytes)`,
          'E_FETCH_TOO_LARGE',
        );
      }
      chunks.push(buf);
    }
    return { status: res.statusCode, body: Buffer.concat(chunks), url: current };
  }
  throw new FetchError(`${redactUrl(url)}: more than ${MAX_REDIRECTS} redirects`, 'E_FETCH_NETWORK');
}

/** On a 404 from the Hub, list the repo's JSON files so the user can pick one. */
async function hubListing(
  source: Extract<FetchSource, { kind: 'hf' }>,
  token: string | undefined,
): Promise<string[] | null> {
  try {
    const res = await httpGet(source.treeUrl, token);
    if (res.status !== 200) return null;
    const entries = JSON.parse(res.body.toString('utf8')) as { type?: string; path?: string }[];
    return entries
      .filter((e) => e.type === 'file' && typeof e.path === 'string' && e.path.endsWith('.json'))
      .map((e) => e.path as string);
  } catch {
    return null;
  }
}

async function download(
  source: FetchSource,
  uri: string,
  dest: string,
  env: NodeJS.ProcessEnv,
  maxBytes: number,
): Promise<void> {
  await mkdir(dirname(dest), { recursive: true });
  if (source.kind === 'file') {
    let bytes: Buffer;
    try {
      // Once, at most maxBytes (a named pipe is not read twice, a huge file not at all).
      bytes = await readBoundedFile(source.path, maxBytes);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new FetchError(message, 'E_FETCH_NOT_FOUND');
    }
    await writeFileAtomic(dest, bytes);
    return;
  }
  const token = source.kind === 'hf' ? env.HF_TOKEN || env.HUGGING_FACE_HUB_TOKEN || undefined : undefined;
  const res = await httpGet(source.url, token, maxBytes);
  if (res.status === 401 || res.status === 403) {
    throw new FetchError(
      `${uri}: HTTP ${res.status} (${source.kind === 'hf' ? (token ? 'HF_TOKEN has no access to this dataset' : 'gated or private: set HF_TOKEN') : 'access denied'})`,
      'E_FETCH_AUTH',
    );
  }
  if (res.status === 404) {
    let hint = '';
    if (source.kind === 'hf') {
      const files = await hubListing(source, token);
      if (files !== null)
        hint =
          files.length > 0
            ? `; JSON files in the repo: ${files.slice(0, 10).join(', ')}`
            : '; the repo has no JSON files';
    }
    throw new FetchError(`${uri}: not found (HTTP 404)${hint}`, 'E_FETCH_NOT_FOUND');
  }
  if (res.status !== 200) throw new FetchError(`${uri}: HTTP ${res.status}`, 'E_FETCH_HTTP');
  await writeFileAtomic(dest, res.body);
}

function sourceName(source: FetchSource): string {
  if (source.kind === 'file') return source.path;
  if (source.kind === 'hf') return source.file;
  return decodeURIComponent(new URL(source.url).pathname.split('/').pop() ?? '') || 'download.json';
}

export async function runFetch(
  uri: string,
  flags: FetchFlags,
  io: EnvelopeIo = envelopeIo,
  env: NodeJS.ProcessEnv = process.env,
): Promise<CommandOutput> {
  const source = parseFetchUri(
    uri,
    env.HF_ENDPOINT && env.HF_ENDPOINT !== '' ? env.HF_ENDPOINT : DEFAULT_HF_ENDPOINT,
  );
  const dest = flags.out ? resolve(flags.out) : fetchCachePath(uri, env);
  let stderr = '';
  const exists = await stat(dest).then(
    (s) => s.isFile(),
    () => false,
  );
  if (exists && !flags.force) stderr += `cache hit: ${dest} (use --force to download again)\n`;
  else {
    stderr += `fetching ${source.kind === 'file' ? source.path : redactUrl(source.url)}\n`;
    await download(source, uri, dest, env, flags.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES);
  }
  let loaded;
  try {
    loaded = await io.read(dest, flags.maxFileBytes !== undefined ? { maxBytes: flags.maxFileBytes } : {});
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // Keep the payload for inspection; exit 2 (the input is unusable).
    throw new FetchError(
      `fetched payload is not a valid envelope (kept at ${dest}): ${message}`,
      'E_FETCH_INVALID',
    );
  }
  const devPublicKeyPem = await readPublicKeyFlag(flags.devPublicKey);
  // The cache file is named after the URI, not the content: check the hash prefix against the
  // name the envelope had at its source (e.g. c16-<hash12>.json) instead.
  const check = await io.verify(
    { ...loaded, path: sourceName(source) },
    {
      ...(devPublicKeyPem !== undefined ? { devPublicKeyPem } : {}),
      ...(flags.trustedRoot !== undefined ? { trustedRootPath: flags.trustedRoot } : {}),
      trustStore: await trustStoreFromFlags(flags, devPublicKeyPem, flags.devPublicKey),
    },
  );
  const trustFailed = flags.requireTrusted === true && check.trust !== 'trusted';
  const lines = [
    `${check.ok && !trustFailed ? 'OK' : 'FAIL'}  fetched ${redactUrl(uri)}`,
    `    local_path: ${dest}`,
    `    content_hash: ${check.contentHash ?? '?'}`,
    `    suite_id: ${getString(loaded.envelope, 'suite_id') ?? '?'}`,
    `    model_id: ${getString(loaded.envelope, 'model', 'id') ?? '?'}`,
    `    signature: ${check.method ?? 'none (unsigned)'}`,
    `    trust: ${trustLabel(check.trust)}`,
  ];
  if (!check.ok) lines.push(`    reason: ${check.reason ?? 'signature check failed'}`);
  else if (trustFailed) lines.push(`    reason: --require-trusted: the signer is not trusted`);
  return { stdout: `${lines.join('\n')}\n`, stderr, exitCode: check.ok && !trustFailed ? 0 : 1 };
}

export function register(program: Command): void {
  const command = program
    .command('fetch')
    .summary('download an envelope and verify it')
    .description(
      'Download an envelope (hf://datasets/<owner>/<repo>[/<file>], https://, http://, file://, path) and verify it.',
    )
    .argument('<uri>', 'where the envelope lives')
    .option(
      '--out <path>',
      'destination file (default: ~/.cache/inferencebench/fetched/<sha256(uri)[:12]>.json)',
    )
    .option('--force', 'download again even when the destination exists')
    .option('--dev-public-key <path>', 'require dev-key envelopes to be signed by this key')
    .option('--trusted-root <file>', 'Sigstore trusted_root.json for keyless envelopes');
  addTrustOptions(command, 'the envelope');
  addMaxFileBytesOption(command);
  command.action(async (uri: string, flags: FetchFlags) => {
    const out = await runFetch(uri, flags);
    process.stderr.write(out.stderr);
    process.stdout.write(out.stdout);
    if (out.exitCode !== 0) process.exitCode = out.exitCode;
  });
}
