// buildEnvelope: a typed point (from a real run of the point runner on a virtual clock) plus facts
// and telemetry → an unsigned v1 envelope. The energy arithmetic is pinned with units.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  buildEnvelope,
  buildHardwareFingerprint,
  generateDevKeyPair,
  type FingerprintParts,
  signEnvelope,
  type RunFacts,
} from '../../../src/envelope/index.js';
import {
  resolvePointConfig,
  runPoint,
  VirtualClock,
  type PointResult,
  type RequestRecord,
} from '../../../src/harness/index.js';
import type { TelemetryWindowSummary } from '../../../src/telemetry/types.js';
import { sampleUnsignedEnvelope } from './sample-envelope.js';

let point: PointResult;

beforeAll(async () => {
  const clock = new VirtualClock();
  const client = {
    stats: { sent: 0, done: 0, inFlight: 0, eventsReceived: 0, tokensReceived: 0 },
    send: (
      _spec: unknown,
      tSchedMs: number,
      _signal?: AbortSignal,
      meta?: { id?: number; warmup?: boolean },
    ) =>
      new Promise<RequestRecord>((resolve) => {
        const tSendMs = clock.now();
        clock.setTimeout(() => {
          const times = [tSendMs + 2, tSendMs + 4, tSendMs + 6, tSendMs + 8];
          resolve({
            id: meta?.id ?? 0,
            worker: 0,
            tSchedMs,
            tSendMs,
            tFirstMs: times[0] ?? null,
            tFirstOutMs: times[0] ?? null,
            tLastMs: tSendMs + 8,
            tDoneMs: tSendMs + 10,
            eventTimesMs: times,
            eventTokens: [1, 1, 1, 1],
            usage: null,
            oslTokens: 4,
            oslSource: 'usage',
            inputTokens: 10,
            finishReason: 'stop',
            httpStatus: 200,
            errorCode: null,
            warmup: meta?.warmup ?? false,
          });
        }, 10);
      }),
  };
  const done = runPoint(
    resolvePointConfig({
      mode: 'closed',
      concurrency: 1,
      durationS: 1,
      warmupRequests: 0,
      gate: { enabled: false },
      bootstrapResamples: 20,
      budgets: { eventLoopDelayP99Ms: 1e9, pacerLagP99Ms: 1e9 },
    }),
    { client, workload: { request: () => ({ prompt: 'x', maxTokens: 4 }) }, clock },
  );
  point = await clock.runUntil(done, { stepMs: 5 });
});

const base = sampleUnsignedEnvelope();
const facts: RunFacts = {
  suiteId: 'llm.inference.chatbot-short',
  suiteVersion: '1.0.0',
  model: { id: 'm', provider: 'sim', endpointHash: '0'.repeat(64) },
  engine: { name: 'sim', version: '0.1.0', configHash: 'a'.repeat(64) },
  quant: 'fp16',
  hardwareClass: 'a100',
  hardwareFingerprint: base.hardware_fingerprint as RunFacts['hardwareFingerprint'],
  provenance: base.software_provenance,
  dataset: { id: 'd', hash: 'b'.repeat(64) },
  seed: 42,
  driverOptions: { mode: 'closed_loop' },
  sloTemplate: 'llm.standard',
  sloResolved: 'ttft p99 <= 420 ms, tpot p99 <= 70 ms',
  pointLabel: 'c1',
  runContext: { tool: 'x' },
  warnings: ['first'],
  now: new Date('2026-05-18T13:27:52.402Z'),
};

function gpu(
  energyJoulesTotal: number,
  energyMethod: 'counter' | 'power_integral' = 'counter',
): TelemetryWindowSummary {
  return {
    source: 'nvml',
    gpu: {
      available: true,
      gpuCount: 2,
      energyJoulesTotal,
      energyMethod,
      powerAvgW: 600,
      powerPeakW: 700,
      powerUnderLoadAvgW: 650,
      utilGpuAvgPct: 90,
      sampleCount: 10,
      intervalMs: 100,
    },
    rapl: { available: false, reason: 'no RAPL' },
  };
}

