// Gathering doctor's host facts from /proc and /sys (root injectable for tests) and probing an
// endpoint over HTTP. GPU facts come from src/telemetry (see commands/doctor.ts).
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Agent, request, type Dispatcher } from 'undici';
import type { EndpointFacts, EndpointProbe } from './facts.js';

async function readText(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return null;
  }
}

/** scaling_governor of each cpuN that exposes cpufreq; null when none does. */
export async function readCpuGovernors(root = '/'): Promise<string[] | null> {
  const dir = join(root, 'sys/devices/system/cpu');
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return null;
  }
  const cpus = names
    .filter((n) => /^cpu\d+$/.test(n))
    .sort((a, b) => Number(a.slice(3)) - Number(b.slice(3)));
  const out: string[] = [];
  for (const cpu of cpus) {
    const text = await readText(join(dir, cpu, 'cpufreq/scaling_governor'));
    if (text !== null && text.trim() !== '') out.push(text.trim());
  }
  return out.length > 0 ? out : null;
}

export function parseMeminfoSwap(text: string): { totalKiB: number; freeKiB: number } | null {
  const total = /^SwapTotal:\s+(\d+)\s*kB/m.exec(text);
  const free = /^SwapFree:\s+(\d+)\s*kB/m.exec(text);
  if (!total?.[1] || !free?.[1]) return null;
  return { totalKiB: Number(total[1]), freeKiB: Number(free[1]) };
}

export async function readSwap(root = '/'): Promise<{ totalKiB: number; freeKiB: number } | null> {
  const text = await readText(join(root, 'proc/meminfo'));
  return text === null ? null : parseMeminfoSwap(text);
}

/** "Max open files  1024  4096  files" from /proc/self/limits. */
export function parseOpenFileLimit(text: string): { soft: number; hard: number } | null {
  const match = /^Max open files\s+(\S+)\s+(\S+)/m.exec(text);
  if (!match?.[1] || !match[2]) return null;
  const value = (s: string): number => (s === 'unlimited' ? Number.MAX_SAFE_INTEGER : Number(s));
  const soft = value(match[1]);
  const hard = value(match[2]);
  return Number.isFinite(soft) && Number.isFinite(hard) ? { soft, hard } : null;
}

export async function readOpenFileLimit(root = '/'): Promise<{ soft: number; hard: number } | null> {
  const text = await readText(join(root, 'proc/self/limits'));
  return text === null ? null : parseOpenFileLimit(text);
}

export function parsePortRange(text: string): { low: number; high: number } | null {
  const parts = text.trim().split(/\s+/).map(Number);
  const [low, high] = parts;
  if (
    low === undefined ||
    high === undefined ||
    !Number.isInteger(low) ||
    !Number.isInteger(high) ||
    high < low
  )
    return null;
  return { low, high };
}

export async function readPortRange(root = '/'): Promise<{ low: number; high: number } | null> {
  const text = await readText(join(root, 'proc/sys/net/ipv4/ip_local_port_range'));
  return text === null ? null : parsePortRange(text);
}

// ---- endpoint ------------------------------------------------------------------------------

async function probe(
  dispatcher: Dispatcher,
  url: string,
  describe: (status: number, body: string) => string | undefined,
  timeoutMs: number,
): Promise<EndpointProbe> {
  try {
    const res = await request(url, {
      dispatcher,
      method: 'GET',
      signal: AbortSignal.timeout(timeoutMs),
      headers: process.env.OPENAI_API_KEY ? { authorization: `Bearer ${process.env.OPENAI_API_KEY}` } : {},
    });
    const body = await res.body.text();
    const detail = res.statusCode === 200 ? describe(res.statusCode, body) : undefined;
    return { url, status: res.statusCode, ...(detail ? { detail } : {}) };
  } catch (error) {
    const err = error as { code?: string; message?: string; name?: string };
    const text =
      err.name === 'TimeoutError'
        ? `no answer within ${timeoutMs} ms`
        : (err.code ?? err.message ?? String(error));
    return { url, status: null, error: text };
  }
}

function describeModels(_status: number, body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { data?: { id?: unknown }[] };
    const ids = (parsed.data ?? []).map((m) => (typeof m.id === 'string' ? m.id : '?'));
    return `${ids.length} model${ids.length === 1 ? '' : 's'}${ids.length > 0 ? `: ${ids.slice(0, 3).join(', ')}` : ''}`;
  } catch {
    return 'body is not JSON';
  }
}

function describeMetrics(_status: number, body: string): string | undefined {
  const families = new Set<string>();
  for (const line of body.split('\n')) {
    const m = /^# TYPE (\S+)/.exec(line);
    if (m?.[1]) families.add(m[1]);
  }
  const vllm = [...families].filter((f) => f.startsWith('vllm:')).length;
  return `${families.size} metric families${vllm > 0 ? ` (${vllm} vllm:)` : ''}`;
}

/**
 * Probes `<base>/models` (base usually ends in /v1), and `/health` + `/metrics` at the server root.
 */
export async function probeEndpoint(baseUrl: string, timeoutMs = 3000): Promise<EndpointFacts> {
  const base = baseUrl.replace(/\/+$/, '');
  const root = base.replace(/\/v1$/, '');
  // A private agent: fresh connections, closed afterwards (no keep-alive socket outlives doctor).
  const agent = new Agent({ connections: 3 });
  try {
    const [models, health, metrics] = await Promise.all([
      probe(agent, `${base}/models`, describeModels, timeoutMs),
      probe(agent, `${root}/health`, () => undefined, timeoutMs),
      probe(agent, `${root}/metrics`, describeMetrics, timeoutMs),
    ]);
    return { baseUrl: base, models, health, metrics };
  } finally {
    await agent.close();
  }
}
