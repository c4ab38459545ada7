import { describe, expect, it } from 'vitest';
import { createEngineRng as createRng } from '../../../src/lib/rng.js';
import { Scheduler, type SchedulerLimits } from '../../../src/engine/scheduler.js';
import { blockHashes } from '../../../src/engine/text.js';

const limits = (over: Partial<SchedulerLimits> = {}): SchedulerLimits => ({
  maxNumSeqs: 64,
  maxNumBatchedTokens: 512,
  blockSize: 16,
  numBlocks: 200,
  prefixCaching: true,
  tokensPerStep: 1,
  ...over,
});

/** Runs the scheduler to completion, checking invariants after every plan and commit. */
function runToEnd(
  s: Scheduler,
  opts: { addDuring?: (step: number) => void; maxSteps?: number } = {},
): { emitted: Map<number, number>; finishedOrder: number[]; steps: number; preempted: Set<number> } {
  const emitted = new Map<number, number>();
  const finishedOrder: number[] = [];
  const preempted = new Set<number>();
  let steps = 0;
  for (;;) {
    opts.addDuring?.(steps);
    const plan = s.plan();
    if (!plan) {
      if (!s.hasWork()) break;
      throw new Error('scheduler has work but planned nothing');
    }
    steps += 1;
    if (steps > (opts.maxSteps ?? 100_000)) throw new Error('no progress');
    // Token budget and batch size respected; KV never over capacity.
    const tokens = plan.seqs.reduce((a, p) => a + p.newTokens, 0);
    expect(tokens).toBe(plan.tokens);
    expect(tokens).toBeLessThanOrEqual(s.limits.maxNumBatchedTokens);
    expect(plan.seqs.length).toBeLessThanOrEqual(s.limits.maxNumSeqs);
    expect(s.kv.used).toBeLessThanOrEqual(s.kv.totalBlocks);
    s.kv.check();
    for (const id of plan.preempted) preempted.add(id);
    const result = s.commit(plan);
    s.kv.check();
    for (const e of result.emissions) {
      emitted.set(e.id, (emitted.get(e.id) ?? 0) + e.tokens);
      if (e.finished) finishedOrder.push(e.id);
    }
  }
  return { emitted, finishedOrder, steps, preempted };
}

