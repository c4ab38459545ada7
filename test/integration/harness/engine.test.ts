// The harness against the embedded engine over real loopback HTTP.
import { pointMetricsV1 } from '../../../src/envelope/metrics.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine } from '../../../src/engine/index.js';
import type { EngineHandle } from '../../../src/engine/types.js';
import {
  createStreamClient,
  resolvePointConfig,
  runPointDetailed,
  type ErrorCode,
  type RequestRecord,
  type RequestSpec,
} from '../../../src/harness/index.js';

const spec: RequestSpec = { messages: [{ role: 'user', content: 'Say something.' }], maxTokens: 12 };
const workload = { request: (i: number): RequestSpec => ({ prompt: `request number ${i}`, maxTokens: 16 }) };

let engine: EngineHandle;

beforeAll(async () => {
  engine = await startEngine({
    timing: 'fixed',
    fixed: { ttftMs: 5, ttftJitterMs: 0, itlMs: 1, itlJitterMs: 0 },
    seed: 3,
  });
});

afterAll(async () => {
  await engine.close();
});

describe('client against the embedded engine', () => {
  it('every fault kind is counted under its code; totals add up', async () => {
    const client = createStreamClient({
      baseUrl: engine.baseUrl,
      endpointType: 'chat',
      model: engine.modelId,
      connections: 8,
      idleTimeoutMs: 300,
    });
    const plan: [string, ErrorCode | null][] = [
      ['none', null],
      ['http500', 'http_500'],
      ['http429', 'http_429'],
      ['reset', 'reset'],
      ['malformed', 'malformed_event'],
      ['stall', 'stall'],
      ['none', null],
    ];
    const records = await Promise.all(
      plan.map(([fault]) =>
        client.send(spec, performance.now(), undefined, { headers: { 'x-sim-fault': fault } }),
      ),
    );
    await client.close();
    records.forEach((record, i) => expect(record.errorCode, plan[i]![0]).toBe(plan[i]![1]));
    const ok = records.filter((r) => r.errorCode === null);
    expect(ok).toHaveLength(2);
    for (const record of ok) {
      expect(record.oslSource).toBe('usage');
      expect(record.oslTokens).toBe(12);
      expect(record.eventTimesMs).toHaveLength(12); // the role-only chunk is not a token
    }
    expect(client.stats.sent).toBe(plan.length);
    expect(client.stats.inFlight).toBe(0);
  });

  it('multi-token chunks: per-event counts add up to usage', async () => {
    const multi = await startEngine({ timing: 'nodelay', tokensPerChunk: 4, seed: 1 });
    const client = createStreamClient({
      baseUrl: multi.baseUrl,
      endpointType: 'completions',
      model: multi.modelId,
      connections: 1,
    });
    const record = await client.send({ prompt: 'hello there', maxTokens: 10 }, performance.now());
    await client.close();
    await multi.close();
    expect(record.errorCode).toBeNull();
    expect(record.oslTokens).toBe(10);
    expect(record.eventTimesMs).toHaveLength(3); // 4 + 4 + 2
    expect(record.eventTokens.reduce((a, b) => a + b, 0)).toBe(10);
  });

  it('reasoning mode: ttfo comes after ttft', async () => {
    const reasoning = await startEngine({
      timing: 'fixed',
      fixed: { ttftMs: 2, ttftJitterMs: 0, itlMs: 2, itlJitterMs: 0 },
      reasoningTokens: 4,
    });
    const client = createStreamClient({
      baseUrl: reasoning.baseUrl,
      endpointType: 'chat',
      model: reasoning.modelId,
      connections: 1,
    });
    const record = await client.send(spec, performance.now());
    await client.close();
    await reasoning.close();
    expect(record.errorCode).toBeNull();
    expect(record.tFirstOutMs!).toBeGreaterThan(record.tFirstMs!);
  });
});

