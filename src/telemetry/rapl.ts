// CPU package and DRAM energy from Linux powercap (RAPL): /sys/class/powercap/intel-rapl:*
// (the same driver exposes AMD Zen package energy; AMD has no DRAM domain). Counters are µJ and
// wrap at max_energy_range_uj. Since CVE-2020-8694 energy_uj is root-only (0400): EACCES is
// reported as the reason, never turned into zeros.
import { access, constants, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CumulativeSeries } from './series.js';
import type { TelemetryWindowSummary } from './types.js';

export const DEFAULT_POWERCAP_ROOT = '/sys/class/powercap';

export interface RaplZone {
  readonly dir: string;
  readonly path: string;
  /** package-0, dram, core, uncore, psys … */
  readonly name: string;
  readonly kind: 'package' | 'dram' | 'other';
  readonly maxEnergyRangeUj: bigint;
}

export type RaplDiscovery =
  | { readonly available: true; readonly zones: readonly RaplZone[] }
  | { readonly available: false; readonly reason: string; readonly zones: readonly RaplZone[] };

export interface RaplOptions {
  readonly root?: string;
  /**
   * Permission check before reading energy_uj (default: fs.access R_OK, which root always passes).
   * Injectable because tests run as root, where chmod 000 does not produce EACCES.
   */
  readonly canRead?: (path: string) => Promise<boolean>;
}

const ZONE_RE = /^intel-rapl(-mmio)?:\d+(:\d+)?$/;