describe('scheduler', () => {
  it('every request finishes with exactly its output length; KV, budget and batch limits always hold', () => {
    const s = new Scheduler(limits());
    const rng = createRng(7);
    const want = new Map<number, number>();
    let next = 0;
    const add = (): void => {
      const out = rng.int(1, 200);
      s.add({ id: next, promptTokens: rng.int(1, 900), outputTokens: out });
      want.set(next, out);
      next += 1;
    };
    for (let i = 0; i < 40; i += 1) add();
    const r = runToEnd(s, { addDuring: (step) => step % 7 === 0 && next < 120 && add() });
    expect(r.finishedOrder.length).toBe(next);
    for (const [id, out] of want) expect(r.emitted.get(id)).toBe(out);
    expect(s.kv.used).toBe(0);
  });

  it('preempts when KV runs out, and every preempted request is resumed and completes', () => {
    // 40 blocks × 16 tokens = 640 tokens of KV for 12 requests that each grow to ~300 tokens.
    const s = new Scheduler(limits({ numBlocks: 40 }));
    for (let id = 0; id < 12; id += 1) s.add({ id, promptTokens: 100, outputTokens: 200 });
    const r = runToEnd(s);
    expect(r.preempted.size).toBeGreaterThan(0);
    expect(s.stats().preemptions).toBeGreaterThanOrEqual(r.preempted.size);
    for (const id of r.preempted) expect(r.finishedOrder).toContain(id);
    for (let id = 0; id < 12; id += 1) expect(r.emitted.get(id)).toBe(200);
  });

  it('chunked prefill: a prompt longer than the budget is split over steps and samples only at the end', () => {
    const s = new Scheduler(limits({ maxNumBatchedTokens: 256, numBlocks: 1000 }));
    s.add({ id: 1, promptTokens: 1000, outputTokens: 3 });
    const chunks: number[] = [];
    for (;;) {
      const plan = s.plan();
      if (!plan) break;
      const p = plan.seqs[0];
      const result = s.commit(plan);
      if (p?.prefill) chunks.push(p.newTokens);
      if (result.emissions.length > 0) break;
    }
    expect(chunks).toEqual([256, 256, 256, 232]);
  });

  it('a long prefill shares the step budget with running decodes (decodes first)', () => {
    const s = new Scheduler(limits({ maxNumBatchedTokens: 100, numBlocks: 1000 }));
    for (let id = 0; id < 4; id += 1) s.add({ id, promptTokens: 10, outputTokens: 50 });
    s.commit(s.plan()!); // 4 prefills of 10 tokens fit in one step
    s.add({ id: 9, promptTokens: 500, outputTokens: 5 });
    const plan = s.plan()!;
    expect(plan.seqs.filter((p) => !p.prefill).map((p) => p.newTokens)).toEqual([1, 1, 1, 1]);
    expect(plan.seqs.find((p) => p.id === 9)?.newTokens).toBe(96);
  });

  it('respects max-num-seqs: extra requests wait', () => {
    const s = new Scheduler(limits({ maxNumSeqs: 3, numBlocks: 1000 }));
    for (let id = 0; id < 5; id += 1) s.add({ id, promptTokens: 20, outputTokens: 10 });
    const plan = s.plan()!;
    expect(plan.seqs.length).toBe(3);
    expect(s.stats().waiting).toBe(2);
  });

  it('prefix caching: a second request with the same prefix hits the cached blocks', () => {
    const s = new Scheduler(limits({ numBlocks: 1000 }));
    const system = 'You are a helpful assistant. '.repeat(40); // 1160 chars ≈ 290 tokens
    const p1 = `${system}first question`;
    const p2 = `${system}a different question`;
    const t1 = Math.ceil(p1.length / 4);
    const t2 = Math.ceil(p2.length / 4);
    s.add({ id: 1, promptTokens: t1, outputTokens: 2, blockHashes: blockHashes(p1, t1, 16) });
    runToEnd(s);
    expect(s.stats().prefixHitsTokens).toBe(0);
    s.add({ id: 2, promptTokens: t2, outputTokens: 2, blockHashes: blockHashes(p2, t2, 16) });
    const plan = s.plan()!;
    const hitTokens = s.stats().prefixHitsTokens;
    expect(hitTokens).toBe(Math.floor(system.length / 64) * 16);
    expect(plan.seqs[0]?.contextTokens).toBe(hitTokens);
    expect(plan.seqs[0]?.newTokens).toBe(t2 - hitTokens);
    expect(s.stats().prefixQueriesTokens).toBe(t1 + t2);
  });

  it('cached blocks are evicted (LRU) when new blocks are needed, never exceeding capacity', () => {
    const s = new Scheduler(limits({ numBlocks: 30 }));
    const rng = createRng(3);
    for (let id = 0; id < 30; id += 1) {
      const text = `prompt ${id} ${'x'.repeat(rng.int(100, 1500))}`;
      const t = Math.ceil(text.length / 4);
      s.add({ id, promptTokens: t, outputTokens: 5, blockHashes: blockHashes(text, t, 16) });
      runToEnd(s);
      expect(s.kv.used + s.kv.cachedBlocks).toBeLessThanOrEqual(60);
    }
    expect(s.kv.used).toBe(0);
  });

  it('abort frees the blocks of a running request', () => {
    const s = new Scheduler(limits({ numBlocks: 100 }));
    s.add({ id: 1, promptTokens: 300, outputTokens: 100 });
    s.commit(s.plan()!);
    expect(s.kv.used).toBeGreaterThan(0);
    s.abort(1);
    expect(s.kv.used).toBe(0);
    expect(s.hasWork()).toBe(false);
  });

  it('speculative decoding: k tokens per decode step, exact total', () => {
    const s = new Scheduler(limits({ tokensPerStep: 4, numBlocks: 100 }));
    s.add({ id: 1, promptTokens: 50, outputTokens: 10 });
    const r = runToEnd(s);
    expect(r.emitted.get(1)).toBe(10);
    expect(r.steps).toBe(1 + 3); // prefill → 1 token, then 4 + 4 + 1
  });

  it('rejects a request that could never fit in the KV cache', () => {
    const s = new Scheduler(limits({ numBlocks: 10 }));
    expect(() => s.add({ id: 1, promptTokens: 150, outputTokens: 20 })).toThrow(RangeError);
  });
});
