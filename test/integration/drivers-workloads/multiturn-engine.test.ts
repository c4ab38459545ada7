// Multi-turn sessions against the embedded engine (real loopback HTTP, the harness's stream client):
// prompt tokens grow turn by turn as the history is re-sent, and the engine's prefix cache is hit.
import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { startEngine } from '../../../src/engine/index.js';
import type { EngineHandle } from '../../../src/engine/types.js';
import { createStreamClient } from '../../../src/harness/index.js';
import type { DriverContext } from '../../../src/harness/drivers/types.js';
import {
  llmInferencePlugin,
  perTurnTtft,
  resolveSuite,
  workloadToDriver,
} from '../../../src/harness/plugins/index.js';
import type { RequestRecord } from '../../../src/harness/types.js';
import { preciseSleepUntil } from './loopback.js';

let engine: EngineHandle | null = null;
afterEach(async () => {
  await engine?.close();
  engine = null;
});

function metric(text: string, name: string): number {
  let total = 0;
  for (const line of text.split('\n'))
    if (line.startsWith(`${name}{`) || line.startsWith(`${name} `)) total += Number(line.split(' ').at(-1));
  return total;
}

describe('multi-turn against the embedded engine', () => {
  it('re-sends the history each turn: prompt tokens grow per turn and the prefix cache is hit', async () => {
    engine = await startEngine({ seed: 1, timing: 'sim', prefixCaching: true });
    const { spec } = resolveSuite([llmInferencePlugin], 'llm.inference.multi-turn');
    const workload = await llmInferencePlugin.loadWorkload(spec, {
      seed: 9,
      model: engine.modelId,
      engine: 'sim',
      endpointType: 'chat',
      maxTokens: 24,
      extra: { numSessions: 4, turnsPerSession: 'fixed:4', thinkMs: 'fixed:5' },
    });
    if (workload.kind !== 'multi-turn') throw new Error('multi-turn expected');
    const client = createStreamClient({
      baseUrl: engine.baseUrl,
      endpointType: 'chat',
      model: engine.modelId,
      connections: 4,
    });
    const controller = new AbortController();
    const records: RequestRecord[] = [];
    let id = 0;
    const context: DriverContext = {
      now: () => performance.now(),
      send: async (s, tSchedMs) => {
        const record = await client.send(s, tSchedMs, new AbortController().signal, { id: id++ });
        records.push(record);
        return record;
      },
      stopSignal: controller.signal,
      seed: 9,
      sleepUntil: (atMs) => preciseSleepUntil(atMs, controller.signal),
    };
    const done = workloadToDriver(workload, { concurrency: 2 })!(context);
    const firstPass = () => records.filter((r) => r.sessionId! < 4);
    while (firstPass().length < 16) await new Promise((r) => setTimeout(r, 5));
    controller.abort();
    await done;

    for (let session = 0; session < 4; session++) {
      const turns = firstPass()
        .filter((r) => r.sessionId === session)
        .sort((a, b) => a.turn! - b.turn!);
      expect(turns.map((r) => r.turn)).toEqual([0, 1, 2, 3]);
      for (const r of turns) {
        expect(r.errorCode).toBeNull();
        expect(r.tFirstMs! - r.tSendMs).toBeGreaterThan(0); // per-turn TTFT
        expect(r.outputText!.length).toBeGreaterThan(0);
      }
      // The server-counted prompt grows by at least the previous reply at every turn.
      const prompts = turns.map((r) => r.usage!.promptTokens!);
      for (let k = 1; k < prompts.length; k++)
        expect(prompts[k]!).toBeGreaterThan(prompts[k - 1]! + turns[k - 1]!.usage!.completionTokens! - 1);
    }
    const turns = perTurnTtft(firstPass());
    expect(turns.map((t) => [t.turn, t.n])).toEqual([
      [0, 4],
      [1, 4],
      [2, 4],
      [3, 4],
    ]);
    for (const t of turns) expect(t.p50Ms!).toBeGreaterThan(0);
    const metrics = await (await fetch(engine.baseUrl.replace(/\/v1$/, '/metrics'))).text();
    expect(metric(metrics, 'vllm:prefix_cache_hits_total')).toBeGreaterThan(0);
    await client.close?.();
  });
});