describe('runPoint against the embedded engine', () => {
  it('open loop (Poisson): requests follow their schedule, t_sched is the arrival time', async () => {
    const client = createStreamClient({
      baseUrl: engine.baseUrl,
      endpointType: 'completions',
      model: engine.modelId,
      connections: 64,
    });
    const config = resolvePointConfig({
      mode: 'open',
      rps: 100,
      arrival: 'poisson',
      durationS: 1.5,
      warmupRequests: 2,
      gate: { enabled: false },
      bootstrapResamples: 100,
      seed: 5,
    });
    const { result, records } = await runPointDetailed(config, { client, workload });
    await client.close();
    // 150 expected arrivals in the window; Poisson sd ≈ 12.
    expect(result.counts.inWindow).toBeGreaterThan(100);
    expect(result.counts.inWindow).toBeLessThan(200);
    expect(pointMetricsV1(result).metrics.ok_rate).toBe(1);
    expect(result.client.pacerLagP99Ms).not.toBeNull();
    expect(pointMetricsV1(result).metrics.pacer_lag_p99_ms).toBe(result.client.pacerLagP99Ms);
    // Open loop: tSched is the schedule, tSend follows it closely; arrivals are not evenly spaced.
    const sent = [...records].sort((a, b) => a.tSchedMs - b.tSchedMs);
    const gapsMs = sent.slice(1).map((r, i) => r.tSchedMs - sent[i]!.tSchedMs);
    const distinct = new Set(gapsMs.map((g) => g.toFixed(3)));
    expect(distinct.size).toBeGreaterThan(gapsMs.length / 2);
    for (const r of records) expect(r.tSendMs).toBeGreaterThanOrEqual(r.tSchedMs);
    expect(result.steadyState.required).toBeNull();
  });

  it('max concurrency: waiting for a slot shows as queue delay and in ttft_sched', async () => {
    const slow = await startEngine({
      timing: 'fixed',
      fixed: { ttftMs: 30, ttftJitterMs: 0, itlMs: 2, itlJitterMs: 0 },
    });
    const client = createStreamClient({
      baseUrl: slow.baseUrl,
      endpointType: 'completions',
      model: slow.modelId,
      connections: 2,
    });
    const config = resolvePointConfig({
      mode: 'open',
      rps: 100,
      arrival: 'constant',
      maxConcurrency: 2,
      durationS: 0.6,
      warmupRequests: 0,
      gate: { enabled: false },
      bootstrapResamples: 50,
    });
    const { result, records } = await runPointDetailed(config, { client, workload });
    await client.close();
    await slow.close();
    // Each request takes ≥ 60 ms and only 2 may be in flight: ~33 req/s served of 100 offered.
    const measured = records.filter((r: RequestRecord) => !r.warmup && r.errorCode === null);
    expect(Math.max(...measured.map((r) => r.tSendMs - r.tSchedMs))).toBeGreaterThan(50);
    expect(pointMetricsV1(result).metrics.client_queue_delay_p90_ms!).toBeGreaterThan(20);
    expect(pointMetricsV1(result).metrics.ttft_sched_p50_ms!).toBeGreaterThan(
      pointMetricsV1(result).metrics.ttft_p50_ms!,
    );
  });

  it('the gate converges on a steady stream', async () => {
    // Fixed timing (2 ms ITL, no jitter) and 64-token answers: per-request decode rates differ only by
    // client/timer noise, which longer answers average out.
    const steady = await startEngine({
      timing: 'fixed',
      fixed: { ttftMs: 5, ttftJitterMs: 0, itlMs: 2, itlJitterMs: 0 },
    });
    const client = createStreamClient({
      baseUrl: steady.baseUrl,
      endpointType: 'completions',
      model: steady.modelId,
      connections: 4,
    });
    const config = resolvePointConfig({
      mode: 'closed',
      concurrency: 4,
      durationS: 0.5,
      warmupRequests: 3,
      gate: { enabled: true, window: 30, targetCov: 0.25, timeoutS: 20 },
      bootstrapResamples: 50,
    });
    const { result } = await runPointDetailed(config, {
      client,
      workload: { request: (i: number): RequestSpec => ({ prompt: `steady ${i}`, maxTokens: 64 }) },
    });
    await client.close();
    await steady.close();
    expect(result.gate.status).toBe('converged');
    expect(result.gate.cov!).toBeLessThan(0.25);
    expect(result.gate.waitedS).toBeLessThan(20);
    expect(result.warnings.join('\n')).not.toMatch(/gave up/);
  });
});
