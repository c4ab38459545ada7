import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  renderDoctor,
  renderSlo,
  runDoctor,
  setCeilingMeasurer,
  templateLimits,
} from '../../../src/app/commands/doctor.js';
import { checkAgainstCeiling, readCalibration, writeCalibration } from '../../../src/app/run/calibration.js';
import {
  compareVersions,
  doctorVerdict,
  evaluateDoctor,
  type CheckResult,
} from '../../../src/app/report/doctor/checks.js';
import type { GpuFact, HostFacts } from '../../../src/app/report/doctor/facts.js';
import {
  parseMeminfoSwap,
  parseOpenFileLimit,
  parsePortRange,
  probeEndpoint,
  readCpuGovernors,
  readOpenFileLimit,
  readPortRange,
  readSwap,
} from '../../../src/app/report/doctor/gather.js';
import {
  detectHardwareClass,
  scaleSlo,
  sloResolvedText,
  SLO_TEMPLATES,
} from '../../../src/app/report/doctor/slo.js';
import { startEngine } from '../../../src/engine/index.js';
import type { EngineHandle } from '../../../src/engine/index.js';
import { tempDir } from '../../unit/commands/helpers.js';

// A healthy H100 as NVML reports it at idle.
const healthyGpu: GpuFact = {
  index: 0,
  name: 'NVIDIA H100 80GB HBM3',
  persistenceMode: true,
  eccEnabled: true,
  eccUncorrected: 0,
  eccCorrected: 0,
  throttleReasons: ['GPU_IDLE'],
  tempC: 34,
  slowdownTempC: 87,
  powerLimitW: 700,
  defaultPowerLimitW: 700,
  processes: [],
};

const healthyHost: HostFacts = {
  gpu: { available: true, driverVersion: '550.54.15', gpus: [healthyGpu, { ...healthyGpu, index: 1 }] },
  cpuGovernors: ['performance', 'performance'],
  swap: { totalKiB: 0, freeKiB: 0 },
  openFiles: { soft: 65536, hard: 65536 },
  portRange: { low: 32768, high: 60999 },
  plannedConcurrency: 64,
};

const withGpu = (patch: Partial<GpuFact>, index = 1): HostFacts => ({
  ...healthyHost,
  gpu: {
    available: true,
    driverVersion: '550.54.15',
    gpus: [healthyGpu, { ...healthyGpu, index, ...patch }],
  },
});

const row = (results: readonly CheckResult[], check: string): CheckResult | undefined =>
  results.find((r) => r.check === check);

