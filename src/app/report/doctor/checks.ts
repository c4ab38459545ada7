// Pure judgement of host facts: each check is PASS / WARN / FAIL with a one-line fix, or SKIP
// when the fact cannot be read here (it never counts toward the verdict).
import type { EndpointProbe, GpuFact, HostFacts } from './facts.js';

export type CheckStatus = 'PASS' | 'WARN' | 'FAIL' | 'SKIP';

export interface CheckResult {
  readonly check: string;
  readonly status: CheckStatus;
  readonly detail: string;
  /** One line telling the user what to do; present for WARN and FAIL. */
  readonly fix?: string;
}

/** R535 is the first branch with CUDA 12.2 and the NVML energy/clock-event APIs we read. */
export const DRIVER_VERSION_FLOOR = '535.0';
export const THERMAL_WARN_MARGIN_C = 10;
export const FD_BASE_RESERVE = 256;

const BENIGN_THROTTLE = new Set(['GPU_IDLE', 'APPLICATIONS_CLOCKS_SETTING', 'NONE']);
const FAIL_THROTTLE = new Set([
  'HW_SLOWDOWN',
  'HW_THERMAL_SLOWDOWN',
  'HW_POWER_BRAKE_SLOWDOWN',
  'SW_THERMAL_SLOWDOWN',
]);

