// `bench fetch`: which URIs are accepted, where they resolve, and where the cached copy lives.
import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../errors.js';
import { cacheRoot } from '../../lib/paths.js';

export type FetchSource =
  | {
      readonly kind: 'hf';
      readonly owner: string;
      readonly repo: string;
      readonly file: string;
      readonly url: string;
      readonly treeUrl: string;
    }
  | { readonly kind: 'http'; readonly url: string }
  | { readonly kind: 'file'; readonly path: string };

export const DEFAULT_HF_ENDPOINT = 'https://huggingface.co';
export const DEFAULT_HF_FILE = 'envelope.json';

export class UnsupportedSchemeError extends UsageError {
  override name = 'UnsupportedSchemeError';
  constructor(scheme: string) {
    super(
      `unsupported URI scheme "${scheme}:" (supported: hf://datasets/<owner>/<repo>[/<file>], https://, http://, file://, a local path)`,
      'E_FETCH_SCHEME',
    );
  }
}

/** Parses a fetch URI. `endpoint` is HF_ENDPOINT (default https://huggingface.co). */
export function parseFetchUri(uri: string, endpoint = DEFAULT_HF_ENDPOINT): FetchSource {
  const schemeMatch = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(uri);
  // A Windows-style drive letter ("C:") is not a scheme; neither is a path without "://".
  const scheme =
    schemeMatch && uri.slice(schemeMatch[0].length).startsWith('//')
      ? schemeMatch[1]?.toLowerCase()
      : undefined;
  if (scheme === undefined) {
    if (uri.trim() === '') throw new UsageError('fetch needs a URI or a path', 'E_FETCH_URI');
    return { kind: 'file', path: resolve(uri) };
  }
  if (scheme === 'file') {
    // file://../.. has a host ("..") and file://host/x a remote host: both are usage errors.
    try {
      return { kind: 'file', path: fileURLToPath(uri) };
    } catch {
      throw new UsageError(
        `not a usable file URI: ${uri} (use file:///absolute/path, or a plain relative path)`,
        'E_FETCH_URI',
      );
    }
  }
  if (scheme === 'http' || scheme === 'https') {
    try {
      return { kind: 'http', url: new URL(uri).toString() };
    } catch {
      throw new UsageError(`not a valid URL: ${uri}`, 'E_FETCH_URI');
    }
  }
  if (scheme === 'hf') {
    const rest = uri.slice('hf://'.length).replace(/^\/+/, '');
    const parts = rest.split('/').filter((p) => p !== '');
    if (parts[0] !== 'datasets' || parts.length < 3) {
      throw new UsageError(
        `hf URI must look like hf://datasets/<owner>/<repo>[/<file>]: ${uri}`,
        'E_FETCH_URI',
      );
    }
    const [, owner = '', repo = '', ...fileParts] = parts;
    const file = fileParts.length > 0 ? fileParts.join('/') : DEFAULT_HF_FILE;
    if (fileParts.some((p) => p === '..' || p === '.'))
      throw new UsageError(`hf URI path may not contain . or ..: ${uri}`, 'E_FETCH_URI');
    const base = endpoint.replace(/\/+$/, '');
    const enc = (s: string): string => encodeURIComponent(s);
    return {
      kind: 'hf',
      owner,
      repo,
      file,
      url: `${base}/datasets/${enc(owner)}/${enc(repo)}/resolve/main/${file.split('/').map(enc).join('/')}`,
      treeUrl: `${base}/api/datasets/${enc(owner)}/${enc(repo)}/tree/main`,
    };
  }
  throw new UnsupportedSchemeError(scheme);
}

/** `$BENCH_CACHE_DIR`, else `$XDG_CACHE_HOME/inferencebench`, else `~/.cache/inferencebench`. */
export { cacheRoot };

export function fetchCachePath(uri: string, env: NodeJS.ProcessEnv = process.env): string {
  const id = createHash('sha256').update(uri, 'utf8').digest('hex').slice(0, 12);
  return join(cacheRoot(env), 'fetched', `${id}.json`);
}