async function defaultCanRead(path: string): Promise<boolean> {
  try {
    await access(path, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

function code(e: unknown): string {
  return (e as NodeJS.ErrnoException)?.code ?? (e instanceof Error ? e.message : String(e));
}

/** Lists package and DRAM zones; unreadable or absent powercap gives {available: false, reason}. */
export async function discoverRapl(opts: RaplOptions = {}): Promise<RaplDiscovery> {
  const root = opts.root ?? DEFAULT_POWERCAP_ROOT;
  const canRead = opts.canRead ?? defaultCanRead;
  let entries: string[];
  try {
    entries = await readdir(root);
  } catch (e) {
    return { available: false, reason: `RAPL not available: ${root} ${code(e)}`, zones: [] };
  }
  const zones: RaplZone[] = [];
  const denied: string[] = [];
  const seen = new Set<string>();
  // plain intel-rapl zones first, so an intel-rapl-mmio duplicate of package-N is the one skipped
  const mmioLast = (d: string): string => `${d.startsWith('intel-rapl-mmio') ? 1 : 0}${d}`;
  const dirs = entries.filter((d) => ZONE_RE.test(d)).sort((a, b) => (mmioLast(a) < mmioLast(b) ? -1 : 1));
  for (const dir of dirs) {
    const path = join(root, dir);
    let name: string;
    let max: bigint;
    try {
      name = (await readFile(join(path, 'name'), 'utf8')).trim();
      max = BigInt((await readFile(join(path, 'max_energy_range_uj'), 'utf8')).trim());
    } catch {
      continue;
    }
    const kind = name.startsWith('package') ? 'package' : name === 'dram' ? 'dram' : 'other';
    if (kind === 'other') continue;
    // intel-rapl-mmio:0 duplicates package-0 on some Intel parts: keep the first of each name
    const key = kind === 'package' ? name : `${dir.split(':')[1] ?? ''}/${name}`;
    if (seen.has(key)) continue;
    const energyPath = join(path, 'energy_uj');
    if (!(await canRead(energyPath))) {
      denied.push(`${dir}/energy_uj`);
      continue;
    }
    try {
      BigInt((await readFile(energyPath, 'utf8')).trim());
    } catch (e) {
      denied.push(`${dir}/energy_uj (${code(e)})`);
      continue;
    }
    seen.add(key);
    zones.push({ dir, path, name, kind, maxEnergyRangeUj: max });
  }
  if (!zones.some((z) => z.kind === 'package')) {
    if (denied.length > 0)
      return {
        available: false,
        reason: `RAPL not readable: EACCES on ${denied.join(', ')} (root-only since the 2020 PLATYPUS fix; run as root or chmod via udev)`,
        zones,
      };
    return { available: false, reason: `RAPL not available: no package zone under ${root}`, zones };
  }
  return { available: true, zones };
}

/** Counter delta with wraparound at max_energy_range_uj. */
export function raplDeltaUj(prev: bigint, cur: bigint, maxRangeUj: bigint): bigint {
  return cur >= prev ? cur - prev : cur + (maxRangeUj - prev);
}

export type RaplWindowSummary = TelemetryWindowSummary['rapl'];

export interface RaplSamplerOptions extends RaplOptions {
  readonly intervalMs?: number;
  readonly now?: () => number;
  readonly fineCapacity?: number;
}

/**
 * Polls the zones every intervalMs and accumulates package and DRAM joules (wrap-aware) into a
 * bounded series of cumulative rows [tMs, packageJ, dramJ].
 */
export class RaplSampler {
  readonly zones: readonly RaplZone[];
  readonly intervalMs: number;
  private readonly now: () => number;
  private readonly prev = new Map<string, bigint>();
  private packageUj = 0n;
  private dramUj = 0n;
  private readonly series: CumulativeSeries;
  private timer: NodeJS.Timeout | null = null;
  private busy = false;
  readErrors = 0;
  lastError: string | null = null;
  private count = 0;

  constructor(zones: readonly RaplZone[], opts: RaplSamplerOptions = {}) {
    this.zones = zones;
    this.intervalMs = opts.intervalMs ?? 100;
    this.now = opts.now ?? (() => performance.now());
    this.series = new CumulativeSeries(3, { fineCapacity: opts.fineCapacity ?? 65_536 });
  }

  get hasDram(): boolean {
    return this.zones.some((z) => z.kind === 'dram');
  }

  get sampleCount(): number {
    return this.count;
  }

  /** Reads every zone once and records a row. */
  async sample(): Promise<void> {
    const t = this.now();
    for (const z of this.zones) {
      let cur: bigint;
      try {
        cur = BigInt((await readFile(join(z.path, 'energy_uj'), 'utf8')).trim());
      } catch (e) {
        this.readErrors++;
        this.lastError = `${z.dir}: ${code(e)}`;
        return;
      }
      const p = this.prev.get(z.dir);
      if (p !== undefined) {
        const d = raplDeltaUj(p, cur, z.maxEnergyRangeUj);
        if (z.kind === 'package') this.packageUj += d;
        else this.dramUj += d;
      }
      this.prev.set(z.dir, cur);
    }
    this.count++;
    this.series.push([t, Number(this.packageUj) / 1e6, Number(this.dramUj) / 1e6]);
  }

  start(): void {
    if (this.timer) return;
    // one read at a time: overlapping reads could see counters out of order (a false wrap)
    const tick = (): void => {
      if (this.busy) return;
      this.busy = true;
      void this.sample().finally(() => {
        this.busy = false;
      });
    };
    tick();
    this.timer = setInterval(tick, this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  totals(): { packageJ: number; dramJ: number | null } {
    return { packageJ: Number(this.packageUj) / 1e6, dramJ: this.hasDram ? Number(this.dramUj) / 1e6 : null };
  }

  summarize(startMs: number, endMs: number): RaplWindowSummary {
    // tolerate edges just outside the polled span (a poll may be late on a loaded host)
    const margin = Math.max(2 * this.intervalMs, 250);
    const p0 = this.series.interpolate(startMs, 1, margin);
    const p1 = this.series.interpolate(endMs, 1, margin);
    if (p0 === null || p1 === null)
      return { available: false, reason: 'RAPL samples do not cover the measurement window' };
    const d0 = this.series.interpolate(startMs, 2, margin) ?? 0;
    const d1 = this.series.interpolate(endMs, 2, margin) ?? 0;
    const a = this.series.atOrBefore(startMs);
    const b = this.series.atOrBefore(endMs);
    // sample count: rows with start < t <= end (row index difference within the fine ring)
    const inWindow = b && (!a || a.layer === 'fine') ? this.countBetween(startMs, endMs) : 0;
    return {
      available: true,
      packageJoules: p1 - p0,
      dramJoules: this.hasDram ? d1 - d0 : null,
      sampleCount: inWindow,
      intervalMs: inWindow > 1 ? (endMs - startMs) / inWindow : this.intervalMs,
    };
  }

  private countBetween(startMs: number, endMs: number): number {
    const f = this.series.fine;
    return f.lastAtOrBefore(endMs) - f.lastAtOrBefore(startMs);
  }
}
