import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { llmInferencePlugin, resolveSuite, workloadToDriver } from '../../../src/harness/plugins/index.js';
import { makeContext, startLoopbackServer, type LoopbackServer } from './loopback.js';

const SESSIONS = fileURLToPath(
  new URL('../../../fixtures/datasets/multi-turn-sample.jsonl', import.meta.url),
);

let server: LoopbackServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

describe('multi-turn workload + driver (real loopback HTTP)', () => {
  it('each turn re-sends the growing history; records carry session and turn', async () => {
    const { spec } = resolveSuite([llmInferencePlugin], 'llm.inference.multi-turn');
    const workload = await llmInferencePlugin.loadWorkload(spec, {
      seed: 3,
      model: 'sim',
      engine: 'sim',
      endpointType: 'chat',
      datasetPath: SESSIONS,
      extra: {},
    });
    if (workload.kind !== 'multi-turn') throw new Error('multi-turn expected');
    // Compress think times so the test is quick; history growth does not depend on them.
    const fast = {
      ...workload,
      sessions: workload.sessions.map((s) => s.map((t) => ({ ...t, thinkMs: Math.min(t.thinkMs, 5) }))),
    };
    const driver = workloadToDriver(fast, { concurrency: 2 })!;
    server = await startLoopbackServer({ words: 4 });
    const context = makeContext(server.baseUrl);
    const total = fast.sessions.reduce((n, s) => n + s.length, 0);
    const firstPass = () => context.records.filter((r) => r.sessionId! < fast.sessions.length);
    const done = driver(context);
    while (firstPass().length < total) await new Promise((r) => setTimeout(r, 2));
    context.controller.abort();
    await done;
    await context.settle();

    const bySession = new Map<number, typeof context.records>();
    for (const r of firstPass()) {
      const list = bySession.get(r.sessionId!) ?? [];
      list.push(r);
      bySession.set(r.sessionId!, list);
    }
    expect(bySession.size).toBe(fast.sessions.length);
    for (const [sessionId, records] of bySession) {
      const turns = fast.sessions[sessionId % fast.sessions.length]!;
      expect(records.map((r) => r.turn).sort()).toEqual(turns.map((_, k) => k));
      for (const r of records) expect(r.tFirstMs! - r.tSendMs).toBeGreaterThanOrEqual(0); // per-turn TTFT
    }
    // Requests: message count grows 1, 3, 5, … within a session, and the last message is the turn's text.
    for (const [, turns] of fast.sessions.entries()) {
      const sent = server.received.filter((r) => r.body.messages!.at(-1)!.content === turns[0]!.userMessage);
      expect(sent.length).toBeGreaterThanOrEqual(1);
    }
    const lengths = server.received.map((r) => r.body.messages!.length);
    expect(Math.max(...lengths)).toBe(2 * Math.max(...fast.sessions.map((s) => s.length)) - 1);
    const third = server.received.find((r) => r.body.messages!.length === 5)!;
    expect(third.body.messages!.map((m) => m.role)).toEqual([
      'user',
      'assistant',
      'user',
      'assistant',
      'user',
    ]);
    expect(third.body.messages![1]!.content).toMatch(/^reply\d+ w1 w2 w3$/);
    expect(third.body.max_tokens).toBe(128);
  });
});
