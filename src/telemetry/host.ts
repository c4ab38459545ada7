// Small host readers (Linux /proc and /sys) shared by the fingerprint and `bench doctor`.
// Every reader takes an injectable root ("/" by default) so tests run against a fake tree.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

export async function readText(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return null;
  }
}

/** "0-3,8,10-11" → [0,1,2,3,8,10,11]. */
export function parseCpuList(text: string): number[] {
  const out: number[] = [];
  for (const part of text.trim().split(',')) {
    if (part === '') continue;
    const [a, b] = part.split('-');
    const lo = Number(a);
    const hi = b === undefined ? lo : Number(b);
    if (!Number.isInteger(lo) || !Number.isInteger(hi)) continue;
    for (let i = lo; i <= hi; i++) out.push(i);
  }
  return out;
}

export interface CpuInfo {
  readonly model: string;
  readonly microcode: string;
  readonly logicalCpus: number;
}

/** CPU model and microcode from /proc/cpuinfo ("unknown" when absent). */
export async function readCpuInfo(root = '/'): Promise<CpuInfo> {
  const text = (await readText(join(root, 'proc/cpuinfo'))) ?? '';
  const field = (key: string): string | null => {
    const m = new RegExp(`^${key}\\s*:\\s*(.*)$`, 'm').exec(text);
    return m?.[1]?.trim() || null;
  };
  return {
    model: field('model name') ?? field('Model') ?? field('cpu model') ?? 'unknown',
    microcode: field('microcode') ?? 'unknown',
    logicalCpus: (text.match(/^processor\s*:/gm) ?? []).length,
  };
}

export interface NumaNode {
  readonly id: number;
  readonly cpus: number[];
  readonly memory_mb: number;
}

/** NUMA nodes from /sys/devices/system/node/node<N>/{cpulist,meminfo}, sorted by id. */
export async function readNumaNodes(root = '/'): Promise<NumaNode[]> {
  const base = join(root, 'sys/devices/system/node');
  let entries: string[];
  try {
    entries = await readdir(base);
  } catch {
    return [];
  }
  const nodes: NumaNode[] = [];
  for (const e of entries) {
    const m = /^node(\d+)$/.exec(e);
    if (!m) continue;
    const id = Number(m[1]);
    const cpus = parseCpuList((await readText(join(base, e, 'cpulist'))) ?? '');
    const meminfo = (await readText(join(base, e, 'meminfo'))) ?? '';
    const kb = /MemTotal:\s*(\d+)\s*kB/.exec(meminfo)?.[1];
    nodes.push({ id, cpus, memory_mb: kb ? Math.floor(Number(kb) / 1024) : 0 });
  }
  return nodes.sort((a, b) => a.id - b.id);
}

/** Distinct cpufreq scaling governors (e.g. ["performance"]); [] when cpufreq is absent (VMs). */
export async function readCpuGovernors(root = '/'): Promise<string[]> {
  const base = join(root, 'sys/devices/system/cpu');
  let entries: string[];
  try {
    entries = await readdir(base);
  } catch {
    return [];
  }
  const govs = new Set<string>();
  for (const e of entries) {
    if (!/^cpu\d+$/.test(e)) continue;
    const g = await readText(join(base, e, 'cpufreq/scaling_governor'));
    if (g !== null && g.trim() !== '') govs.add(g.trim());
  }
  return [...govs].sort();
}

/** SwapTotal from /proc/meminfo in kB; null when unreadable. */
export async function readSwapTotalKb(root = '/'): Promise<number | null> {
  const text = await readText(join(root, 'proc/meminfo'));
  const kb = text ? /^SwapTotal:\s*(\d+)\s*kB/m.exec(text)?.[1] : undefined;
  return kb === undefined ? null : Number(kb);
}

/** Transparent huge pages mode ("always", "madvise", "never"); null when unreadable. */
export async function readTransparentHugepages(root = '/'): Promise<string | null> {
  const text = await readText(join(root, 'sys/kernel/mm/transparent_hugepage/enabled'));
  return text ? (/\[(\w+)\]/.exec(text)?.[1] ?? null) : null;
}
