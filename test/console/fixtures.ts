// Snapshot fixtures for console tests and the docs capture. Deterministic synthetic data shaped
// like what the harness and telemetry publish (HarnessSnapshot / TelemetrySnapshot).
import type { GateState, HarnessSnapshot, HistogramView } from '../../src/harness/types.js';
import type { ConsoleMeta, ConsoleState, SweepRow } from '../../src/app/console/types.js';
import { initialConsoleState } from '../../src/app/console/store.js';
import type { GpuLive, TelemetrySnapshot, TelemetryWindowSummary } from '../../src/telemetry/types.js';

export const META: ConsoleMeta = {
  suite: 'chat-medium',
  model: 'meta-llama/Llama-3.1-8B-Instruct',
  engine: 'vllm 0.11.0',
  endpointHost: 'gpu-box:8000',
  simulated: false,
};

export const SIM_META: ConsoleMeta = {
  suite: 'chat-short',
  model: 'sim-8b',
  engine: 'sim',
  endpointHost: '127.0.0.1:41233',
  simulated: true,
};

/** 24 log buckets from `loMs` (8 per decade) with a log-normal-ish shape around `centreMs`. */
export function logHistogram(loMs: number, centreMs: number, n: number, tail = 0.03): HistogramView {
  const edgesMs = Array.from({ length: 25 }, (_, i) => loMs * 10 ** (i / 8));
  const weights = edgesMs.slice(0, 24).map((lo, i) => {
    const mid = Math.sqrt(lo * (edgesMs[i + 1] ?? lo));
    const z = Math.log10(mid / centreMs) / 0.12;
    return Math.exp(-0.5 * z * z) + (mid > centreMs * 2 && mid < centreMs * 6 ? tail : 0);
  });
  const total = weights.reduce((a, b) => a + b, 0);
  const counts = weights.map((w) => Math.round((w / total) * n));
  const sum = counts.reduce((a, b) => a + b, 0);
  let acc = 0;
  let p50Ms: number | null = null;
  let p99Ms: number | null = null;
  counts.forEach((c, i) => {
    acc += c;
    const mid = Math.sqrt((edgesMs[i] ?? 0) * (edgesMs[i + 1] ?? 0));
    if (p50Ms === null && acc >= sum * 0.5) p50Ms = Math.round(mid * 10) / 10;
    if (p99Ms === null && acc >= sum * 0.99) p99Ms = Math.round(mid * 10) / 10;
  });
  return { edgesMs, counts, n: sum, p50Ms, p99Ms };
}

const EMPTY_HIST: HistogramView = {
  edgesMs: Array.from({ length: 25 }, (_, i) => 10 ** (i / 8)),
  counts: Array.from({ length: 24 }, () => 0),
  n: 0,
  p50Ms: null,
  p99Ms: null,
};

function wave(n: number, base: number, amp: number, phase = 0): number[] {
  return Array.from({ length: n }, (_, i) =>
    Math.max(0, base + amp * Math.sin(i / 5 + phase) + (i % 7) * amp * 0.05),
  );
}

export const GATE_WAITING: GateState = { status: 'waiting', cov: 0.081, n: 12, window: 30, targetCov: 0.05 };
export const GATE_CONVERGED: GateState = {
  status: 'converged',
  cov: 0.031,
  n: 30,
  window: 30,
  targetCov: 0.05,
};
export const GATE_GAVE_UP: GateState = { status: 'gave_up', cov: 0.094, n: 30, window: 30, targetCov: 0.05 };

export function harnessSnapshot(overrides: Partial<HarnessSnapshot> = {}): HarnessSnapshot {
  return {
    seq: 248,
    phase: 'measuring',
    elapsedS: 62,
    durationS: 120,
    point: { index: 1, total: 4, label: 'c16' },
    inFlight: 16,
    sent: 1312,
    done: 1296,
    ok: 1296,
    failed: 0,
    errorsByCode: {},
    tokPerS: 4180.5,
    reqPerS: 20.9,
    tokPerSSeries: wave(62, 4100, 300),
    reqPerSSeries: wave(62, 20.5, 1.8, 1),
    ttft: logHistogram(5, 48, 1296),
    tpot: logHistogram(2, 11.5, 1296, 0.01),
    gate: GATE_CONVERGED,
    client: { eventLoopDelayP99Ms: 1.4, pacerLagP99Ms: 0.2, cpuPercent: 23, distorted: false, reasons: [] },
    ...overrides,
  };
}

