// Doctor's GPU facts gathered through the real koffi → NVML path, against the fake
// libnvidia-ml built from fixtures/nvml/fake_nvml.c (see test/integration/telemetry/fake-nvml.ts).
import { describe, expect, it } from 'vitest';
import { gatherGpuFacts, runDoctor } from '../../../src/app/commands/doctor.js';
import { evaluateDoctor } from '../../../src/app/report/doctor/checks.js';
import type { HostFacts } from '../../../src/app/report/doctor/facts.js';
import { fakeNvml } from '../telemetry/fake-nvml.js';

const host = (gpu: HostFacts['gpu']): HostFacts => ({
  gpu,
  cpuGovernors: ['performance'],
  swap: { totalKiB: 0, freeKiB: 0 },
  openFiles: { soft: 65536, hard: 65536 },
  portRange: { low: 32768, high: 60999 },
  plannedConcurrency: 64,
});

describe('doctor with a fake NVML', () => {
  it('a healthy 2-GPU host: every GPU check PASS', async () => {
    const gpu = await gatherGpuFacts(fakeNvml({ gpus: 2 }));
    expect(gpu.available).toBe(true);
    if (!gpu.available) return;
    expect(gpu.gpus).toHaveLength(2);
    const results = evaluateDoctor(host(gpu));
    expect(results.filter((r) => r.status !== 'PASS')).toEqual([]);
    expect(results[0]?.detail).toMatch(/^2 GPUs: /);
  });

  it('throttling, ECC errors, persistence off, lowered power limit, other processes, old driver', async () => {
    const gpu = await gatherGpuFacts(
      fakeNvml({
        throttle: '0x20',
        ecc_uncorrected: 2,
        persistence: 0,
        power_limit_mw: 500000,
        default_limit_mw: 700000,
        temp_c: 80,
        procs: `${process.pid}:2048`,
        driver: '470.82.01',
      }),
    );
    const results = evaluateDoctor(host(gpu));
    const status = Object.fromEntries(results.map((r) => [r.check, r.status]));
    expect(status).toMatchObject({
      'NVML available': 'PASS',
      'Driver version': 'FAIL',
      'Persistence mode': 'WARN',
      ECC: 'FAIL',
      'Thermal headroom': 'WARN',
      'Clock state': 'FAIL',
      'Power limit': 'WARN',
      'Other GPU processes': 'WARN',
    });
    expect(results.find((r) => r.check === 'Clock state')?.detail).toMatch(/SW_THERMAL_SLOWDOWN/);
    // the process name comes from /proc/<pid>/comm (here: this test process)
    expect(results.find((r) => r.check === 'Other GPU processes')?.detail).toMatch(
      new RegExp(`${process.pid} \\S+`),
    );
  });

  it('NVML present but the driver not loaded: GPU checks skipped with the reason; runDoctor exits 0', async () => {
    const gpu = await gatherGpuFacts(fakeNvml({ init_error: 9 }));
    expect(gpu.available).toBe(false);
    const out = await runDoctor({ concurrency: 64, sloTemplate: 'llm.standard' }, host(gpu));
    expect(out.stdout.split('\n')[0]).toMatch(/^No NVIDIA GPU visible \(.+\): GPU checks skipped\.$/);
    expect(out.exitCode).toBe(0);
  });
});
