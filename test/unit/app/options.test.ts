import { describe, expect, it } from 'vitest';
import { normaliseBaseUrl, parseRunFlags } from '../../../src/app/run/options.js';

describe('parseRunFlags', () => {
  it('defaults to one closed-loop point at concurrency 1 against the embedded engine', () => {
    const config = parseRunFlags(undefined, {});
    expect(config.suiteId).toBe('llm.inference');
    expect(config.points).toEqual([{ mode: 'closed', value: 1, prefix: '', label: 'c1' }]);
    expect(config.baseUrl).toBeNull();
    expect(config.durationS).toBe(300);
    expect(config.seed).toBe(42);
  });

  it('uses the first --concurrency level for a single point', () => {
    expect(parseRunFlags('llm.inference', { concurrency: '8,16' }).points[0]?.value).toBe(8);
  });

  it('builds sweep points with file prefixes', () => {
    const closed = parseRunFlags('x', { sweep: '1,4,16' });
    expect(closed.isSweep).toBe(true);
    expect(closed.points.map((p) => p.prefix)).toEqual(['c1-', 'c4-', 'c16-']);
    const open = parseRunFlags('x', { rpsSweep: '0.5,2' });
    expect(open.points.map((p) => [p.mode, p.prefix])).toEqual([
      ['open', 'r0.5-'],
      ['open', 'r2-'],
    ]);
  });

  it('switches to open loop with --rps', () => {
    const config = parseRunFlags('x', { rps: '12.5', arrival: 'gamma', burstiness: '0.5' });
    expect(config.points[0]).toMatchObject({ mode: 'open', value: 12.5 });
    expect(config.arrival).toBe('gamma');
    expect(config.burstiness).toBe(0.5);
  });

  it.each([
    [{ sweep: '1,2', concurrency: '4' }, '--sweep and --concurrency are mutually exclusive'],
    [{ sweep: '1,2', rpsSweep: '1' }, '--sweep and --rps-sweep are mutually exclusive'],
    [{ rpsSweep: '1', rps: '2' }, '--rps-sweep and --rps are mutually exclusive'],
    [{ allBenchmarks: true, list: true }, '--all-benchmarks and --list are mutually exclusive'],
    [{ allBenchmarks: true, sweep: '1' }, '--all-benchmarks is mutually exclusive'],
    [{ concurrency: '0' }, '--concurrency must be a positive integer'],
    [{ duration: '-5' }, '--duration must be a positive number'],
    [{ sweep: '1,,2' }, '--sweep must be a comma-separated list'],
    [{ arrival: 'uniform' }, '--arrival must be one of poisson, gamma, constant'],
    [{ baseUrl: 'not a url' }, '--base-url is not a valid URL'],
    [{ baseUrl: 'ftp://host/v1' }, '--base-url must be http:// or https://'],
    [{ signingMode: 'magic' }, '--signing-mode must be one of dev, keyless'],
  ])('rejects %o with a clear message', (flags, message) => {
    expect(() => parseRunFlags('x', flags)).toThrow(message);
  });

  it('reports bad input with exit code 2', () => {
    try {
      parseRunFlags('x', { concurrency: '0' });
      expect.unreachable();
    } catch (error) {
      expect((error as { exitCode: number }).exitCode).toBe(2);
    }
  });
});

describe('normaliseBaseUrl', () => {
  it.each([
    ['http://localhost:8000', 'http://localhost:8000/v1'],
    ['http://localhost:8000/', 'http://localhost:8000/v1'],
    ['http://localhost:8000/v1', 'http://localhost:8000/v1'],
    ['https://api.example.com/v1/', 'https://api.example.com/v1'],
    ['http://10.0.0.2:30000/proxy', 'http://10.0.0.2:30000/proxy/v1'],
  ])('%s → %s', (raw, expected) => {
    expect(normaliseBaseUrl(raw)).toBe(expected);
  });
});

describe('idleBaselineWarning', () => {
  it('flags a baseline taken on a busy GPU, not an idle one or a missing one', async () => {
    const { idleBaselineWarning } = await import('../../../src/app/run/execute.js');
    const base = { powerAvgW: 698, powerPeakW: 702, sampleCount: 20, windowS: 2, startMs: 0, endMs: 2000 };
    expect(idleBaselineWarning({ available: true, ...base, utilGpuAvgPct: 99 })).toContain(
      'while the GPU was busy',
    );
    expect(idleBaselineWarning({ available: true, ...base, powerAvgW: 73, utilGpuAvgPct: 0 })).toBeNull();
    expect(idleBaselineWarning({ available: false, reason: 'no NVML' })).toBeNull();
  });
});
