// The NVML sampler in its worker thread, against the fake libnvidia-ml through real koffi.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { measureIdleBaseline, startNvmlSampler, startTelemetry } from '../../../src/telemetry/index.js';
import type { GpuTick } from '../../../src/telemetry/index.js';
import { nvmlWorkerSource } from '../../../src/telemetry/nvml-worker.js';
import { fakeNvml } from './fake-nvml.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

describe('NVML sampler worker (koffi in a worker_thread)', () => {
  it('stamps samples on the main thread clock and stops cleanly', async () => {
    const ticks: GpuTick[] = [];
    const before = performance.now();
    const s = await startNvmlSampler({ libPath: fakeNvml({ gpus: 2 }), intervalMs: 20 }, (t) =>
      ticks.push(...t),
    );
    if (!('devices' in s)) throw new Error(s.reason);
    expect(s.devices.map((d) => d.name)).toEqual(['NVIDIA H100 80GB HBM3', 'NVIDIA H100 80GB HBM3']);
    await sleep(400);
    await s.stop();
    const after = performance.now();
    expect(ticks.length).toBeGreaterThan(5);
    for (const t of ticks) {
      expect(t.tMs).toBeGreaterThanOrEqual(before);
      expect(t.tMs).toBeLessThanOrEqual(after);
      expect(t.gpus).toHaveLength(2);
    }
    for (let i = 1; i < ticks.length; i++) expect(ticks[i]!.tMs).toBeGreaterThan(ticks[i - 1]!.tMs);
    const n = ticks.length;
    await sleep(100);
    expect(ticks.length).toBe(n); // nothing after stop
    expect(s.faults().count).toBe(0);
  });

  it('reports a missing library as not available (worker path)', async () => {
    const s = await startNvmlSampler({ libPath: '/nonexistent/libnvidia-ml.so.1', intervalMs: 50 }, () => {});
    expect('devices' in s).toBe(false);
    if (!('devices' in s)) expect(s.reason).toMatch(/could not be loaded/);
  });

  it('the worker source is self-contained (no references to module bindings)', () => {
    const src = nvmlWorkerSource();
    expect(src).not.toMatch(/__vite_ssr_import|import\s*\(|require\(['"]\.\//);
    expect(src).toContain('nvmlDeviceGetTotalEnergyConsumption');
  });
});

describe('startTelemetry with NVML', () => {
  it('energy-counter delta agrees with the power integral under a power ramp; under-load avg uses util > 50 %', async () => {
    // idle 70 W for 300 ms, ramp to 400 W by 400 ms (util 0 → 98), driver refresh every 20 ms
    const lib = fakeNvml({
      power_points: '0:70000,300:70000,400:400000',
      util_points: '0:0,300:0,400:98',
      update_ms: 20,
    });
    const t = await startTelemetry({ nvmlLib: lib, gpuIntervalMs: 10, raplRoot: '/nonexistent-powercap' });
    expect(t.source).toBe('nvml');
    expect(t.gpuReason).toBeNull();
    const t0 = performance.now();
    await sleep(1200);
    const t1 = performance.now();
    const sum = await t.summarizeSettled(t0 + 100, t1);
    const detail = t.energyDetail(t0 + 100, t1);
    await t.stop();
    if (!sum.gpu.available) throw new Error(sum.gpu.reason);
    expect(sum.gpu.energyMethod).toBe('counter');
    expect(sum.gpu.gpuCount).toBe(1);
    expect(sum.gpu.powerPeakW).toBe(400);
    expect(sum.gpu.powerAvgW).toBeGreaterThan(70);
    expect(sum.gpu.powerAvgW).toBeLessThan(400);
    expect(sum.gpu.powerUnderLoadAvgW).toBeGreaterThan(230); // only samples past the util midpoint
    expect(detail?.counterJ).not.toBeNull();
    expect(Math.abs(detail?.counterVsIntegralPct ?? 100)).toBeLessThan(3);
    expect(sum.gpu.energyJoulesTotal).toBeCloseTo(detail?.counterJ ?? 0, 6);
    // energy ≈ power avg × window (same samples, same window)
    const windowS = (t1 - t0 - 100) / 1000;
    expect(sum.gpu.energyJoulesTotal / windowS).toBeGreaterThan(sum.gpu.powerAvgW * 0.9);
    expect(sum.gpu.energyJoulesTotal / windowS).toBeLessThan(sum.gpu.powerAvgW * 1.1);
    expect(sum.rapl.available).toBe(false);
    if (!sum.rapl.available) expect(sum.rapl.reason).toMatch(/ENOENT/);
  });

  it('falls back to the labelled power integral when the energy counter is not supported', async () => {
    const lib = fakeNvml({ energy_unsupported: 1, power_points: '0:300000', util_points: '0:90' });
    const t = await startTelemetry({ nvmlLib: lib, gpuIntervalMs: 20, raplRoot: '/nonexistent-powercap' });
    const t0 = performance.now();
    await sleep(500);
    const t1 = performance.now();
    const sum = await t.summarizeSettled(t0, t1);
    const snap = t.snapshot();
    await t.stop();
    if (!sum.gpu.available) throw new Error(sum.gpu.reason);
    expect(sum.gpu.energyMethod).toBe('power_integral');
    expect(sum.gpu.energyJoulesTotal).toBeCloseTo(300 * ((t1 - t0) / 1000), 0);
    if (!snap.gpu.available) throw new Error(snap.gpu.reason);
    expect(snap.gpu.gpus[0]?.latest?.energyMj).toBeNull();
    expect(snap.gpu.gpus[0]?.latest?.powerW).toBe(300);
  });

  it('without NVML or DCGM the GPU part says why, and summaries never carry zeros', async () => {
    const t = await startTelemetry({
      nvmlLib: '/nonexistent/libnvidia-ml.so.1',
      raplRoot: '/nonexistent-powercap',
    });
    expect(t.source).toBe('none');
    const snap = t.snapshot();
    const sum = t.summarize(0, 1000);
    expect(await measureIdleBaseline(t, 5)).toEqual({ available: false, reason: t.gpuReason });
    await t.stop();
    expect(snap.gpu).toEqual({ available: false, reason: expect.stringMatching(/libnvidia-ml\.so\.1/) });
    expect(sum.gpu.available).toBe(false);
    expect(Object.keys(sum.gpu).sort()).toEqual(['available', 'reason']);
  });

  it('idle baseline measures mean power before the first point', async () => {
    const t = await startTelemetry({
      nvmlLib: fakeNvml({ power_points: '0:72000', util_points: '0:0' }),
      gpuIntervalMs: 20,
      raplRoot: '/nonexistent-powercap',
    });
    const idle = await measureIdleBaseline(t, 0.3);
    await t.stop();
    if (!idle.available) throw new Error(idle.reason);
    expect(idle.powerAvgW).toBe(72);
    expect(idle.utilGpuAvgPct).toBe(0);
    expect(idle.sampleCount).toBeGreaterThanOrEqual(5);
  });
});

describe('the sampler from an esbuild single-file bundle (koffi external)', () => {
  it('runs the worker from bundled code, as dist/bench.js would', async () => {
    const dir = join(ROOT, '.tmp', 'telemetry-bundle-test');
    mkdirSync(dir, { recursive: true });
    const entry = join(dir, 'entry.ts');
    writeFileSync(
      entry,
      `import { startTelemetry } from '../../src/telemetry/index.js';
const t = await startTelemetry({ nvmlLib: process.argv[2], gpuIntervalMs: 10, raplRoot: '/nonexistent' });
const t0 = performance.now();
await new Promise((r) => setTimeout(r, 300));
const s = await t.summarizeSettled(t0, performance.now());
await t.stop();
console.log(JSON.stringify({ source: t.source, gpu: s.gpu }));
`,
    );
    const out = join(dir, 'bundle.mjs');
    await build({
      entryPoints: [entry],
      outfile: out,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      external: ['koffi'],
      logLevel: 'silent',
      banner: {
        js: "import { createRequire as __bench_createRequire } from 'node:module'; const require = __bench_createRequire(import.meta.url);",
      },
    });
    const stdout = execFileSync(
      process.execPath,
      [out, fakeNvml({ power_points: '0:123000', util_points: '0:55' })],
      {
        encoding: 'utf8',
        timeout: 20_000,
      },
    );
    const r = JSON.parse(stdout) as {
      source: string;
      gpu: { available: boolean; powerAvgW: number; sampleCount: number };
    };
    expect(r.source).toBe('nvml');
    expect(r.gpu.available).toBe(true);
    expect(r.gpu.powerAvgW).toBe(123);
    expect(r.gpu.sampleCount).toBeGreaterThan(10);
  });
});

describe('a GPU lost mid-run', () => {
  it('counts faults (rate-limited), keeps the samples taken before, and never throws', async () => {
    const t = await startTelemetry({
      nvmlLib: fakeNvml({ power_points: '0:200000', util_points: '0:60', lost_after_ms: 400 }),
      gpuIntervalMs: 10,
      raplRoot: '/nonexistent',
    });
    const t0 = performance.now();
    await sleep(1500);
    const t1 = performance.now();
    const sum = t.summarize(t0, t1);
    await t.stop();
    const f = t.faults();
    expect(f.count).toBeGreaterThan(50); // ~100 failed ticks/s, reported in batches
    expect(f.last).toMatch(/GPU is lost \(nvmlReturn_t=15\)/);
    if (!sum.gpu.available) throw new Error(sum.gpu.reason);
    expect(sum.gpu.powerAvgW).toBe(200);
    expect(sum.gpu.sampleCount).toBeLessThan(60);
  });
});
