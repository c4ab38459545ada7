import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hashItems } from '../../../src/harness/plugins/index.js';
import type { Workload } from '../../../src/harness/plugins/types.js';
import { DATASETS, load } from './ctx.js';

/** Everything a workload would send, in order (first 40 requests / entries / sessions). */
function content(w: Workload): unknown {
  switch (w.kind) {
    case 'single-turn':
      return Array.from({ length: 40 }, (_, i) => w.request(i));
    case 'trace':
      return w.entries.slice(0, 10).map((e) => [e.atMs, e.request]);
    case 'multi-turn':
      return w.sessions.slice(0, 40);
  }
}

const cases: [string, Record<string, unknown>, string | undefined][] = [
  ['chatbot-short', {}, undefined],
  ['sharegpt-v3', {}, undefined],
  ['synthetic', { numPrompts: 12, inputTokens: 'uniform:30,90' }, undefined],
  ['long-context', { numPrompts: 2, inputTokens: 'fixed:600' }, undefined],
  ['multi-turn', { numSessions: 30 }, undefined],
  ['multi-turn', {}, join(DATASETS, 'multi-turn-sample.jsonl')],
  ['custom', {}, join(DATASETS, 'custom-sample.jsonl')],
  ['trace', {}, join(DATASETS, 'mooncake-trace-sample.jsonl')],
];

describe('dataset hashes and seeds', () => {
  it.each(cases)(
    '%s %j %s: stable across loads, content-equal for the same seed',
    async (id, extra, datasetPath) => {
      const over = { extra, ...(datasetPath ? { datasetPath } : {}) };
      const a = await load(id, { ...over, seed: 11 });
      const b = await load(id, { ...over, seed: 11 });
      expect(a.datasetHash).toMatch(/^[0-9a-f]{64}$/);
      expect(b.datasetHash).toBe(a.datasetHash);
      expect(content(b)).toEqual(content(a));
    },
  );

  it.each(cases.filter(([id]) => id !== 'trace'))(
    '%s %j %s: a different seed gives different requests and a different hash',
    async (id, extra, datasetPath) => {
      const over = { extra, ...(datasetPath ? { datasetPath } : {}) };
      const a = await load(id, { ...over, seed: 11 });
      const c = await load(id, { ...over, seed: 12 });
      expect(c.datasetHash).not.toBe(a.datasetHash);
      expect(content(c)).not.toEqual(content(a));
    },
  );

  it('trace: the seed changes the generated block text, not the schedule', async () => {
    const datasetPath = join(DATASETS, 'mooncake-trace-sample.jsonl');
    const a = await load('trace', { datasetPath, seed: 1 });
    const c = await load('trace', { datasetPath, seed: 2 });
    if (a.kind !== 'trace' || c.kind !== 'trace') throw new Error('trace expected');
    expect(c.entries.map((e) => e.atMs)).toEqual(a.entries.map((e) => e.atMs));
    expect(c.entries[0]!.request).not.toEqual(a.entries[0]!.request);
  });

  it('hashItems: canonical (key order free), order sensitive', () => {
    expect(hashItems([{ a: 1, b: 'x' }])).toBe(hashItems([{ b: 'x', a: 1 }]));
    expect(hashItems([1, 2])).not.toBe(hashItems([2, 1]));
    expect(hashItems([])).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });
});