export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map((p) => Number.parseInt(p, 10) || 0);
  const pb = b.split('.').map((p) => Number.parseInt(p, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

const pass = (check: string, detail: string): CheckResult => ({ check, status: 'PASS', detail });
const warn = (check: string, detail: string, fix: string): CheckResult => ({
  check,
  status: 'WARN',
  detail,
  fix,
});
const fail = (check: string, detail: string, fix: string): CheckResult => ({
  check,
  status: 'FAIL',
  detail,
  fix,
});
const skip = (check: string, detail: string): CheckResult => ({ check, status: 'SKIP', detail });

function perGpu(gpus: readonly GpuFact[], check: string, judge: (gpu: GpuFact) => CheckResult): CheckResult {
  if (gpus.length === 0) return skip(check, 'no GPU could be queried');
  const results = gpus.map((gpu) => ({ gpu, result: judge(gpu) }));
  const rank: Record<CheckStatus, number> = { FAIL: 3, WARN: 2, PASS: 1, SKIP: 0 };
  const worst = results.reduce((w, r) => (rank[r.result.status] > rank[w.result.status] ? r : w));
  if (worst.result.status === 'PASS' || worst.result.status === 'SKIP') {
    const allSame = results.every((r) => r.result.detail === worst.result.detail);
    return {
      ...worst.result,
      check,
      detail: allSame ? `${worst.result.detail} (all ${gpus.length})` : worst.result.detail,
    };
  }
  const bad = results.filter((r) => r.result.status === worst.result.status).map((r) => r.gpu.index);
  return { ...worst.result, check, detail: `GPU ${bad.join(',')}: ${worst.result.detail}` };
}

export function gpuChecks(facts: HostFacts): CheckResult[] {
  const gpu = facts.gpu;
  if (!gpu.available) return [];
  const gpus = gpu.gpus;
  const out: CheckResult[] = [];
  const names = [...new Set(gpus.map((g) => g.name))].join(', ');
  out.push(
    gpus.length > 0
      ? pass('NVML available', `${gpus.length} GPU${gpus.length === 1 ? '' : 's'}: ${names}`)
      : fail(
          'NVML available',
          'NVML loaded but reports 0 GPUs',
          'check `nvidia-smi -L` and CUDA_VISIBLE_DEVICES',
        ),
  );
  if (gpus.length === 0) return out;
  const lost = gpus.filter((g) => g.queryError !== undefined);
  if (lost.length > 0)
    out.push(
      fail(
        'GPU health query',
        lost.map((g) => `GPU ${g.index}: ${g.queryError ?? ''}`).join('; '),
        'check nvidia-smi and dmesg (Xid errors); the GPU may need a reset',
      ),
    );
  const queried = gpus.filter((g) => g.queryError === undefined);
  if (gpu.driverVersion === null) out.push(skip('Driver version', 'not reported'));
  else if (compareVersions(gpu.driverVersion, DRIVER_VERSION_FLOOR) < 0)
    out.push(
      fail(
        'Driver version',
        `${gpu.driverVersion} < floor ${DRIVER_VERSION_FLOOR}`,
        `install NVIDIA driver ≥ ${DRIVER_VERSION_FLOOR} (R535+)`,
      ),
    );
  else out.push(pass('Driver version', `${gpu.driverVersion} ≥ ${DRIVER_VERSION_FLOOR}`));

  out.push(
    perGpu(queried, 'Persistence mode', (g) =>
      g.persistenceMode === null
        ? skip('', 'not reported')
        : g.persistenceMode
          ? pass('', 'enabled')
          : warn('', 'disabled: first requests pay driver init', 'sudo nvidia-smi -pm 1'),
    ),
  );
  out.push(
    perGpu(queried, 'ECC', (g) => {
      if ((g.eccUncorrected ?? 0) > 0)
        return fail(
          '',
          `${g.eccUncorrected} uncorrected ECC errors`,
          'drain the node and reset the GPU (nvidia-smi -r) or RMA it',
        );
      if (g.eccEnabled === null) return skip('', 'ECC not supported');
      if (!g.eccEnabled)
        return warn(
          '',
          'ECC disabled',
          'sudo nvidia-smi -e 1 and reboot (results on non-ECC memory are not comparable)',
        );
      if ((g.eccCorrected ?? 0) > 0)
        return warn(
          '',
          `enabled, ${g.eccCorrected} corrected errors`,
          'watch for growth; schedule a GPU health check',
        );
      return pass('', 'enabled, 0 errors');
    }),
  );
  out.push(
    perGpu(queried, 'Thermal headroom', (g) => {
      if (g.tempC === null) return skip('', 'temperature not reported');
      if (g.slowdownTempC === null) return pass('', `${g.tempC} °C (no slowdown threshold reported)`);
      const headroom = g.slowdownTempC - g.tempC;
      if (headroom <= 0)
        return fail(
          '',
          `${g.tempC} °C ≥ slowdown ${g.slowdownTempC} °C`,
          'improve cooling / airflow before benchmarking',
        );
      if (headroom < THERMAL_WARN_MARGIN_C)
        return warn(
          '',
          `${g.tempC} °C, ${headroom} °C below slowdown`,
          'let the GPU cool down or check fans before benchmarking',
        );
      return pass('', `${g.tempC} °C, ${headroom} °C below slowdown`);
    }),
  );
  out.push(
    perGpu(queried, 'Clock state', (g) => {
      const active = g.throttleReasons.filter((r) => !BENIGN_THROTTLE.has(r));
      const severe = active.filter((r) => FAIL_THROTTLE.has(r));
      if (severe.length > 0)
        return fail(
          '',
          `throttled: ${severe.join(', ')}`,
          'find the cause (temperature, power brake) and clear it before benchmarking',
        );
      if (active.length > 0)
        return warn(
          '',
          `clock events: ${active.join(', ')}`,
          'idle GPUs should show none; check power cap and other load',
        );
      return pass(
        '',
        g.throttleReasons.length > 0 ? `no throttling (${g.throttleReasons.join(', ')})` : 'no throttling',
      );
    }),
  );
  out.push(
    perGpu(queried, 'Power limit', (g) => {
      if (g.powerLimitW === null || g.defaultPowerLimitW === null) return skip('', 'not reported');
      if (g.powerLimitW < g.defaultPowerLimitW - 0.5)
        return warn(
          '',
          `${g.powerLimitW.toFixed(0)} W < default ${g.defaultPowerLimitW.toFixed(0)} W`,
          `sudo nvidia-smi -pl ${g.defaultPowerLimitW.toFixed(0)}`,
        );
      return pass('', `${g.powerLimitW.toFixed(0)} W (default)`);
    }),
  );
  out.push(
    perGpu(queried, 'Other GPU processes', (g) =>
      g.processes.length > 0
        ? warn(
            '',
            `${g.processes.length} process(es): ${g.processes.map((p) => `${p.pid}${p.name ? ` ${p.name}` : ''}`).join(', ')}`,
            'make sure only the engine under test uses the GPU (nvidia-smi to list them)',
          )
        : pass('', 'none'),
    ),
  );
  return out;
}

export function hostChecks(facts: HostFacts): CheckResult[] {
  const out: CheckResult[] = [];
  const governors = facts.cpuGovernors;
  if (governors === null || governors.length === 0)
    out.push(skip('CPU governor', 'cpufreq not exposed (VM or container)'));
  else {
    const counts = new Map<string, number>();
    for (const g of governors) counts.set(g, (counts.get(g) ?? 0) + 1);
    const summary = [...counts.entries()].map(([g, n]) => `${g} ×${n}`).join(', ');
    if (counts.has('powersave'))
      out.push(
        warn(
          'CPU governor',
          `${summary}: powersave nearly doubles measured TTFT`,
          'sudo cpupower frequency-set -g performance',
        ),
      );
    else if (governors.every((g) => g === 'performance')) out.push(pass('CPU governor', summary));
    else out.push(warn('CPU governor', summary, 'sudo cpupower frequency-set -g performance'));
  }
  if (facts.swap === null) out.push(skip('Swap', '/proc/meminfo not readable'));
  else if (facts.swap.totalKiB === 0) out.push(pass('Swap', 'no swap configured'));
  else {
    const usedKiB = facts.swap.totalKiB - facts.swap.freeKiB;
    if (usedKiB > 0)
      out.push(
        warn(
          'Swap',
          `${(usedKiB / 1024).toFixed(0)} MiB of ${(facts.swap.totalKiB / 1024).toFixed(0)} MiB swap in use`,
          'free memory or `sudo swapoff -a` so the client never pages during a run',
        ),
      );
    else out.push(pass('Swap', `${(facts.swap.totalKiB / 1024).toFixed(0)} MiB configured, none in use`));
  }
  const c = facts.plannedConcurrency;
  // The client holds one socket per in-flight request, the embedded engine one more, plus files.
  const needFds = 2 * c + FD_BASE_RESERVE;
  if (facts.openFiles === null) out.push(skip('Open-file limit', '/proc/self/limits not readable'));
  else if (facts.openFiles.soft < needFds)
    out.push(
      fail(
        'Open-file limit',
        `soft ${facts.openFiles.soft} < ${needFds} needed for concurrency ${c}`,
        facts.openFiles.hard >= needFds
          ? `ulimit -n ${needFds} (hard limit ${facts.openFiles.hard} allows it)`
          : `raise the hard limit (limits.conf / systemd LimitNOFILE) to ≥ ${needFds}`,
      ),
    );
  else out.push(pass('Open-file limit', `soft ${facts.openFiles.soft} ≥ ${needFds} for concurrency ${c}`));
  if (facts.portRange === null) out.push(skip('Ephemeral ports', 'ip_local_port_range not readable'));
  else {
    const ports = facts.portRange.high - facts.portRange.low + 1;
    const range = `${facts.portRange.low}–${facts.portRange.high} (${ports} ports)`;
    if (ports < c)
      out.push(
        fail(
          'Ephemeral ports',
          `${range} < concurrency ${c}`,
          'sudo sysctl -w net.ipv4.ip_local_port_range="1024 65535"',
        ),
      );
    else if (ports < Math.max(10_000, 4 * c))
      out.push(
        warn(
          'Ephemeral ports',
          `${range}: tight for reconnect churn`,
          'sudo sysctl -w net.ipv4.ip_local_port_range="1024 65535"',
        ),
      );
    else out.push(pass('Ephemeral ports', range));
  }
  return out;
}

function probeDetail(probe: EndpointProbe): string {
  if (probe.status === null) return `${probe.url}: ${probe.error ?? 'unreachable'}`;
  return `${probe.url}: HTTP ${probe.status}${probe.detail ? `, ${probe.detail}` : ''}`;
}

export function endpointChecks(facts: HostFacts): CheckResult[] {
  const e = facts.endpoint;
  if (!e) return [];
  const out: CheckResult[] = [];
  const m = e.models;
  if (m.status === 200) out.push(pass('Endpoint /v1/models', probeDetail(m)));
  else
    out.push(
      fail(
        'Endpoint /v1/models',
        probeDetail(m),
        m.status === null
          ? 'start the server or fix --base-url (it should end in /v1)'
          : 'check the server logs and the API key',
      ),
    );
  const h = e.health;
  if (h.status === 200) out.push(pass('Endpoint /health', probeDetail(h)));
  else if (h.status === 404)
    out.push(
      warn(
        'Endpoint /health',
        probeDetail(h),
        'this server has no /health route; readiness cannot be polled',
      ),
    );
  else
    out.push(
      fail(
        'Endpoint /health',
        probeDetail(h),
        h.status === null
          ? 'start the server (nothing answers at this address)'
          : 'the server is up but not healthy: check its logs',
      ),
    );
  const x = e.metrics;
  if (x.status === 200) out.push(pass('Endpoint /metrics', probeDetail(x)));
  else
    out.push(
      warn(
        'Endpoint /metrics',
        probeDetail(x),
        'enable Prometheus metrics on the server (vLLM serves /metrics by default) to record server-side KV/queue data',
      ),
    );
  return out;
}

export function evaluateDoctor(facts: HostFacts): CheckResult[] {
  return [...gpuChecks(facts), ...hostChecks(facts), ...endpointChecks(facts)];
}

export interface DoctorVerdict {
  readonly fails: number;
  readonly warns: number;
  readonly exitCode: 0 | 1;
  readonly trailer: string;
}

export function doctorVerdict(results: readonly CheckResult[], strict: boolean): DoctorVerdict {
  const fails = results.filter((r) => r.status === 'FAIL').length;
  const warns = results.filter((r) => r.status === 'WARN').length;
  if (fails > 0)
    return {
      fails,
      warns,
      exitCode: 1,
      trailer: `REFUSED — ${fails} FAIL. Fix the FAIL rows before benchmarking.`,
    };
  if (strict && warns > 0)
    return {
      fails,
      warns,
      exitCode: 1,
      trailer: `REFUSED — ${warns} WARN under --strict. Fix the WARN rows or drop --strict.`,
    };
  if (warns > 0)
    return { fails, warns, exitCode: 0, trailer: `OK — no FAIL (${warns} WARN: see the fixes above).` };
  return { fails, warns, exitCode: 0, trailer: 'OK — all checks passed.' };
}
