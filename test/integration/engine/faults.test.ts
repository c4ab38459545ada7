import { describe, expect, it } from 'vitest';
import { startEngine } from '../../../src/engine/index.js';
import { createEngineRng as createRng } from '../../../src/lib/rng.js';
import { drawFault } from '../../../src/engine/server.js';
import { chatBody, post } from './http-helpers.js';

const rates = { http500: 0.05, http429: 0.1, reset: 0.03, malformed: 0.04, stall: 0.02 } as const;

/** |count − n·p| ≤ 4.5 σ of the binomial (false-failure odds ≈ 7e-6 per check). */
function withinBinomial(count: number, n: number, p: number): boolean {
  return Math.abs(count - n * p) <= 4.5 * Math.sqrt(n * p * (1 - p));
}

describe('fault injection rates', () => {
  it('seeded draws hit every fault at its configured rate (binomial bounds, 20 000 draws)', () => {
    const rng = createRng(11);
    const n = 20_000;
    const counts: Record<string, number> = {};
    for (let i = 0; i < n; i += 1) {
      const f = drawFault(rates, rng);
      counts[f] = (counts[f] ?? 0) + 1;
    }
    for (const [kind, p] of Object.entries(rates)) {
      expect({ kind, ok: withinBinomial(counts[kind] ?? 0, n, p) }).toEqual({ kind, ok: true });
    }
    const none = 1 - Object.values(rates).reduce((a, b) => a + b, 0);
    expect(withinBinomial(counts.none ?? 0, n, none)).toBe(true);
  });

  it('the same seed gives the same fault sequence; another seed a different one', () => {
    const seq = (seed: number) => {
      const rng = createRng(seed);
      return Array.from({ length: 200 }, () => drawFault(rates, rng)).join(',');
    };
    expect(seq(5)).toBe(seq(5));
    expect(seq(5)).not.toBe(seq(6));
  });

  it('over HTTP: 400 requests show each fault within binomial bounds', async () => {
    const engine = await startEngine({
      timing: 'nodelay',
      faults: { http500: 0.1, http429: 0.1, reset: 0.1, malformed: 0.1 },
    });
    try {
      const n = 400;
      const results = [];
      for (let batch = 0; batch < n / 50; batch += 1) {
        results.push(
          ...(await Promise.all(
            Array.from({ length: 50 }, () =>
              post(engine.baseUrl, '/chat/completions', chatBody({ max_tokens: 8, ignore_eos: true })),
            ),
          )),
        );
      }
      let e500 = 0;
      let e429 = 0;
      let reset = 0;
      let malformed = 0;
      let ok = 0;
      for (const r of results) {
        if (r.status === 500) e500 += 1;
        else if (r.status === 429) e429 += 1;
        else if (r.error || !r.data.includes('[DONE]')) reset += 1;
        else if (r.data.includes('{not json')) malformed += 1;
        else ok += 1;
      }
      expect(e500 + e429 + reset + malformed + ok).toBe(n);
      for (const [count, p] of [
        [e500, 0.1],
        [e429, 0.1],
        [reset, 0.1],
        [malformed, 0.1],
        [ok, 0.6],
      ] as const) {
        expect(withinBinomial(count, n, p)).toBe(true);
      }
    } finally {
      await engine.close();
    }
  });
});
