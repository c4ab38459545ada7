// RAPL against a fake powercap tree in a temp dir.
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { discoverRapl, raplDeltaUj, RaplSampler, startTelemetry } from '../../../src/telemetry/index.js';

function zone(
  root: string,
  dir: string,
  name: string,
  energyUj: bigint | number,
  maxUj: bigint | number,
): string {
  const p = join(root, dir);
  mkdirSync(p, { recursive: true });
  writeFileSync(join(p, 'name'), `${name}\n`);
  writeFileSync(join(p, 'energy_uj'), `${energyUj}\n`);
  writeFileSync(join(p, 'max_energy_range_uj'), `${maxUj}\n`);
  return p;
}

function intelTree(): string {
  const root = mkdtempSync(join(tmpdir(), 'powercap-'));
  zone(root, 'intel-rapl:0', 'package-0', 1_000_000, 262_143_328_850);
  zone(root, 'intel-rapl:0:0', 'dram', 500_000, 65_712_999_613);
  zone(root, 'intel-rapl:0:1', 'core', 1, 262_143_328_850); // ignored
  zone(root, 'intel-rapl:1', 'package-1', 2_000_000, 262_143_328_850);
  zone(root, 'intel-rapl-mmio:0', 'package-0', 1_000_000, 262_143_328_850); // duplicate of package-0
  mkdirSync(join(root, 'not-a-zone'));
  return root;
}

const setEnergy = (root: string, dir: string, uj: bigint | number): void =>
  writeFileSync(join(root, dir, 'energy_uj'), `${uj}\n`);

describe('discoverRapl', () => {
  it('finds package and DRAM zones by name, skipping core and the mmio duplicate', async () => {
    const root = intelTree();
    const d = await discoverRapl({ root });
    expect(d.available).toBe(true);
    expect(d.zones.map((z) => [z.dir, z.name, z.kind])).toEqual([
      ['intel-rapl:0', 'package-0', 'package'],
      ['intel-rapl:0:0', 'dram', 'dram'],
      ['intel-rapl:1', 'package-1', 'package'],
    ]);
    expect(d.zones[0]?.maxEnergyRangeUj).toBe(262_143_328_850n);
  });

  it('absent powercap (VMs, these machines) is "not available" with ENOENT', async () => {
    const d = await discoverRapl({ root: '/nonexistent/powercap' });
    expect(d).toEqual({
      available: false,
      reason: 'RAPL not available: /nonexistent/powercap ENOENT',
      zones: [],
    });
  });

  it('this machine: the real /sys/class/powercap is either readable or reported with a reason', async () => {
    const d = await discoverRapl();
    if (!d.available) expect(d.reason).toMatch(/^RAPL not (available|readable)/);
    else expect(d.zones.length).toBeGreaterThan(0);
  });

  it('EACCES (root-only energy_uj since 2020) is reported via the injected permission check (tests run as root)', async () => {
    const root = intelTree();
    const d = await discoverRapl({ root, canRead: async () => false });
    expect(d.available).toBe(false);
    if (!d.available)
      expect(d.reason).toMatch(/^RAPL not readable: EACCES on intel-rapl:0\/energy_uj, .*root-only/);
  });

  it('EACCES via real file permissions when not running as root', async () => {
    const root = intelTree();
    for (const z of ['intel-rapl:0', 'intel-rapl:0:0', 'intel-rapl:1', 'intel-rapl-mmio:0'])
      chmodSync(join(root, z, 'energy_uj'), 0o000);
    const d = await discoverRapl({ root });
    if (process.getuid?.() === 0)
      expect(d.available).toBe(true); // root bypasses mode bits
    else expect(d.available).toBe(false);
  });

  it('AMD: package zones without a DRAM domain give dramJoules null', async () => {
    const root = mkdtempSync(join(tmpdir(), 'powercap-amd-'));
    zone(root, 'intel-rapl:0', 'package-0', 10, 65_532_610_987);
    const d = await discoverRapl({ root });
    if (!d.available) throw new Error(d.reason);
    let now = 0;
    const s = new RaplSampler(d.zones, { intervalMs: 25, now: () => now });
    await s.sample();
    now = 1000;
    setEnergy(root, 'intel-rapl:0', 90_000_010);
    await s.sample();
    expect(s.totals()).toEqual({ packageJ: 90, dramJ: null });
    const w = s.summarize(0, 1000);
    expect(w).toEqual({
      available: true,
      packageJoules: 90,
      dramJoules: null,
      sampleCount: 1,
      intervalMs: 25,
    });
  });
});