describe('doctor checks (pure, table-driven)', () => {
  it('a healthy 2×H100 host passes everything', () => {
    const results = evaluateDoctor(healthyHost);
    expect(results.map((r) => [r.check, r.status])).toEqual([
      ['NVML available', 'PASS'],
      ['Driver version', 'PASS'],
      ['Persistence mode', 'PASS'],
      ['ECC', 'PASS'],
      ['Thermal headroom', 'PASS'],
      ['Clock state', 'PASS'],
      ['Power limit', 'PASS'],
      ['Other GPU processes', 'PASS'],
      ['CPU governor', 'PASS'],
      ['Swap', 'PASS'],
      ['Open-file limit', 'PASS'],
      ['Ephemeral ports', 'PASS'],
    ]);
    expect(row(results, 'NVML available')?.detail).toBe('2 GPUs: NVIDIA H100 80GB HBM3');
    expect(doctorVerdict(results, true)).toMatchObject({ exitCode: 0, trailer: 'OK — all checks passed.' });
  });

  it.each([
    {
      name: 'persistence off',
      facts: withGpu({ persistenceMode: false }),
      check: 'Persistence mode',
      status: 'WARN',
      detail: /^GPU 1: disabled/,
    },
    {
      name: 'ECC disabled',
      facts: withGpu({ eccEnabled: false }),
      check: 'ECC',
      status: 'WARN',
      detail: /ECC disabled/,
    },
    {
      name: 'uncorrected ECC errors',
      facts: withGpu({ eccUncorrected: 3 }),
      check: 'ECC',
      status: 'FAIL',
      detail: /3 uncorrected/,
    },
    {
      name: 'corrected ECC errors',
      facts: withGpu({ eccCorrected: 12 }),
      check: 'ECC',
      status: 'WARN',
      detail: /12 corrected/,
    },
    {
      name: 'hot GPU',
      facts: withGpu({ tempC: 81 }),
      check: 'Thermal headroom',
      status: 'WARN',
      detail: /6 °C below slowdown/,
    },
    {
      name: 'at slowdown',
      facts: withGpu({ tempC: 88 }),
      check: 'Thermal headroom',
      status: 'FAIL',
      detail: /88 °C ≥ slowdown 87 °C/,
    },
    {
      name: 'thermal throttle',
      facts: withGpu({ throttleReasons: ['SW_THERMAL_SLOWDOWN'] }),
      check: 'Clock state',
      status: 'FAIL',
      detail: /SW_THERMAL_SLOWDOWN/,
    },
    {
      name: 'HW slowdown',
      facts: withGpu({ throttleReasons: ['HW_SLOWDOWN', 'GPU_IDLE'] }),
      check: 'Clock state',
      status: 'FAIL',
      detail: /throttled: HW_SLOWDOWN$/,
    },
    {
      name: 'power cap at idle',
      facts: withGpu({ throttleReasons: ['SW_POWER_CAP'] }),
      check: 'Clock state',
      status: 'WARN',
      detail: /SW_POWER_CAP/,
    },
    {
      name: 'power limit lowered',
      facts: withGpu({ powerLimitW: 500 }),
      check: 'Power limit',
      status: 'WARN',
      detail: /500 W < default 700 W/,
    },
    {
      name: 'another process',
      facts: withGpu({ processes: [{ pid: 4242, name: 'python3', usedMemoryMiB: 1000 }] }),
      check: 'Other GPU processes',
      status: 'WARN',
      detail: /4242 python3/,
    },
    {
      name: 'old driver',
      facts: {
        ...healthyHost,
        gpu: { available: true as const, driverVersion: '470.82.01', gpus: [healthyGpu] },
      },
      check: 'Driver version',
      status: 'FAIL',
      detail: /470\.82\.01 < floor 535\.0/,
    },
    {
      name: 'powersave governor',
      facts: { ...healthyHost, cpuGovernors: ['powersave', 'performance'] },
      check: 'CPU governor',
      status: 'WARN',
      detail: /powersave nearly doubles measured TTFT/,
    },
    {
      name: 'schedutil governor',
      facts: { ...healthyHost, cpuGovernors: ['schedutil'] },
      check: 'CPU governor',
      status: 'WARN',
      detail: /schedutil ×1/,
    },
    {
      name: 'no cpufreq',
      facts: { ...healthyHost, cpuGovernors: null },
      check: 'CPU governor',
      status: 'SKIP',
      detail: /not exposed/,
    },
    {
      name: 'swap in use',
      facts: { ...healthyHost, swap: { totalKiB: 2097152, freeKiB: 1048576 } },
      check: 'Swap',
      status: 'WARN',
      detail: /1024 MiB of 2048 MiB/,
    },
    {
      name: 'swap unused',
      facts: { ...healthyHost, swap: { totalKiB: 2097152, freeKiB: 2097152 } },
      check: 'Swap',
      status: 'PASS',
      detail: /none in use/,
    },
    {
      name: 'ulimit too low',
      facts: { ...healthyHost, openFiles: { soft: 256, hard: 4096 } },
      check: 'Open-file limit',
      status: 'FAIL',
      detail: /soft 256 < 384 needed for concurrency 64/,
    },
    {
      name: 'narrow ports',
      facts: { ...healthyHost, portRange: { low: 60000, high: 61000 } },
      check: 'Ephemeral ports',
      status: 'WARN',
      detail: /1001 ports/,
    },
    {
      name: 'ports < concurrency',
      facts: { ...healthyHost, plannedConcurrency: 2000, portRange: { low: 60000, high: 61000 } },
      check: 'Ephemeral ports',
      status: 'FAIL',
      detail: /< concurrency 2000/,
    },
  ])('$name → $check $status', ({ facts, check, status, detail }) => {
    const results = evaluateDoctor(facts);
    const r = row(results, check);
    expect(r?.status).toBe(status);
    expect(r?.detail).toMatch(detail);
    if (status === 'WARN' || status === 'FAIL') expect(r?.fix).toMatch(/\S/);
  });

  it('a GPU whose health query fails is a FAIL; the others are still judged', () => {
    const results = evaluateDoctor(withGpu({ queryError: 'GPU is lost', persistenceMode: null }));
    expect(row(results, 'GPU health query')).toMatchObject({ status: 'FAIL', detail: 'GPU 1: GPU is lost' });
    expect(row(results, 'Persistence mode')).toMatchObject({ status: 'PASS', detail: 'enabled (all 1)' });
    const allLost = evaluateDoctor({
      ...healthyHost,
      gpu: {
        available: true,
        driverVersion: '550.54.15',
        gpus: [{ ...healthyGpu, queryError: 'Unknown Error' }],
      },
    });
    expect(row(allLost, 'Clock state')?.status).toBe('SKIP');
  });

  it('the fix for a low ulimit depends on the hard limit', () => {
    const soft = evaluateDoctor({ ...healthyHost, openFiles: { soft: 256, hard: 4096 } });
    expect(row(soft, 'Open-file limit')?.fix).toBe('ulimit -n 384 (hard limit 4096 allows it)');
    const hard = evaluateDoctor({ ...healthyHost, openFiles: { soft: 256, hard: 256 } });
    expect(row(hard, 'Open-file limit')?.fix).toMatch(/raise the hard limit/);
  });

  it('verdicts: FAIL → exit 1; WARN → exit 0, or 1 under --strict; SKIP never counts', () => {
    const warn: CheckResult[] = [
      { check: 'a', status: 'WARN', detail: '', fix: 'x' },
      { check: 'b', status: 'SKIP', detail: '' },
    ];
    expect(doctorVerdict(warn, false)).toMatchObject({
      exitCode: 0,
      trailer: 'OK — no FAIL (1 WARN: see the fixes above).',
    });
    expect(doctorVerdict(warn, true)).toMatchObject({
      exitCode: 1,
      trailer: 'REFUSED — 1 WARN under --strict. Fix the WARN rows or drop --strict.',
    });
    const fail = evaluateDoctor(withGpu({ tempC: 90, eccUncorrected: 1 }));
    expect(doctorVerdict(fail, false)).toMatchObject({
      exitCode: 1,
      fails: 2,
      trailer: 'REFUSED — 2 FAIL. Fix the FAIL rows before benchmarking.',
    });
  });

  it('no NVIDIA GPU: a line saying GPU checks are skipped, host checks only, exit 0', () => {
    const facts: HostFacts = {
      ...healthyHost,
      gpu: { available: false, reason: 'NVML library libnvidia-ml.so.1 could not be loaded' },
    };
    const results = evaluateDoctor(facts);
    expect(results.map((r) => r.check)).toEqual([
      'CPU governor',
      'Swap',
      'Open-file limit',
      'Ephemeral ports',
    ]);
    const { text, exitCode } = renderDoctor(facts, results, false);
    expect(text.split('\n')[0]).toBe(
      'No NVIDIA GPU visible (NVML library libnvidia-ml.so.1 could not be loaded): GPU checks skipped.',
    );
    expect(text).toMatch(/^Check\s+Status\s+Detail$/m);
    expect(text.trimEnd().split('\n').at(-1)).toBe('OK — all checks passed.');
    expect(exitCode).toBe(0);
    const multi = renderDoctor(
      {
        ...facts,
        gpu: {
          available: false,
          reason: "koffi (FFI) could not be loaded: Cannot find module 'koffi'\nRequire stack:\n- /x.js",
        },
      },
      results,
      false,
    );
    expect(multi.text.split('\n')[0]).toBe(
      "No NVIDIA GPU visible (koffi (FFI) could not be loaded: Cannot find module 'koffi'): GPU checks skipped.",
    );
  });

  it('renders Fixes for WARN/FAIL rows', () => {
    const facts = withGpu({ persistenceMode: false, tempC: 90 });
    const { text, exitCode } = renderDoctor(facts, evaluateDoctor(facts), false);
    expect(text).toMatch(
      /^Fixes:\n {2}WARN Persistence mode: sudo nvidia-smi -pm 1\n {2}FAIL Thermal headroom: /m,
    );
    expect(exitCode).toBe(1);
  });

  it('compares driver versions numerically', () => {
    expect(compareVersions('535.0', '535')).toBe(0);
    expect(compareVersions('1000.1', '535.0')).toBe(1);
    expect(compareVersions('470.82.01', '535.0')).toBe(-1);
  });
});

