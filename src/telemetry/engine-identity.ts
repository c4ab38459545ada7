// Is the endpoint the embedded simulated engine? It says so on every response with the header
// `x-inferencebench-engine: sim/<version>`, and its /version body carries `simulated: true` and a
// version ending in `-sim`. A run, replay or profile against it is simulated whatever --engine says.
import { request } from 'undici';
import { rootOf } from './provenance.js';

export const ENGINE_ID_HEADER = 'x-inferencebench-engine';

export interface EngineIdentity {
  /** True when the endpoint identified itself as the embedded simulated engine. */
  readonly simulated: boolean;
  /** The header's value (e.g. `sim/0.1.0-sim`), null when absent. */
  readonly engineId: string | null;
  /** What gave it away: the response header, the /version body, or nothing. */
  readonly evidence: 'header' | 'version' | null;
}

const NONE: EngineIdentity = { simulated: false, engineId: null, evidence: null };

/** Identity from one response's headers (the stream client can call this on any response). */
export function identityFromHeader(value: string | string[] | undefined): EngineIdentity | null {
  const v = Array.isArray(value) ? value[0] : value;
  if (typeof v !== 'string' || v.trim() === '') return null;
  const engineId = v.trim().slice(0, 200);
  return { simulated: engineId.startsWith('sim/'), engineId, evidence: 'header' };
}

/** GET /version: the header first, then the body (`simulated: true`, or a version ending in -sim). */
export async function probeEngineIdentity(
  baseUrl: string,
  opts: { timeoutMs?: number } = {},
): Promise<EngineIdentity> {
  const timeoutMs = opts.timeoutMs ?? 3000;
  let root: string;
  try {
    root = rootOf(baseUrl);
  } catch {
    return NONE;
  }
  try {
    const res = await request(`${root}/version`, {
      method: 'GET',
      signal: AbortSignal.timeout(timeoutMs),
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    const fromHeader = identityFromHeader(res.headers[ENGINE_ID_HEADER]);
    const text = await res.body.text();
    if (fromHeader) return fromHeader;
    if (res.statusCode !== 200 || text.length > 65_536) return NONE;
    const body = JSON.parse(text) as unknown;
    if (body === null || typeof body !== 'object' || Array.isArray(body)) return NONE;
    const b = body as { simulated?: unknown; version?: unknown };
    const simulated =
      b.simulated === true || (typeof b.version === 'string' && /-sim$/.test(b.version.trim()));
    return simulated ? { simulated: true, engineId: null, evidence: 'version' } : NONE;
  } catch {
    return NONE;
  }
}
