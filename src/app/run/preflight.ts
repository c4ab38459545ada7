// Checks that turn bad input into one clear line and exit 2 before any request is sent.
import { randomBytes } from 'node:crypto';
import { mkdir, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { request } from 'undici';
import { loadDevSigner, type SigningOptions } from '../../envelope/index.js';
import { checkOutputDir } from '../../lib/safe-file.js';
import { UsageError } from '../errors.js';

export async function preflightSigning(signing: SigningOptions): Promise<void> {
  if (signing.mode === 'dev') {
    await loadDevSigner(signing.keyPath);
    return;
  }
  const token = signing.idToken ?? process.env.SIGSTORE_ID_TOKEN;
  if (!token) {
    throw new UsageError(
      '--signing-mode keyless needs an OIDC token in SIGSTORE_ID_TOKEN (e.g. from your CI provider or `gcloud auth print-identity-token --audiences=sigstore`)',
      'E_KEYLESS_TOKEN',
    );
  }
  checkIdToken(token, Date.now());
}

/**
 * What can be known about a keyless token before any load is sent: it is a JWT, and it has not
 * expired (Fulcio refuses an expired one, which would otherwise be found after the whole run).
 */
export function checkIdToken(token: string, nowMs: number): void {
  const parts = token.trim().split('.');
  let payload: { exp?: unknown } | null = null;
  if (parts.length === 3) {
    try {
      payload = JSON.parse(Buffer.from(parts[1] ?? '', 'base64url').toString('utf8')) as { exp?: unknown };
    } catch {
      payload = null;
    }
  }
  if (payload === null || typeof payload !== 'object')
    throw new UsageError('SIGSTORE_ID_TOKEN is not an OIDC identity token (a JWT)', 'E_KEYLESS_TOKEN');
  if (typeof payload.exp === 'number' && payload.exp * 1000 <= nowMs)
    throw new UsageError(
      `SIGSTORE_ID_TOKEN expired at ${new Date(payload.exp * 1000).toISOString()}: get a fresh one`,
      'E_KEYLESS_TOKEN',
    );
}

export async function prepareOutputDir(dir: string): Promise<void> {
  // Ownership, planted links, /proc and friends: refused before anything is created (exit 2).
  checkOutputDir(dir);
  const probe = join(dir, `.bench-write-probe-${randomBytes(4).toString('hex')}`);
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(probe, '', { flag: 'wx' });
    await unlink(probe);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new UsageError(`output directory ${dir} is not writable (${code})`, 'E_OUTPUT_DIR');
  }
}

interface ModelList {
  data?: { id?: unknown }[];
}

/**
 * Confirms the endpoint answers before the run starts and resolves the model id
 * (the endpoint's first model when --model is not given).
 */
export async function checkEndpoint(
  baseUrl: string,
  model: string,
  apiKey: string | undefined,
): Promise<string> {
  const host = new URL(baseUrl).host;
  let status: number;
  let body: string;
  try {
    const response = await request(`${baseUrl}/models`, {
      method: 'GET',
      headers: apiKey ? { authorization: `Bearer ${apiKey}` } : {},
      signal: AbortSignal.timeout(5000),
    });
    status = response.statusCode;
    body = await response.body.text();
  } catch (error) {
    const reason = (error as { code?: string }).code ?? (error as Error).name ?? 'error';
    throw new UsageError(`cannot reach ${baseUrl} (${reason}): is the engine running?`, 'E_UNREACHABLE');
  }
  if (status === 401 || status === 403) {
    throw new UsageError(
      `${host} rejected the request (HTTP ${status}): set the API key (--api-key-env)`,
      'E_AUTH',
    );
  }
  if (status !== 200) {
    if (model) return model; // Some servers do not implement /v1/models; the run itself will tell.
    throw new UsageError(`${baseUrl}/models answered HTTP ${status}: pass --model explicitly`, 'E_NO_MODEL');
  }
  let ids: string[] = [];
  try {
    ids = ((JSON.parse(body) as ModelList).data ?? []).map((m) => String(m.id));
  } catch {
    ids = [];
  }
  if (!model) {
    const first = ids[0];
    if (!first) throw new UsageError(`${host} lists no models: pass --model explicitly`, 'E_NO_MODEL');
    return first;
  }
  if (ids.length > 0 && !ids.includes(model)) {
    throw new UsageError(
      `model "${model}" is not served by ${host} (it serves: ${ids.join(', ')})`,
      'E_MODEL',
    );
  }
  return model;
}