describe('buildEnvelope', () => {
  it('names the typed metrics the v1 way and keeps the window tokens', () => {
    const envelope = buildEnvelope(
      facts,
      { result: point, workers: 0 },
      { window: null, idleBaselineW: null, serverMetrics: null },
    );
    // 100 requests of 4 tokens, all inside [0, 1000] ms.
    expect(envelope.metrics.tokens_out_total).toBe(400);
    expect(envelope.metrics.n_requests).toBe(point.detail.counts.measured);
    expect(envelope.metrics.ttft_p50_ms).toBe(2);
    expect(envelope.metrics.slo_hardware_class).toBe('a100');
    expect(envelope.metrics.slo_template_resolved).toBe('ttft p99 <= 420 ms, tpot p99 <= 70 ms');
    expect(envelope.run_context).toMatchObject({ tool: 'x', point: 'c1', incomplete: false });
    expect(envelope.warnings[0]).toBe('first');
    expect(envelope.signature).toBeNull();
  });

  it.each<[string, TelemetryWindowSummary | null, Record<string, number | null>, string | null]>([
    // energy (J) ÷ output tokens in the same window: 400 tokens.
    ['counter: 1200 J over 400 tokens', gpu(1200), { energy_joules_total: 1200, joules_per_token: 3 }, null],
    ['small energy: 0.4 J', gpu(0.4), { energy_joules_total: 0.4, joules_per_token: 0.001 }, null],
    ['large energy: 2 MJ', gpu(2e6), { energy_joules_total: 2e6, joules_per_token: 5000 }, null],
    [
      'power integral, labelled',
      gpu(800, 'power_integral'),
      { energy_joules_total: 800, joules_per_token: 2 },
      'energy_joules_total is an integral of sampled power (no energy counter available)',
    ],
    [
      'no GPU source',
      {
        source: 'none',
        gpu: { available: false, reason: 'no NVML' },
        rapl: { available: false, reason: 'x' },
      },
      { energy_joules_total: null, joules_per_token: null, power_avg_w: null },
      'energy metrics not available: no NVML',
    ],
    [
      'no telemetry',
      null,
      { energy_joules_total: null, joules_per_token: null },
      'energy metrics not available: no telemetry',
    ],
  ])('energy: %s', (_label, window, expected, warning) => {
    const envelope = buildEnvelope(
      facts,
      { result: point, workers: 0 },
      { window, idleBaselineW: 70, serverMetrics: null },
    );
    for (const [key, value] of Object.entries(expected)) {
      if (value === null) expect(envelope.metrics[key]).toBeNull();
      else expect(envelope.metrics[key]).toBeCloseTo(value, 12);
    }
    if (warning === null) expect(envelope.warnings.some((w) => w.startsWith('energy'))).toBe(false);
    else expect(envelope.warnings).toContain(warning);
  });

  it('joules_per_token is null when no token arrived in the window', () => {
    const silent = { ...point, detail: { ...point.detail, tokensInWindow: 0 } };
    const envelope = buildEnvelope(
      facts,
      { result: silent, workers: 0 },
      { window: gpu(100), idleBaselineW: null, serverMetrics: null },
    );
    expect(envelope.metrics.energy_joules_total).toBe(100);
    expect(envelope.metrics.joules_per_token).toBeNull();
  });

  it('records the load workers in quality.client and passes the strict write schema when signed', async () => {
    const envelope = buildEnvelope(
      facts,
      { result: point, workers: 2 },
      { window: gpu(1200), idleBaselineW: 70, serverMetrics: { up: 1 } },
    );
    expect(envelope.quality).toMatchObject({
      valid: true,
      client: { workers: 2, worker_event_loop_delay_p99_ms: null },
    });
    expect(envelope.telemetry).toMatchObject({
      idle_baseline_w: 70,
      server_metrics: { up: 1 },
      gpu: { gpu_count: 2 },
    });
    const dir = await mkdtemp(join(tmpdir(), 'ib-build-'));
    const keyPath = join(dir, 'cosign.key');
    await generateDevKeyPair(keyPath);
    const { envelope: signed } = await signEnvelope(envelope, { mode: 'dev', keyPath });
    expect(signed.metrics.joules_per_token).toBe(3);
  });

  it('writes what InferenceBench hashes: pydantic timestamp, stripped typed strings, placeholders listed', async () => {
    const envelope = buildEnvelope(
      {
        ...facts,
        now: new Date('2026-06-13T05:30:44.000Z'), // a zero fraction: pydantic writes …:44Z
        warnings: ['  disk almost full\n'],
        model: { ...facts.model, id: 'meta-llama/Llama-3.1-8B-Instruct ' },
        driverOptions: { ' mode': ' closed_loop ' },
        hardwareFingerprint: buildHardwareFingerprint({
          ...(facts.hardwareFingerprint as FingerprintParts),
          memory: { channels: 1, speed_mts: 1, ecc: false },
        }) as RunFacts['hardwareFingerprint'],
      },
      { result: point, workers: 0 },
      { window: null, idleBaselineW: null, serverMetrics: null },
    );
    expect(envelope.timestamp).toBe('2026-06-13T05:30:44Z');
    expect(envelope.warnings[0]).toBe('disk almost full');
    expect(envelope.model.id).toBe('meta-llama/Llama-3.1-8B-Instruct');
    expect(envelope.driver_options).toEqual({ mode: ' closed_loop ' }); // dict[str, Any]: key only
    expect(envelope.placeholders).toEqual(
      expect.arrayContaining([
        'hardware_fingerprint.memory.channels',
        'hardware_fingerprint.memory.speed_mts',
        'model.endpoint_hash',
        'model.revision',
      ]),
    );
    const dir = await mkdtemp(join(tmpdir(), 'ib-build-'));
    const keyPath = join(dir, 'cosign.key');
    await generateDevKeyPair(keyPath);
    await expect(signEnvelope(envelope, { mode: 'dev', keyPath })).resolves.toBeDefined();
  });
});
