// software_provenance (envelope v1) and the engine's version.
// pip_freeze_hash: InferenceBench hashes `pip freeze`; we are a Node tool, so it holds the sha256
// of the package lockfile's bytes (package-lock.json), or of "" when there is none (as
// InferenceBench writes when it has no freeze). nvidia_smi_q_hash: sha256 of `nvidia-smi -q`
// stdout, or of "" when nvidia-smi is absent. git_commit: HEAD of the checkout, else 40 zeros.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { request } from 'undici';

export interface SoftwareProvenance {
  readonly image_digest: string;
  readonly pip_freeze_hash: string;
  readonly git_commit: string;
  readonly nvidia_smi_q_hash: string;
}

export const EMPTY_SHA256 = createHash('sha256').update('').digest('hex');
export const ZERO_COMMIT = '0'.repeat(40);

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

function run(
  cmd: string,
  args: string[],
  cwd: string | undefined,
  timeoutMs: number,
): Promise<string | null> {
  return new Promise((resolve) => {
    try {
      execFile(
        cmd,
        args,
        { cwd, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, encoding: 'buffer' },
        (err, stdout) => resolve(err ? null : stdout.toString('utf8')),
      );
    } catch {
      resolve(null);
    }
  });
}

export async function gitCommit(cwd?: string): Promise<string> {
  const out = await run('git', ['rev-parse', 'HEAD'], cwd, 5000);
  const sha = out?.trim() ?? '';
  return /^[0-9a-f]{40}$/.test(sha) ? sha : ZERO_COMMIT;
}

export async function nvidiaSmiQHash(nvidiaSmi = 'nvidia-smi'): Promise<string> {
  const out = await run(nvidiaSmi, ['-q'], undefined, 30_000);
  return out === null ? EMPTY_SHA256 : sha256Hex(out);
}

export interface ProvenanceOptions {
  /** Default: package-lock.json in cwd. */
  readonly lockfilePath?: string;
  /** The lockfile's sha256, known already (a bundle carries its own); wins over lockfilePath. */
  readonly lockfileSha256?: string;
  readonly cwd?: string;
  readonly imageDigest?: string;
  /** nvidia-smi binary (tests); default "nvidia-smi" on PATH. */
  readonly nvidiaSmi?: string;
}

export async function collectProvenance(opts: ProvenanceOptions = {}): Promise<SoftwareProvenance> {
  const cwd = opts.cwd ?? process.cwd();
  const lockPath = opts.lockfilePath ?? `${cwd}/package-lock.json`;
  let lockHash = opts.lockfileSha256 ?? EMPTY_SHA256;
  if (opts.lockfileSha256 === undefined) {
    try {
      lockHash = sha256Hex(await readFile(lockPath));
    } catch {
      // no lockfile: the empty-string hash, as InferenceBench writes without a freeze
    }
  }
  const [git, smi] = await Promise.all([gitCommit(cwd), nvidiaSmiQHash(opts.nvidiaSmi)]);
  return {
    image_digest: opts.imageDigest ?? '',
    pip_freeze_hash: lockHash,
    git_commit: git,
    nvidia_smi_q_hash: smi,
  };
}

export interface EngineVersion {
  /** 'vllm', 'sglang', … from /version or the models' owned_by; null when unknown. */
  readonly name: string | null;
  /** Version string; null when the server does not expose one. */
  readonly version: string | null;
  readonly source: '/version' | '/get_server_info' | '/v1/models' | null;
}

async function getJson(url: string, timeoutMs: number): Promise<unknown> {
  try {
    const res = await request(url, {
      method: 'GET',
      signal: AbortSignal.timeout(timeoutMs),
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    const text = await res.body.text();
    if (res.statusCode !== 200) return null;
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

/** The server root of an OpenAI base URL (`http://h:8000/v1` → `http://h:8000`): /version etc. live there. */
export function rootOf(baseUrl: string): string {
  const u = new URL(baseUrl);
  u.pathname = u.pathname.replace(/\/v1\/?$/, '/').replace(/\/+$/, '');
  u.search = '';
  u.hash = '';
  return u.toString().replace(/\/+$/, '');
}

/** Engine name/version from /version (vLLM), /get_server_info (SGLang) or /v1/models metadata. */
export async function probeEngineVersion(
  baseUrl: string,
  opts: { timeoutMs?: number } = {},
): Promise<EngineVersion> {
  const timeoutMs = opts.timeoutMs ?? 3000;
  const root = rootOf(baseUrl);
  const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null);
  const obj = (v: unknown): Record<string, unknown> | null =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;

  const models = obj(await getJson(`${root}/v1/models`, timeoutMs));
  const data = Array.isArray(models?.data) ? (models.data as unknown[]) : [];
  const m0 = obj(data[0]);
  const ownedBy = str(m0?.owned_by);
  const nameFromModels = ownedBy && ownedBy !== 'system' && ownedBy !== 'organization-owner' ? ownedBy : null;

  const v = obj(await getJson(`${root}/version`, timeoutMs));
  const ver = str(v?.version);
  if (ver)
    return { name: str(v?.name) ?? str(v?.engine) ?? nameFromModels, version: ver, source: '/version' };

  const info = obj(await getJson(`${root}/get_server_info`, timeoutMs));
  const sgVer = str(info?.version);
  if (sgVer) return { name: nameFromModels ?? 'sglang', version: sgVer, source: '/get_server_info' };

  const mVer = str(m0?.version) ?? str(obj(m0?.metadata)?.version) ?? str(obj(m0?.meta)?.version);
  if (mVer || nameFromModels) return { name: nameFromModels, version: mVer, source: '/v1/models' };
  return { name: null, version: null, source: null };
}