describe('doctor fact gathering from a fake /proc and /sys', () => {
  it('parses meminfo, limits and the port range', () => {
    expect(parseMeminfoSwap('MemTotal: 1 kB\nSwapTotal:       2048 kB\nSwapFree:        1024 kB\n')).toEqual({
      totalKiB: 2048,
      freeKiB: 1024,
    });
    expect(parseMeminfoSwap('MemTotal: 1 kB\n')).toBeNull();
    const limits =
      'Limit                     Soft Limit           Hard Limit           Units\nMax open files            1024                 524288               files\n';
    expect(parseOpenFileLimit(limits)).toEqual({ soft: 1024, hard: 524288 });
    expect(parseOpenFileLimit('Max open files unlimited unlimited files')?.soft).toBe(
      Number.MAX_SAFE_INTEGER,
    );
    expect(parsePortRange('32768\t60999\n')).toEqual({ low: 32768, high: 60999 });
    expect(parsePortRange('junk')).toBeNull();
  });

  it('reads a fake root, and reports null for what is absent', async () => {
    const root = await tempDir('bench-root-');
    for (const [cpu, gov] of [
      ['cpu0', 'powersave'],
      ['cpu1', 'performance'],
      ['cpu10', 'performance'],
    ] as const) {
      await mkdir(join(root, 'sys/devices/system/cpu', cpu, 'cpufreq'), { recursive: true });
      await writeFile(join(root, 'sys/devices/system/cpu', cpu, 'cpufreq/scaling_governor'), `${gov}\n`);
    }
    await mkdir(join(root, 'sys/devices/system/cpu/cpufreq'), { recursive: true }); // not a cpuN dir
    await mkdir(join(root, 'proc/self'), { recursive: true });
    await mkdir(join(root, 'proc/sys/net/ipv4'), { recursive: true });
    await writeFile(join(root, 'proc/meminfo'), 'SwapTotal: 100 kB\nSwapFree: 40 kB\n');
    await writeFile(
      join(root, 'proc/self/limits'),
      'Max open files            300                 4096               files\n',
    );
    await writeFile(join(root, 'proc/sys/net/ipv4/ip_local_port_range'), '1024 65535\n');
    expect(await readCpuGovernors(root)).toEqual(['powersave', 'performance', 'performance']);
    expect(await readSwap(root)).toEqual({ totalKiB: 100, freeKiB: 40 });
    expect(await readOpenFileLimit(root)).toEqual({ soft: 300, hard: 4096 });
    expect(await readPortRange(root)).toEqual({ low: 1024, high: 65535 });
    const empty = await tempDir('bench-root-');
    expect(await readCpuGovernors(empty)).toBeNull();
    expect(await readSwap(empty)).toBeNull();
    expect(await readOpenFileLimit(empty)).toBeNull();
    expect(await readPortRange(empty)).toBeNull();
  });
});

