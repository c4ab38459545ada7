// bench diff's confidence intervals come from per-request samples: the journal next to the envelope
// (when it is the one the envelope names), else the envelope's bounded sample block; histogram
// bins only as a fallback with a note, and never a CI that excludes the change it sits next to.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDiff } from '../../../src/app/commands/diff.js';
import { diffMetric } from '../../../src/app/report/diff.js';
import {
  bootstrapSampleQuantileDifference,
  describeJournal,
  sampleBlockSamples,
} from '../../../src/app/report/diff-samples.js';
import { mulberry32 } from '../../../src/app/report/diff.js';
import { buildSampleBlock, SAMPLE_BLOCK_CAP } from '../../../src/harness/metrics/sample-block.js';
import { sortedCopy } from '../../../src/harness/metrics/percentile.js';
import { JournalWriter } from '../../../src/harness/metrics/journal.js';
import type { RequestRecord } from '../../../src/harness/types.js';
import { derived, makeSigner, tempDir } from '../commands/helpers.js';

/** n values evenly spread over [lo, lo + width): a uniform sample with a known median SE. */
const uniform = (n: number, lo: number, width: number): number[] =>
  Array.from({ length: n }, (_, i) => lo + (width * (i + 0.5)) / n);

const blockOf = (name: string, values: number[]) =>
  buildSampleBlock({ [name]: sortedCopy(values) }) as unknown as Record<string, unknown>;

describe('the case that printed [0, 0] next to a non-zero change', () => {
  // Every request of both runs fell in the 60–65 ms bin: a bin bootstrap resamples midpoints only.
  const edges = [0, 20, 40, 60, 65, 80, 100];
  const counts = [0, 0, 0, 500, 0, 0];
  const bins = { histograms: { ttft: { edges_ms: edges, counts } } };

  it('bins alone: the [0, 0] interval is not shown, and the note says why', () => {
    const row = diffMetric('ttft_p50_ms', bins, bins, 60.2, 63.1, 0.02);
    expect(row.ci).toBeUndefined();
    expect(row.note).toBe('histogram-bin CI [0, 0] excludes the change: bins too coarse, not shown');
    expect(row.verdict).toBe('regression'); // +4.8 % beyond the ±2 % tolerance, no CI to say otherwise
  });

  it('with sample blocks the CI is a bootstrap over the requests and contains the change', () => {
    const b = { ...bins, samples: blockOf('ttft', uniform(500, 55.2, 10)) }; // median 60.2
    const c = { ...bins, samples: blockOf('ttft', uniform(500, 58.1, 10)) }; // median 63.1
    const row = diffMetric('ttft_p50_ms', b, c, 60.2, 63.1, 0.02);
    expect(row.ci?.method).toBe('bootstrap');
    expect(row.ci?.samples).toBe('sample_block');
    // median of a uniform of width 10, n = 500: SE = 10 / (2 √500) = 0.2236; of the difference
    // √2 × 0.2236 = 0.316, so the 95 % CI is 2.9 ± 0.62 (within resampling noise)
    expect(row.ci!.lo).toBeGreaterThan(2.9 - 0.62 * 1.3);
    expect(row.ci!.lo).toBeLessThan(2.9 - 0.62 * 0.7);
    expect(row.ci!.hi).toBeGreaterThan(2.9 + 0.62 * 0.7);
    expect(row.ci!.hi).toBeLessThan(2.9 + 0.62 * 1.3);
    expect(row.verdict).toBe('regression');
    expect(row.note).toBeUndefined();
  });
});

