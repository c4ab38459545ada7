import { afterEach, describe, expect, it } from 'vitest';
import { createMultiTurnDriver, perTurnTtft, turnRequest } from '../../../src/harness/drivers/multiturn.js';
import type { MultiTurnWorkload } from '../../../src/harness/plugins/types.js';
import { makeContext, startLoopbackServer, type LoopbackServer } from './loopback.js';

let server: LoopbackServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

const workload: MultiTurnWorkload = {
  kind: 'multi-turn',
  datasetId: 'test-sessions',
  datasetHash: '0'.repeat(64),
  sessions: [
    [
      { userMessage: 'a1', maxTokens: 4, thinkMs: 0 },
      { userMessage: 'a2', maxTokens: 4, thinkMs: 5 },
      { userMessage: 'a3', maxTokens: 4, thinkMs: 5 },
    ],
    [
      { userMessage: 'b1', maxTokens: 4, thinkMs: 0 },
      { userMessage: 'b2', maxTokens: 4, thinkMs: 30 },
    ],
  ],
};

describe('turnRequest', () => {
  it('appends the new user message to the history and tags session/turn with collectText', () => {
    const spec = turnRequest(
      [
        { role: 'user', content: 'x' },
        { role: 'assistant', content: 'y' },
      ],
      { userMessage: 'z', maxTokens: 9, thinkMs: 0 },
      4,
      1,
    );
    expect(spec).toEqual({
      messages: [
        { role: 'user', content: 'x' },
        { role: 'assistant', content: 'y' },
        { role: 'user', content: 'z' },
      ],
      maxTokens: 9,
      sessionId: 4,
      turn: 1,
      collectText: true,
    });
  });
});

describe('createMultiTurnDriver (closed loop, real loopback HTTP)', () => {
  it('re-sends the growing history with the actual replies, and records each turn', async () => {
    server = await startLoopbackServer({ words: 3 });
    const context = makeContext(server.baseUrl);
    const driver = createMultiTurnDriver(workload, { concurrency: 1 });
    // Stop once the two sessions (5 turns) have been sent.
    const done = driver(context);
    while (context.records.length < 5) await new Promise((r) => setTimeout(r, 2));
    context.controller.abort();
    await done;
    await context.settle();

    const bodies = server.received.map((r) => r.body.messages!);
    expect(bodies.slice(0, 5).map((m) => m.length)).toEqual([1, 3, 5, 1, 3]);
    // Turn 2 of session 0 carries turn 1's user message and the assistant's actual reply.
    expect(bodies[1]).toEqual([
      { role: 'user', content: 'a1' },
      { role: 'assistant', content: 'reply0 w1 w2' },
      { role: 'user', content: 'a2' },
    ]);
    expect(bodies[2]![3]).toEqual({ role: 'assistant', content: 'reply1 w1 w2' });
    expect(bodies[4]).toEqual([
      { role: 'user', content: 'b1' },
      { role: 'assistant', content: 'reply3 w1 w2' },
      { role: 'user', content: 'b2' },
    ]);
    const tags = context.records.slice(0, 5).map((r) => [r.sessionId, r.turn]);
    expect(tags).toEqual([
      [0, 0],
      [0, 1],
      [0, 2],
      [1, 0],
      [1, 1],
    ]);
    // Think time: turn b2 was scheduled ≥ 30 ms after b1 finished, and sent no earlier than scheduled.
    const [b1, b2] = [context.records[3]!, context.records[4]!];
    expect(b2.tSchedMs - b1.tDoneMs).toBeGreaterThanOrEqual(30);
    expect(b2.tSendMs).toBeGreaterThanOrEqual(b2.tSchedMs);
    // Per-turn TTFT is available on every record.
    for (const r of context.records) expect(r.tFirstMs).not.toBeNull();
  });

  it('ends a session at a failed turn (no reply to build the next turn on)', async () => {
    server = await startLoopbackServer({ failWhen: (body) => body.messages?.at(-1)?.content === 'a2' });
    const context = makeContext(server.baseUrl);
    const driver = createMultiTurnDriver(workload, { concurrency: 1 });
    const done = driver(context);
    while (context.records.length < 4) await new Promise((r) => setTimeout(r, 2));
    context.controller.abort();
    await done;
    await context.settle();
    const sent = server.received.slice(0, 4).map((r) => r.body.messages!.at(-1)!.content);
    expect(sent).toEqual(['a1', 'a2', 'b1', 'b2']);
    expect(context.records[1]!.errorCode).toBe('http_500');
  });

  it('open loop: sessions arrive at the given rate, with distinct session ids, and stop on abort', async () => {
    server = await startLoopbackServer();
    const context = makeContext(server.baseUrl, 7);
    const driver = createMultiTurnDriver(workload, { sessionRatePerS: 200 });
    const done = driver(context);
    await new Promise((r) => setTimeout(r, 150));
    context.controller.abort();
    await done;
    await context.settle();
    const firstTurns = context.records.filter((r) => r.turn === 0);
    expect(firstTurns.length).toBeGreaterThan(5);
    expect(new Set(firstTurns.map((r) => r.sessionId)).size).toBe(firstTurns.length);
    // Arrivals are the scheduled times of first turns: increasing.
    const scheds = firstTurns.map((r) => r.tSchedMs).sort((a, b) => a - b);
    for (let i = 1; i < scheds.length; i++) expect(scheds[i]!).toBeGreaterThan(scheds[i - 1]!);
    const after = server.received.length;
    await new Promise((r) => setTimeout(r, 50));
    expect(server.received.length).toBe(after);
  });
});

describe('perTurnTtft', () => {
  it('groups successful, measured records by turn', () => {
    const rec = (
      turn: number | undefined,
      ttft: number,
      extra: { errorCode?: 'http_500'; warmup?: boolean } = {},
    ) => ({
      turn,
      tSendMs: 100,
      tFirstMs: 100 + ttft,
      errorCode: extra.errorCode ?? null,
      warmup: extra.warmup ?? false,
    });
    const stats = perTurnTtft([
      rec(0, 10),
      rec(0, 30),
      rec(1, 5),
      rec(1, 7),
      rec(1, 9),
      rec(1, 1000, { errorCode: 'http_500' }),
      rec(2, 1000, { warmup: true }),
      rec(undefined, 1),
    ]);
    expect(stats.map((s) => [s.turn, s.n, s.p50Ms])).toEqual([
      [0, 2, 20],
      [1, 3, 7],
    ]);
    expect(stats[0]!.p99Ms).toBeCloseTo(29.8, 10);
  });
});