describe('doctor endpoint checks over real loopback HTTP', () => {
  let engine: EngineHandle;
  beforeAll(async () => {
    engine = await startEngine({ timing: 'fixed' });
  });
  afterAll(async () => {
    await engine.close();
  });

  it('the embedded engine answers /v1/models, /health and /metrics', async () => {
    const facts = await probeEndpoint(engine.baseUrl);
    expect(facts.models).toMatchObject({ status: 200, detail: expect.stringMatching(/^1 model: /) });
    expect(facts.health.status).toBe(200);
    expect(facts.metrics).toMatchObject({
      status: 200,
      detail: expect.stringMatching(/metric families \(\d+ vllm:\)/),
    });
    const results = evaluateDoctor({ ...healthyHost, endpoint: facts });
    expect(results.slice(-3).map((r) => r.status)).toEqual(['PASS', 'PASS', 'PASS']);
  });

  it('a server without /health and /metrics: WARN; nothing listening: FAIL', async () => {
    const server = createServer((req, res) => {
      if (req.url === '/v1/models')
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"data":[{"id":"m"}]}');
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const facts = await probeEndpoint(`http://127.0.0.1:${port}/v1/`);
    const results = evaluateDoctor({ ...healthyHost, endpoint: facts });
    expect(results.slice(-3).map((r) => `${r.check} ${r.status}`)).toEqual([
      'Endpoint /v1/models PASS',
      'Endpoint /health WARN',
      'Endpoint /metrics WARN',
    ]);
    await new Promise((r) => server.close(r));
    const down = await probeEndpoint(`http://127.0.0.1:${port}/v1`);
    expect(down.models).toMatchObject({ status: null, error: 'ECONNREFUSED' });
    const downResults = evaluateDoctor({ ...healthyHost, endpoint: down });
    expect(row(downResults, 'Endpoint /v1/models')).toMatchObject({
      status: 'FAIL',
      fix: expect.stringMatching(/start the server/),
    });
    expect(doctorVerdict(downResults, false).exitCode).toBe(1);
  });
});

describe('--show-slo, calibration cache and the command', () => {
  it.each([
    [['NVIDIA H100 80GB HBM3'], 'h100', 1],
    [['NVIDIA H200'], 'h200', 0.85],
    [['NVIDIA GeForce RTX 4090'], 'rtx4090', 1.8],
    [['NVIDIA A100-SXM4-80GB'], 'a100', 1.4],
    [['NVIDIA L4'], 'l4', 3],
    [[], 'unknown', 1],
  ])('%j → %s ×%d', (names, id, multiplier) => {
    const cls = detectHardwareClass(names);
    expect(cls.id).toBe(id);
    expect(cls.multiplier).toBe(multiplier);
  });

  it('scales llm.standard and writes it as envelopes record it', () => {
    const rtx4090: HostFacts = {
      ...healthyHost,
      gpu: {
        available: true,
        driverVersion: '550.54.15',
        gpus: [{ ...healthyGpu, name: 'NVIDIA GeForce RTX 4090' }],
      },
    };
    const std = SLO_TEMPLATES['llm.standard'] ?? [];
    expect(sloResolvedText(scaleSlo(std, 1))).toBe('ttft<300ms, tpot<50ms');
    expect(sloResolvedText(scaleSlo(std, 1.8))).toBe('ttft<540ms, tpot<90ms');
    const text = renderSlo(withGpu({}), 'llm.standard');
    expect(text).toMatch(
      /^SLO template llm\.standard: hardware class H100 \(×1\) from "NVIDIA H100 80GB HBM3"$/m,
    );
    expect(text).toMatch(/slo_hardware_class=h100 {2}slo_template_resolved="ttft<300ms, tpot<50ms"/);
    expect(text).toMatch(/^TTFT p99\s+300 ms\s+300 ms$/m);
    expect(renderSlo(rtx4090, 'llm.realtime')).toMatch(/slo_template_resolved="ttft<180ms, tpot<54ms"/);
    expect(() => renderSlo(healthyHost, 'nope')).toThrow(/unknown SLO template/);
    // the same ids in the Python InferenceBench (issue 16)
    expect(text).toMatch(
      /^note: InferenceBench's llm\.standard is not ours: per request, strict <, ttft<200ms, tpot<50ms, total<3000ms at h100, × its own class multipliers \(h200 ×0\.6, h100 ×1, /m,
    );
    expect(renderSlo(healthyHost, 'llm.batch')).toMatch(/^note: InferenceBench has no llm\.batch template/m);
    expect(() => renderSlo(healthyHost, 'llm.relaxed')).toThrow(
      /llm\.relaxed is InferenceBench's template \(per request, strict <, ttft<1000ms, total<10000ms at h100\); we have no template of that name/,
    );
    expect(templateLimits('llm.batch')).toEqual([{ metric: 'tpot', percentile: 99, maxMs: 200 }]);
  });

  it('calibration: write, read back, corrupt file ignored; the half-ceiling check', async () => {
    const dir = await tempDir('bench-cal-');
    const path = join(dir, 'sub', 'calibration.json');
    expect(await readCalibration(path)).toBeNull();
    const file = await writeCalibration(
      { reqPerS: 400, tokPerS: 50_000, concurrency: 256, durationS: 10 },
      path,
      new Date('2026-01-02T03:04:05Z'),
    );
    expect(file.measuredAt).toBe('2026-01-02T03:04:05.000Z');
    expect(await readCalibration(path)).toEqual(file);
    await writeFile(path, '{"version": 1, "reqPerS": "x"}');
    expect(await readCalibration(path)).toBeNull();
    expect(checkAgainstCeiling(file, { reqPerS: 100, tokPerS: 20_000 })).toMatchObject({
      status: 'PASS',
      fraction: 0.4,
    });
    const w = checkAgainstCeiling(file, { reqPerS: 250, tokPerS: 10_000 });
    expect(w.status).toBe('WARN');
    expect(w.fraction).toBeCloseTo(0.625, 10);
    expect(w.detail).toMatch(/drives 63% of this host's client ceiling \(250\.0 req\/s of 400\.0\)/);
  });

  it('runDoctor: --calibrate without a measurer is a clear error; with one it writes the cache', async () => {
    const cache = await tempDir('bench-cal-');
    const previous = process.env.BENCH_CACHE_DIR;
    process.env.BENCH_CACHE_DIR = cache;
    try {
      const flags = { concurrency: 64, sloTemplate: 'llm.standard' };
      await expect(runDoctor({ ...flags, calibrate: true }, healthyHost)).rejects.toMatchObject({
        code: 'E_CALIBRATE_UNAVAILABLE',
      });
      setCeilingMeasurer(async (progress) => {
        progress('measuring');
        return { reqPerS: 321, tokPerS: 45_000, concurrency: 128, durationS: 5 };
      });
      const out = await runDoctor({ ...flags, calibrate: true, showSlo: true }, healthyHost);
      expect(out.stderr).toMatch(/measuring\ncalibration written to .*calibration\.json/);
      expect(out.stdout).toMatch(/^Client ceiling\s+PASS\s+321\.0 req\/s, 45000 tok\/s at c=128/m);
      expect(out.stdout).toMatch(/slo_template_resolved=/);
      expect(out.exitCode).toBe(0);
      const json = JSON.parse(
        (await runDoctor({ ...flags, json: true, showSlo: true }, healthyHost)).stdout,
      ) as {
        gpu: { available: boolean; count: number };
        checks: { check: string; status: string }[];
        fails: number;
        slo: { hardware_class: string; slo_template_resolved: string };
      };
      expect(json.gpu).toEqual({ available: true, driver_version: '550.54.15', count: 2 });
      expect(json.checks.at(-1)).toMatchObject({ check: 'Client ceiling', status: 'PASS' });
      expect(json.fails).toBe(0);
      expect(json.slo).toMatchObject({
        hardware_class: 'h100',
        slo_template_resolved: 'ttft<300ms, tpot<50ms',
      });
      const strict = await runDoctor(
        { ...flags, strict: true },
        { ...healthyHost, cpuGovernors: ['powersave'] },
      );
      expect(strict.exitCode).toBe(1);
    } finally {
      setCeilingMeasurer(undefined);
      if (previous === undefined) delete process.env.BENCH_CACHE_DIR;
      else process.env.BENCH_CACHE_DIR = previous;
    }
  });
});
