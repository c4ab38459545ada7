// Checks that turn bad input into one clear line and exit 2 before any request is sent.
import { randomBytes } from 'node:crypto';
import { mkdir, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { request } from 'undici';
import { loadDevSigner, type SigningOptions } from '../../envelope/index.js';
import { UsageError } from '../errors.js';

export async function preflightSigning(signing: SigningOptions): Promise<void> {
  if (signing.mode === 'dev') {
    await loadDevSigner(signing.keyPath);
    return;
  }
  if (!signing.idToken && !process.env.SIGSTORE_ID_TOKEN) {
    throw new UsageError(
      '--signing-mode keyless needs an OIDC token in SIGSTORE_ID_TOKEN (e.g. from your CI provider or `gcloud auth print-identity-token --audiences=sigstore`)',
      'E_KEYLESS_TOKEN',
    );
  }
}

export async function prepareOutputDir(dir: string): Promise<void> {
  const probe = join(dir, `.bench-write-probe-${randomBytes(4).toString('hex')}`);
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(probe, '');
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