describe('sample block', () => {
  it('keeps all values up to the cap, then quantile-stratified order statistics and the true n', () => {
    expect(SAMPLE_BLOCK_CAP).toBe(1024);
    const small = buildSampleBlock({ ttft: sortedCopy([3, 1, 2]), tpot: sortedCopy([]) });
    expect(small).toEqual({
      version: 1,
      method: 'all',
      cap: 1024,
      metrics: { ttft: { n: 3, values_ms: [1, 2, 3] } },
    });
    const big = buildSampleBlock({ ttft: sortedCopy(Array.from({ length: 4096 }, (_, i) => i)) });
    const e = big.metrics.ttft!;
    expect(big.method).toBe('stratified');
    expect(e.n).toBe(4096);
    expect(e.values_ms).toHaveLength(1024);
    // rank floor((i + ½) · 4096 / 1024) = 4i + 2
    expect(e.values_ms.slice(0, 3)).toEqual([2, 6, 10]);
    expect(e.values_ms[1023]).toBe(4094);
  });

  it('a stratified block of n = 20 000 gives the CI width of the full sample (m-out-of-n rescaled)', () => {
    const full = (lo: number) => ({ values: uniform(20_000, lo, 10), n: 20_000, origin: 'journal' as const });
    const block = (lo: number) =>
      sampleBlockSamples({ samples: blockOf('x', uniform(20_000, lo, 10)) }, 'x')!;
    expect(block(50).values).toHaveLength(1024);
    expect(block(50).n).toBe(20_000);
    const a = bootstrapSampleQuantileDifference(full(50), full(51), 0.5, mulberry32(1))!;
    const s = bootstrapSampleQuantileDifference(block(50), block(51), 0.5, mulberry32(1))!;
    // median SE √2 × 10 / (2 √20000) = 0.05: the 95 % CI is 1 ± 0.098 both ways
    for (const ci of [a, s]) {
      expect(ci.hi - ci.lo).toBeGreaterThan(2 * 0.098 * 0.7);
      expect(ci.hi - ci.lo).toBeLessThan(2 * 0.098 * 1.3);
      expect(ci.lo).toBeLessThan(1);
      expect(ci.hi).toBeGreaterThan(1);
    }
  });

  it('a malformed block is ignored (bins or MOVER take over)', () => {
    expect(
      sampleBlockSamples({ samples: { metrics: { ttft: { n: 2, values_ms: [1, 2, 3] } } } }, 'ttft'),
    ).toBeUndefined();
    expect(
      sampleBlockSamples({ samples: { metrics: { ttft: { n: 3, values_ms: [1, 'x'] } } } }, 'ttft'),
    ).toBeUndefined();
    expect(sampleBlockSamples({}, 'ttft')).toBeUndefined();
  });
});

describe('bench diff reads the journal the envelope names', () => {
  const record = (id: number, ttft: number): RequestRecord => ({
    id,
    worker: 0,
    tSchedMs: 1000 + id,
    tSendMs: 1000 + id,
    tFirstMs: 1000 + id + ttft,
    tFirstOutMs: 1000 + id + ttft,
    tLastMs: 1000 + id + ttft + 100,
    tDoneMs: 1000 + id + ttft + 101,
    eventTimesMs: [1000 + id + ttft, 1000 + id + ttft + 100],
    eventTokens: [1, 1],
    usage: null,
    oslTokens: 2,
    oslSource: 'counted',
    inputTokens: null,
    finishReason: 'length',
    httpStatus: 200,
    errorCode: null,
    warmup: false,
  });

  async function pointDir(root: string, name: string, ttfts: number[]): Promise<string> {
    const dir = join(root, name);
    const journalPath = join(dir, '.bench-journal-c4.jsonl');
    const writer = await JournalWriter.open(journalPath);
    ttfts.forEach((t, i) => writer.append(record(i, t)));
    writer.append({ ...record(9999, 1), warmup: true }); // warm-up: not a sample
    await writer.close();
    const ref = await describeJournal(journalPath, { startMs: 0, endMs: 1e9 });
    const sorted = [...ttfts].sort((a, b) => a - b);
    const median = sorted[(sorted.length - 1) / 2] as number;
    const env = await derived('c4-95cbfd4f49dc.json', (e) => {
      e.metrics = { ttft_p50_ms: median };
      e.run_context = { journal: ref };
      delete e.metric_ci;
    });
    const signer = await makeSigner(dir);
    return signer.sign(dir, 'c4', env);
  }

  it('the CI comes from the journal records (measured, successful, in the window)', async () => {
    const root = await tempDir('bench-diff-ci-');
    const b = await pointDir(root, 'base', uniform(301, 40, 10)); // median 45
    const c = await pointDir(root, 'cand', uniform(301, 43, 10)); // median 48
    const out = await runDiff(b, c, { tolerance: 0.02, report: 'json' });
    const row = (
      JSON.parse(out.stdout) as {
        metrics: { name: string; ci: { lo: number; hi: number; method: string } }[];
      }
    ).metrics.find((m) => m.name === 'ttft_p50_ms')!;
    expect(row.ci.method).toBe('bootstrap');
    // median SE 10 / (2 √301) = 0.288, difference √2 × 0.288 = 0.408: 3 ± 0.80
    expect(row.ci.lo).toBeGreaterThan(3 - 0.8 * 1.3);
    expect(row.ci.hi).toBeLessThan(3 + 0.8 * 1.3);
    expect(row.ci.lo).toBeGreaterThan(0);

    // A later run overwrote the candidate's journal: its sha256 no longer matches → not used.
    await writeFile(join(root, 'cand', '.bench-journal-c4.jsonl'), '');
    const again = await runDiff(b, c, { tolerance: 0.02, report: 'json' });
    const row2 = (JSON.parse(again.stdout) as { metrics: { name: string; ci: unknown }[] }).metrics.find(
      (m) => m.name === 'ttft_p50_ms',
    )!;
    expect(row2.ci).toBeNull(); // no block, no bins, no metric_ci: no interval rather than a wrong one
  });
});
