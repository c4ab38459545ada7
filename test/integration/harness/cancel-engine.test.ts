// --cancel-rate over real loopback: chosen requests end `cancelled` mid-stream, and the embedded
// engine frees the aborted streams (its /metrics running count drops).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, type EngineHandle } from '../../../src/engine/index.js';
import { cancelDelayMs } from '../../../src/harness/client/cancel.js';
import { createStreamClient } from '../../../src/harness/client/stream-client.js';
import type { RequestSpec } from '../../../src/harness/types.js';

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
