// --cancel-rate: the seeded choice, the `cancelled` outcome over real loopback, the engine freeing
// the aborted streams (its /metrics running count drops), and how cancelled requests enter the metrics.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, type EngineHandle } from '../../../src/engine/index.js';
import { cancelDelayMs, cancelUniform, validateCancelOptions } from '../../../src/harness/client/cancel.js';
import { createStreamClient } from '../../../src/harness/client/stream-client.js';
import { buildMetrics } from '../../../src/harness/metrics/compute.js';
import type { RequestSpec } from '../../../src/harness/types.js';
import { rec } from './records.js';

describe('seeded choice', () => {
  it('is a pure function of (seed, id), close to the rate over many ids', () => {
    const o = { rate: 0.25, afterMs: 50, seed: 42 };
    const chosen = Array.from({ length: 10_000 }, (_, id) => cancelDelayMs(o, id)).filter((d) => d !== null);
    expect(chosen.length / 10_000).toBeGreaterThan(0.23);
    expect(chosen.length / 10_000).toBeLessThan(0.27);
    expect(cancelDelayMs(o, 7)).toBe(cancelDelayMs(o, 7));
    expect(cancelUniform(1, 7)).not.toBe(cancelUniform(2, 7));
    expect(cancelDelayMs({ ...o, rate: 0 }, 7)).toBeNull();
    expect(cancelDelayMs({ ...o, rate: 1 }, 7)).toBe(50);
    expect(() => validateCancelOptions({ ...o, rate: 1.5 })).toThrow(/--cancel-rate/);
    expect(() => validateCancelOptions({ ...o, afterMs: -1 })).toThrow(/--cancel-after-ms/);
  });
});

async function runningRequests(engine: EngineHandle): Promise<number> {
  const text = await (await fetch(`${engine.baseUrl.replace(/\/v1$/, '')}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('vllm:num_requests_running'));
  return Number(line?.split(' ').at(-1));
}

describe('over loopback against the embedded engine', () => {
  let engine: EngineHandle;
  beforeAll(async () => {
    // 5 ms per token: a 2000-token answer would stream for 10 s.
    engine = await startEngine({
      timing: 'fixed',
      fixed: { ttftMs: 5, ttftJitterMs: 0, itlMs: 5, itlJitterMs: 0 },
    });
  });
  afterAll(async () => {
    await engine.close();
  });

  const long: RequestSpec = {
    messages: [{ role: 'user', content: 'tell me a long story' }],
    maxTokens: 2000,
    extraBody: { ignore_eos: true },
  };

  it('chosen requests end `cancelled` mid-stream; the engine frees them (running drops to 0)', async () => {
    const o = { rate: 0.5, afterMs: 1000, seed: 7 };
    const client = createStreamClient({
      baseUrl: engine.baseUrl,
      endpointType: 'chat',
      model: 'meta-llama/Llama-3.1-8B-Instruct',
      connections: 8,
      cancel: o,
    });
    const ids = Array.from({ length: 8 }, (_, i) => i);
    const doomed = ids.filter((id) => cancelDelayMs(o, id) !== null);
    expect(doomed.length).toBeGreaterThan(0);
    expect(doomed.length).toBeLessThan(8);
    const spare = ids.filter((id) => !doomed.includes(id));
    const short: RequestSpec = { ...long, maxTokens: 4 };
    // Doomed ids stream 2000 tokens (would take 10 s); the others finish in ~25 ms; cancellation strikes at 1 s.
    const sends = ids.map((id) =>
      client.send(doomed.includes(id) ? long : short, performance.now(), undefined, { id }),
    );
    // Once the short ones are done, only the doomed streams are in the engine's batch.
    await Promise.all(spare.map((id) => sends[id]!));
    expect(await runningRequests(engine)).toBe(doomed.length);
    const records = await Promise.all(sends);
    for (const id of doomed) {
      const r = records[id]!;
      expect(r.errorCode).toBe('cancelled');
      expect(r.eventTimesMs.length).toBeGreaterThan(0); // cut mid-stream, after tokens arrived
      expect(r.tDoneMs - r.tSendMs).toBeLessThan(5000);
    }
    for (const id of spare) expect(records[id]!.errorCode).toBeNull();
    // The engine noticed the closed sockets and dropped the sequences from its batch.
    let running = await runningRequests(engine);
    for (let i = 0; i < 40 && running !== 0; i += 1) {
      await new Promise((r) => setTimeout(r, 25));
      running = await runningRequests(engine);
    }
    expect(running).toBe(0);
    await client.close();
  });
});

describe('metrics denominators', () => {
  it('cancelled requests are outside ok_rate and the latency samples, counted as n_cancelled', () => {
    const window = { startMs: 0, endMs: 10_000 };
    const records = [
      rec({ id: 0, tSend: 10, events: [30, 40], osl: 2 }),
      rec({ id: 1, tSend: 20, events: [40, 50], osl: 2 }),
      rec({ id: 2, tSend: 30, errorCode: 'http_500' }),
      rec({ id: 3, tSend: 40, events: [60], osl: 1, errorCode: 'cancelled' }),
    ];
    const m = buildMetrics(records, window, { bootstrapResamples: 0 });
    expect(m.counts).toMatchObject({ measured: 3, ok: 2, failed: 1, cancelled: 1 });
    expect(m.okRate).toBeCloseTo(2 / 3, 12);
    expect(m.counts.errorsByCode).toEqual({ http_500: 1 });
    expect(m.distributions.ttft.n).toBe(2);
  });
});
