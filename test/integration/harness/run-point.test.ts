import { pointMetricsV1 } from '../../../src/envelope/metrics.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildMetrics,
  createStreamClient,
  readJournal,
  resolvePointConfig,
  resolveSloTemplate,
  runPoint,
  runPointDetailed,
  type DriverContext,
  type HarnessSnapshot,
  type RequestSpec,
} from '../../../src/harness/index.js';
import { scenario, startTestServer, type TestServer } from './sse-server.js';

let server: TestServer;
let dir: string;

beforeAll(async () => {
  server = await startTestServer();
  dir = mkdtempSync(join(tmpdir(), 'ib-harness-'));
});

afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const workload = { request: (i: number): RequestSpec => ({ prompt: `prompt ${i}`, maxTokens: 8 }) };

describe('runPoint: closed loop end to end', () => {
  it('runs warm-up → measuring → draining, writes a journal that recomputes the same metrics', async () => {
    const client = createStreamClient({
      baseUrl: server.baseUrl,
      endpointType: 'chat',
      model: 'test-model',
      connections: 4,
    });
    const config = resolvePointConfig({
      mode: 'closed',
      concurrency: 4,
      durationS: 1,
      warmupRequests: 3,
      gate: { enabled: false },
      sloTemplate: resolveSloTemplate('llm.standard'),
      bootstrapResamples: 200,
    });
    const snapshots: HarnessSnapshot[] = [];
    const journalPath = join(dir, 'closed.jsonl');
    const { result, records } = await runPointDetailed(config, {
      client,
      workload,
      journalPath,
      keepRecords: true,
      onSnapshot: (s) => snapshots.push(s),
      snapshotIntervalMs: 100,
      requestHeaders: () => scenario('ok', { tokens: 8, delayMs: 1 }),
    });
    await client.close();

    // Totals add up.
    expect(result.counts.ok + result.counts.failed).toBe(result.counts.sent);
    expect(result.counts.sent).toBe(records.length);
    expect(result.counts.warmupDiscarded).toBe(3);
    expect(
      records
        .filter((r) => r.warmup)
        .map((r) => r.id)
        .sort(),
    ).toEqual([0, 1, 2]);
    expect(result.counts.inWindow + result.counts.outsideWindow + result.counts.warmupDiscarded).toBe(
      result.counts.sent,
    );
    // Warm-up requests are absent from the metrics.
    expect(pointMetricsV1(result).metrics.n_requests).toBe(result.counts.inWindow);
    expect(pointMetricsV1(result).metrics.ttft_n).toBe(result.counts.inWindow);
    expect(pointMetricsV1(result).metrics.ok_rate).toBe(1);
    expect(pointMetricsV1(result).metrics.osl_mean).toBe(8);
    expect(pointMetricsV1(result).metrics.throughput_tok_per_s).toBeGreaterThan(0);
    expect(pointMetricsV1(result).metrics.tpot_p50_ms).toBeGreaterThan(0);
    expect(pointMetricsV1(result).ci.ttft_p99_ms?.n).toBe(result.counts.inWindow);
    expect(pointMetricsV1(result).ci.ttft_p99_ms!.lo).toBeLessThanOrEqual(
      pointMetricsV1(result).ci.ttft_p99_ms!.hi,
    );
    expect(result.window.durationS).toBeGreaterThan(0.9);
    expect(result.steadyState).toMatchObject({ required: 8, ok: true });
    expect(result.gate.status).toBe('disabled');
    expect(result.slo?.template).toBe('llm.standard');
    expect(result.incomplete).toBe(false);
    expect(result.histograms.ttft.n).toBe(result.counts.inWindow);

    // Snapshots: phases in order, frozen, sequence increasing.
    const phases = [...new Set(snapshots.map((s) => s.phase))];
    expect(phases[0]).toBe('warmup');
    expect(phases).toContain('measuring');
    expect(phases.at(-1)).toBe('done');
    expect(Object.isFrozen(snapshots[0])).toBe(true);
    for (let i = 1; i < snapshots.length; i++)
      expect(snapshots[i]!.seq).toBeGreaterThan(snapshots[i - 1]!.seq);
    expect(snapshots.at(-1)!.done).toBe(result.counts.sent);
    expect(snapshots.find((s) => s.phase === 'warmup')!.windowElapsedS).toBeNull();
    expect(snapshots.at(-1)!.windowElapsedS).toBeCloseTo(result.window.durationS, 6);

    // The metrics were computed from the journal; the journal holds exactly the records, so the
    // in-memory records and the re-read journal both reproduce them.
    const journaled = await readJournal(journalPath);
    expect(journaled).toEqual(records);
    const options = { slo: config.sloTemplate, bootstrapResamples: 200, seed: config.seed };
    expect(buildMetrics(journaled, result.window, options)).toEqual(result.detail);
    expect(buildMetrics(records, result.window, options)).toEqual(result.detail);
  });

  it('with a journal, records are not kept in memory: the metrics come from the file', async () => {
    const client = createStreamClient({
      baseUrl: server.baseUrl,
      endpointType: 'chat',
      model: 'test-model',
      connections: 2,
    });
    const config = resolvePointConfig({
      mode: 'closed',
      concurrency: 2,
      numRequests: 40,
      warmupRequests: 2,
      gate: { enabled: false },
      bootstrapResamples: 50,
    });
    const journalPath = join(dir, 'streamed.jsonl');
    const { result, records } = await runPointDetailed(config, {
      client,
      workload,
      journalPath,
      requestHeaders: (id) =>
        id % 7 === 3 ? scenario('server_error') : scenario('ok', { tokens: 5, delayMs: 1 }),
    });
    await client.close();
    expect(records).toHaveLength(0);
    expect(result.records).toBe(result.counts.sent);
    const journaled = await readJournal(journalPath);
    expect(journaled).toHaveLength(result.counts.sent);
    expect(result.counts.failed).toBeGreaterThan(0);
    expect(buildMetrics(journaled, result.window, { bootstrapResamples: 50, seed: config.seed })).toEqual(
      result.detail,
    );
    expect(result.counts.warmupDiscarded).toBe(journaled.filter((r) => r.warmup).length);
    expect(result.histograms.ttft.n).toBe(result.detail.distributions.ttft.n);
  });

  it('numRequests caps the measured requests; faults are counted by code', async () => {
    const client = createStreamClient({
      baseUrl: server.baseUrl,
      endpointType: 'chat',
      model: 'test-model',
      connections: 2,
    });
    const config = resolvePointConfig({
      mode: 'closed',
      concurrency: 2,
      numRequests: 12,
      warmupRequests: 2,
      gate: { enabled: false },
      bootstrapResamples: 50,
    });
    const faults = ['ok', 'http500', 'ok', 'reset'];
    const result = await runPoint(config, {
      client,
      workload,
      requestHeaders: (i) => scenario(faults[i % faults.length]!, { tokens: 4 }),
    });
    await client.close();
    expect(result.counts.inWindow).toBe(12);
    expect(pointMetricsV1(result).metrics.n_requests).toBe(12);
    const failedByCode = Object.values(result.detail.counts.errorsByCode).reduce((a, b) => a + b, 0);
    expect(result.detail.counts.ok + failedByCode).toBe(12);
    expect(result.detail.counts.errorsByCode.http_500).toBeGreaterThan(0);
    expect(result.detail.counts.errorsByCode.reset).toBeGreaterThan(0);
    expect(pointMetricsV1(result).metrics.ok_rate).toBeCloseTo(result.detail.counts.ok / 12, 10);
    expect(result.steadyState.ok).toBe(true);
  });

  it('a stop signal ends the point early and marks it incomplete', async () => {
    const client = createStreamClient({
      baseUrl: server.baseUrl,
      endpointType: 'chat',
      model: 'test-model',
      connections: 2,
    });
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 300);
    const result = await runPoint(
      resolvePointConfig({ mode: 'closed', concurrency: 2, durationS: 30, gate: { enabled: false } }),
      {
        client,
        workload,
        stopSignal: stop.signal,
        requestHeaders: () => scenario('ok', { tokens: 4, delayMs: 2 }),
      },
    );
    await client.close();
    expect(result.incomplete).toBe(true);
    expect(result.window.durationS).toBeLessThan(5);
    expect(result.warnings.join('\n')).toMatch(/stopped early/);
  });

  it('drain grace: in-flight requests past the grace are aborted and counted', async () => {
    const client = createStreamClient({
      baseUrl: server.baseUrl,
      endpointType: 'chat',
      model: 'test-model',
      connections: 2,
    });
    const result = await runPoint(
      resolvePointConfig({
        mode: 'closed',
        concurrency: 2,
        durationS: 0.3,
        warmupRequests: 0,
        drainGraceS: 0.2,
        gate: { enabled: false },
      }),
      { client, workload, requestHeaders: () => scenario('slow', { tokens: 1000, delayMs: 5 }) },
    );
    await client.close();
    expect(result.counts.errorsByCode.aborted).toBe(2);
    expect(result.counts.ok + result.counts.failed).toBe(result.counts.sent);
    expect(result.warnings.join('\n')).toMatch(/drain grace/);
    expect(result.steadyState.ok).toBe(false);
  });

  it('the gate gives up on a drifting stream: measured anyway, flagged', async () => {
    const client = createStreamClient({
      baseUrl: server.baseUrl,
      endpointType: 'chat',
      model: 'test-model',
      connections: 4,
    });
    const result = await runPoint(
      resolvePointConfig({
        mode: 'closed',
        concurrency: 4,
        durationS: 0.3,
        warmupRequests: 0,
        gate: { enabled: true, window: 10, targetCov: 0.05, timeoutS: 0.8 },
        bootstrapResamples: 50,
      }),
      { client, workload, requestHeaders: () => scenario('drift', { tokens: 4 }) },
    );
    await client.close();
    expect(result.gate.status).toBe('gave_up');
    expect(result.gate.cov!).toBeGreaterThan(0.05);
    expect(result.gate.waitedS).toBeGreaterThanOrEqual(0.79);
    expect(result.warnings.join('\n')).toMatch(/gate gave up/);
    expect(result.counts.inWindow).toBeGreaterThan(0);
  });

  it('ramp: the window opens only after the ramp', async () => {
    const client = createStreamClient({
      baseUrl: server.baseUrl,
      endpointType: 'chat',
      model: 'test-model',
      connections: 4,
    });
    const { result, records } = await runPointDetailed(
      resolvePointConfig({
        mode: 'closed',
        concurrency: 4,
        durationS: 0.3,
        rampS: 0.6,
        warmupRequests: 0,
        gate: { enabled: false },
        bootstrapResamples: 0,
      }),
      { client, workload, requestHeaders: () => scenario('ok', { tokens: 4, delayMs: 2 }) },
    );
    await client.close();
    // Worker start times are checked exactly on virtual time in drivers.test.ts.
    expect(records.length).toBeGreaterThan(0);
    expect(result.window.startMs - result.startedAtMs).toBeGreaterThanOrEqual(600);
    expect(result.counts.inWindow).toBeGreaterThan(0);
  });

  it('numRequests is exact at concurrency 4', async () => {
    const client = createStreamClient({
      baseUrl: server.baseUrl,
      endpointType: 'chat',
      model: 'test-model',
      connections: 4,
    });
    const result = await runPoint(
      resolvePointConfig({
        mode: 'closed',
        concurrency: 4,
        numRequests: 25,
        warmupRequests: 1,
        gate: { enabled: false },
        bootstrapResamples: 0,
      }),
      { client, workload, requestHeaders: () => scenario('ok', { tokens: 3 }) },
    );
    await client.close();
    expect(result.counts.inWindow).toBe(25);
    expect(pointMetricsV1(result).metrics.n_requests).toBe(25);
  });

  it('a custom driver that throws: runPoint rejects with its error and the journal is kept', async () => {
    const client = createStreamClient({
      baseUrl: server.baseUrl,
      endpointType: 'chat',
      model: 'test-model',
      connections: 2,
    });
    const journalPath = join(dir, 'failing-driver.jsonl');
    const failing = async (context: DriverContext): Promise<void> => {
      await context.send({ prompt: 'one', maxTokens: 2 }, context.now());
      void context.send({ prompt: 'two', maxTokens: 2 }, context.now());
      throw new Error('driver bug');
    };
    await expect(
      runPoint(resolvePointConfig({ mode: 'closed', concurrency: 1, durationS: 5, warmupRequests: 0 }), {
        client,
        driver: failing,
        journalPath,
        requestHeaders: () => scenario('slow', { tokens: 50, delayMs: 5 }),
      }),
    ).rejects.toThrow('driver bug');
    await client.close();
    const journaled = await readJournal(journalPath);
    expect(journaled).toHaveLength(2);
    expect(journaled[1]!.errorCode).toBe('aborted');
  });

  it('warm-up requests never reach the metrics (slow warm-ups, fast rest)', async () => {
    const client = createStreamClient({
      baseUrl: server.baseUrl,
      endpointType: 'chat',
      model: 'test-model',
      connections: 2,
    });
    const { result, records } = await runPointDetailed(
      resolvePointConfig({
        mode: 'closed',
        concurrency: 2,
        numRequests: 10,
        warmupRequests: 3,
        gate: { enabled: false },
        bootstrapResamples: 0,
      }),
      {
        client,
        workload,
        // The 3 warm-ups take ≥ 2 × 500 ms to their first token; the rest are immediate.
        requestHeaders: (id) => scenario('ok', { tokens: 3, delayMs: id < 3 ? 500 : 0 }),
      },
    );
    await client.close();
    const warmups = records.filter((r) => r.warmup);
    expect(warmups).toHaveLength(3);
    // libuv's timer clock has 1 ms granularity: a 500 ms timer may fire up to 1 ms early.
    for (const r of warmups) expect(r.tFirstMs! - r.tSendMs).toBeGreaterThanOrEqual(499);
    expect(pointMetricsV1(result).metrics.ttft_n).toBe(10);
    expect(pointMetricsV1(result).metrics.total_p99_ms!).toBeLessThan(500);
  });
});