describe('RaplSampler', () => {
  it('accumulates across counter wraparound at max_energy_range_uj', async () => {
    const root = intelTree();
    const d = await discoverRapl({ root });
    if (!d.available) throw new Error(d.reason);
    let now = 0;
    const s = new RaplSampler(d.zones, { intervalMs: 100, now: () => now });
    setEnergy(root, 'intel-rapl:0', 262_143_000_000n);
    await s.sample();
    now = 100;
    setEnergy(root, 'intel-rapl:0', 1_000_000n); // wrapped: 328 850 + 1 000 000 µJ
    setEnergy(root, 'intel-rapl:1', 2_000_000n + 5_000_000n);
    setEnergy(root, 'intel-rapl:0:0', 500_000 + 2_000_000);
    await s.sample();
    const t = s.totals();
    expect(t.packageJ).toBeCloseTo(1.32885 + 5, 9);
    expect(t.dramJ).toBeCloseTo(2, 9);
    expect(s.sampleCount).toBe(2);
  });

  it('raplDeltaUj handles the wrap exactly in BigInt', () => {
    expect(raplDeltaUj(262_143_000_000n, 1_000_000n, 262_143_328_850n)).toBe(1_328_850n);
    expect(raplDeltaUj(5n, 7n, 100n)).toBe(2n);
  });

  it('window summary interpolates the cumulative joules at the window edges', async () => {
    const root = intelTree();
    const d = await discoverRapl({ root });
    if (!d.available) throw new Error(d.reason);
    let now = 0;
    let pkg0 = 1_000_000n;
    const s = new RaplSampler(d.zones, { intervalMs: 25, now: () => now });
    for (let i = 0; i <= 400; i++) {
      now = i * 25;
      setEnergy(root, 'intel-rapl:0', pkg0);
      await s.sample();
      pkg0 += 2_500_000n; // 100 W on package 0
    }
    const w = s.summarize(1000, 9000);
    if (!w.available) throw new Error(w.reason);
    expect(w.packageJoules).toBeCloseTo(800, 6);
    expect(w.dramJoules).toBe(0);
    expect(w.sampleCount).toBe(320);
    expect(w.intervalMs).toBe(25);
    expect(s.summarize(20_000, 30_000).available).toBe(false);
  });

  it('startTelemetry polls a readable fake tree and reports RAPL in snapshots and summaries', async () => {
    const root = intelTree();
    const t = await startTelemetry({
      nvmlLib: '/nonexistent/libnvidia-ml.so.1',
      raplRoot: root,
      raplIntervalMs: 25,
    });
    expect(t.raplReason).toBeNull();
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, 120));
    setEnergy(root, 'intel-rapl:0', 1_000_000 + 3_000_000);
    // wait for a poll that sees the new value (no timing assertion: the machine may be loaded)
    let snap = t.snapshot();
    for (let i = 0; i < 300 && !(snap.rapl.available && snap.rapl.packageJ > 0); i++) {
      await new Promise((r) => setTimeout(r, 10));
      snap = t.snapshot();
    }
    const sum = t.summarize(t0, performance.now());
    await t.stop();
    expect(snap.rapl).toMatchObject({ available: true, packageJ: 3, dramJ: 0, intervalMs: 25 });
    if (!snap.rapl.available) throw new Error('rapl');
    expect(snap.rapl.sampleCount).toBeGreaterThanOrEqual(2);
    expect(sum.rapl.available).toBe(true);
    expect(sum.gpu.available).toBe(false);
  });
});