export const WARMUP_SNAPSHOT: HarnessSnapshot = harnessSnapshot({
  seq: 3,
  phase: 'warmup',
  elapsedS: 0.75,
  sent: 16,
  done: 0,
  ok: 0,
  inFlight: 16,
  tokPerS: 0,
  reqPerS: 0,
  tokPerSSeries: [],
  reqPerSSeries: [],
  ttft: EMPTY_HIST,
  tpot: EMPTY_HIST,
  gate: { status: 'waiting', cov: null, n: 0, window: 30, targetCov: 0.05 },
  client: { eventLoopDelayP99Ms: null, pacerLagP99Ms: null, cpuPercent: null, distorted: false, reasons: [] },
});

export const ERRORS_SNAPSHOT: HarnessSnapshot = harnessSnapshot({
  ok: 1270,
  failed: 26,
  errorsByCode: { http_500: 14, reset: 7, stall: 3, http_429: 2 },
});

export const DISTORTED_SNAPSHOT: HarnessSnapshot = harnessSnapshot({
  client: {
    eventLoopDelayP99Ms: 18.7,
    pacerLagP99Ms: 6.2,
    cpuPercent: 97,
    distorted: true,
    reasons: ['event-loop delay p99 18.7ms > 5ms budget', 'pacer lag p99 6.20ms > 1ms budget'],
  },
});

function gpu(index: number, phase: number): GpuLive {
  const power = wave(60, 610, 60, phase);
  const util = wave(60, 88, 9, phase).map((u) => Math.min(100, u));
  return {
    index,
    name: 'H100 80GB HBM3',
    latest: {
      tMs: 62_000,
      powerW: power.at(-1) ?? 0,
      energyMj: 123_456_789,
      utilGpuPct: util.at(-1) ?? 0,
      utilMemPct: 61,
      memUsedMiB: 71_234,
      smClockMhz: 1980,
      tempC: 63,
    },
    powerWSeries: power,
    utilPctSeries: util,
  };
}

export function gpuTelemetry(gpuCount = 1): TelemetrySnapshot {
  return {
    source: 'nvml',
    gpu: {
      available: true,
      gpus: Array.from({ length: gpuCount }, (_, i) => gpu(i, i)),
      energyJ: 37_940 * gpuCount,
      sampleCount: 620 * gpuCount,
      intervalMs: 100,
    },
    rapl: { available: false, reason: 'no /sys/class/powercap/intel-rapl (not exposed in this VM)' },
  };
}

export const NO_GPU_TELEMETRY: TelemetrySnapshot = {
  source: 'none',
  gpu: { available: false, reason: 'libnvidia-ml.so.1 not found (no NVIDIA driver on this host)' },
  rapl: { available: false, reason: 'no /sys/class/powercap/intel-rapl (not exposed in this VM)' },
};

export const WINDOW_SUMMARY: TelemetryWindowSummary = {
  source: 'nvml',
  gpu: {
    available: true,
    gpuCount: 1,
    energyJoulesTotal: 36_120,
    energyMethod: 'counter',
    powerAvgW: 602,
    powerPeakW: 688,
    powerUnderLoadAvgW: 631,
    utilGpuAvgPct: 86.4,
    sampleCount: 600,
    intervalMs: 100,
  },
  rapl: { available: true, packageJoules: 5_210, dramJoules: 840, sampleCount: 2400, intervalMs: 25 },
};

export const SWEEP_ROWS: readonly SweepRow[] = [
  {
    point: 'c1',
    throughputTokPerS: 96.2,
    ttftP50Ms: 21.4,
    tpotP50Ms: 10.1,
    okRate: 1,
    joulesPerToken: 3.05,
    envelope: 'c1-3f9a1c2b7d4e.json',
  },
  {
    point: 'c4',
    throughputTokPerS: 371.8,
    ttftP50Ms: 24.9,
    tpotP50Ms: 10.6,
    okRate: 1,
    joulesPerToken: 0.98,
    envelope: 'c4-a81d09e2c3f1.json',
  },
  {
    point: 'c16',
    throughputTokPerS: 1402.3,
    ttftP50Ms: 48.3,
    tpotP50Ms: 11.4,
    okRate: 0.998,
    joulesPerToken: 0.31,
    envelope: 'c16-0b7c55e1d2a9.json',
  },
  {
    point: 'c64',
    throughputTokPerS: 4180.5,
    ttftP50Ms: 161,
    tpotP50Ms: 14.9,
    okRate: 0.981,
    joulesPerToken: null,
    envelope: 'c64-9e2f4a0c6b13.json',
  },
];

/** A whole console state for a pane/dashboard test. */
export function consoleState(overrides: Partial<ConsoleState> = {}): ConsoleState {
  return {
    ...initialConsoleState(META),
    harness: harnessSnapshot(),
    telemetry: gpuTelemetry(1),
    ...overrides,
  };
}
