import { afterEach, describe, expect, it } from 'vitest';
import {
  decodeThrottleReasons,
  formatCudaVersion,
  openNvml,
  queryGpuHealth,
} from '../../../src/telemetry/index.js';
import type { NvmlHandle } from '../../../src/telemetry/index.js';
import { fakeNvml } from './fake-nvml.js';

const open: NvmlHandle[] = [];
afterEach(() => {
  for (const h of open.splice(0)) h.close();
});

function mustOpen(lib: string): NvmlHandle {
  const h = openNvml(lib);
  if (!h.available) throw new Error(h.reason);
  open.push(h);
  return h;
}

describe('openNvml through koffi against the gcc-built fake libnvidia-ml', () => {
  it('reads the device inventory with nvml.h signatures (strings, PCI struct, limits)', () => {
    const h = mustOpen(fakeNvml({ gpus: 3, cuda: 12040, driver: '575.51.03', vbios: '96.00.99.00.01' }));
    expect(h.driverVersion).toBe('575.51.03');
    expect(h.cudaVersion).toBe('12.4');
    expect(h.devices).toHaveLength(3);
    expect(h.devices[0]).toEqual({
      index: 0,
      name: 'NVIDIA H100 80GB HBM3',
      uuid: 'GPU-fa4e0000-1111-2222-3333-000000000000',
      serial: '1654023030096',
      pciBusId: '00000000:C1:00.0',
      vbios: '96.00.99.00.01',
      memTotalMiB: 81559,
      powerLimitW: 700,
      defaultPowerLimitW: 700,
    });
    expect(h.devices.map((d) => d.pciBusId)).toEqual([
      '00000000:C1:00.0',
      '00000000:B0:00.0',
      '00000000:9F:00.0',
    ]);
  });

  it('samples power, energy, utilisation, memory, clocks and temperature', () => {
    const h = mustOpen(fakeNvml({ gpus: 2, power_points: '0:250000', util_points: '0:80', temp_c: 61 }));
    const s0 = h.sample(0);
    const s1 = h.sample(1, false);
    expect(s0.powerMw).toBe(250000);
    expect(s1.powerMw).toBe(275000); // GPU 1 draws x1.1 in the fake
    expect(s0.energyMj).toBeGreaterThanOrEqual(123456789);
    expect(s1.energyMj).toBeNull(); // not read when withEnergy = false
    expect(s0.utilGpuPct).toBe(80);
    expect(s0.utilMemPct).toBe(48);
    expect(s0.memUsedB).toBe(1024 * 1048576);
    expect(s1.memUsedB).toBe(1124 * 1048576);
    expect(s0.smClockMhz).toBe(1980);
    expect(s0.tempC).toBe(61);
  });

  it('reports health: throttle reasons, ECC, persistence, thresholds, limits and processes', () => {
    const h = mustOpen(
      fakeNvml({
        throttle: '0x28',
        ecc_uncorrected: 4,
        ecc_corrected: 17,
        persistence: 0,
        temp_c: 84,
        slowdown_c: 87,
        power_limit_mw: 500000,
        procs: '4242:20480,777:512',
      }),
    );
    const [g] = queryGpuHealth(h);
    expect(g).toEqual({
      index: 0,
      name: 'NVIDIA H100 80GB HBM3',
      pciBusId: '00000000:C1:00.0',
      persistenceMode: false,
      eccEnabled: true,
      eccErrors: { corrected: 17, uncorrected: 4 },
      throttleReasons: ['HW_SLOWDOWN', 'SW_THERMAL_SLOWDOWN'],
      throttleMask: 0x28,
      tempC: 84,
      slowdownTempC: 87,
      shutdownTempC: 92,
      powerLimitW: 500,
      defaultPowerLimitW: 700,
      processes: [
        { pid: 4242, usedMemMiB: 20480 },
        { pid: 777, usedMemMiB: 512 },
      ],
    });
  });

  it('opens and closes the same library repeatedly (declarations cached, NVML init refcounted)', () => {
    const lib = fakeNvml({ gpus: 2 });
    for (let i = 0; i < 5; i++) {
      const a = openNvml(lib);
      const b = openNvml(lib);
      if (!a.available || !b.available) throw new Error('not available');
      a.close();
      expect(b.sample(1).powerMw).toBe(77000); // still initialised: b holds a reference
      b.close();
    }
    const c = mustOpen(lib);
    c.close();
    expect(() => c.sample(0)).toThrow(/already closed/);
  });

  it('ECC off gives eccEnabled false and no counts', () => {
    const h = mustOpen(fakeNvml({ ecc_mode: 0 }));
    const g = h.health(0);
    expect(g.eccEnabled).toBe(false);
    expect(g.eccErrors).toBeNull();
  });

  it('a missing library is "not available" with the loader reason, not a throw', () => {
    const r = openNvml('/nonexistent/dir/libnvidia-ml.so.1');
    expect(r.available).toBe(false);
    if (!r.available) expect(r.reason).toMatch(/could not be loaded.*No such file/);
  });

  it("a driver that is not loaded is reported with NVML's error string", () => {
    const r = openNvml(fakeNvml({ init_error: 9 }));
    expect(r).toEqual({
      available: false,
      reason: 'NVML initialisation failed: nvmlInit_v2: Driver Not Loaded (nvmlReturn_t=9)',
    });
  });

  it('zero GPUs is "not available", never an empty list of zeros', () => {
    expect(openNvml(fakeNvml({ gpus: 0 }))).toEqual({ available: false, reason: 'NVML reports no GPUs' });
  });

  it('honours BENCH_NVML_LIB when no path is given', () => {
    const lib = fakeNvml({ gpus: 2 });
    const prev = process.env.BENCH_NVML_LIB;
    process.env.BENCH_NVML_LIB = lib;
    try {
      const h = mustOpen(undefined as unknown as string);
      expect(h.libPath).toBe(lib);
      expect(h.devices).toHaveLength(2);
    } finally {
      if (prev === undefined) delete process.env.BENCH_NVML_LIB;
      else process.env.BENCH_NVML_LIB = prev;
    }
  });

  it('on this machine (no NVIDIA driver) the default library is not available', () => {
    const prev = process.env.BENCH_NVML_LIB;
    delete process.env.BENCH_NVML_LIB;
    try {
      const r = openNvml();
      if (r.available)
        r.close(); // a GPU machine: nothing to assert here
      else expect(r.reason).toMatch(/libnvidia-ml\.so\.1/);
    } finally {
      if (prev !== undefined) process.env.BENCH_NVML_LIB = prev;
    }
  });
});

describe('pure NVML helpers', () => {
  it.each([
    [null, []],
    [0, []],
    [0x1, ['GPU_IDLE']],
    [0x4 | 0x40, ['SW_POWER_CAP', 'HW_THERMAL_SLOWDOWN']],
    [0x80 | 0x1000, ['HW_POWER_BRAKE_SLOWDOWN', 'UNKNOWN_0x1000']],
  ])('decodeThrottleReasons(%s)', (mask, names) => {
    expect(decodeThrottleReasons(mask)).toEqual(names);
  });

  it.each([
    [13000, '13.0'],
    [12040, '12.4'],
    [11080, '11.8'],
    [null, ''],
  ])('formatCudaVersion(%s) = %s', (v, s) => {
    expect(formatCudaVersion(v)).toBe(s);
  });
});
