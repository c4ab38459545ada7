// bench merge over signed shard envelope files: exactness against one accumulator over the union of
// the records, refusals (with their exit codes), and the merged envelope's own signature.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runMerge } from '../../../src/app/commands/merge.js';
import {
  flattenMetrics,
  generateDevKeyPair,
  readEnvelopeFile,
  verifyEnvelopeFile,
} from '../../../src/envelope/index.js';
import { MetricsAccumulator } from '../../../src/harness/metrics/compute.js';
import { shardItems } from '../../../src/harness/shard/plan.js';
import { tempDir } from '../commands/helpers.js';
import { syntheticRecords, WINDOW } from './records.js';
import { RESAMPLES, SEED, SLO, writeShardEnvelope, type ShardEnvelopeOptions } from './shard-envelopes.js';

const records = syntheticRecords(2000, 9);
let dir: string;
let keyPath: string;

beforeAll(async () => {
  dir = await tempDir('bench-merge-');
  keyPath = join(dir, 'cosign.key');
  await generateDevKeyPair(keyPath);
});

async function shardFiles(
  count: number,
  patch: (index: number) => Partial<ShardEnvelopeOptions> = () => ({}),
  sub = `set-${Math.random().toString(36).slice(2)}`,
): Promise<string[]> {
  const out = join(dir, sub);
  const paths: string[] = [];
  for (let index = 0; index < count; index++) {
    const shard = { index, count };
    paths.push(
      await writeShardEnvelope(out, keyPath, {
        shard,
        records: shardItems(records, shard),
        window: WINDOW,
        ...patch(index),
      }),
    );
  }
  return paths;
}

const flags = (output: string) => ({
  output,
  signingMode: 'dev' as const,
  devKey: keyPath,
  windowTolerance: '50',
  json: true,
});

function silently<T>(fn: () => Promise<T>): Promise<T> {
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = () => true;
  return fn().finally(() => {
    process.stdout.write = write;
  });
}

describe('bench merge', () => {
  it('merges 4 signed shard files into one signed envelope with the single-process percentiles, bit for bit', async () => {
    const paths = await shardFiles(4);
    const out = join(dir, 'merged-a');
    const result = await silently(() => runMerge(paths, flags(out)));
    expect(result.shards).toBe(4);
    const check = await verifyEnvelopeFile(result.path, {});
    expect(check.ok).toBe(true);
    const { envelope } = await readEnvelopeFile(result.path);
    const acc = new MetricsAccumulator(WINDOW, { slo: SLO, bootstrapResamples: RESAMPLES, seed: SEED });
    for (const r of records) acc.add(r);
    const truth = flattenMetrics(acc.finish().metrics);
    for (const [key, value] of Object.entries(truth.metrics)) {
      const merged = envelope.metrics[key];
      // vLLM/AIPerf spans are differences of times on another clock base (epoch ms): same within rounding.
      if (/_vllm$|_aiperf$/.test(key) && typeof value === 'number')
        expect(merged as number).toBeCloseTo(value, 6);
      else if (!Object.is(merged, value))
        expect.fail(`${key}: merged ${String(merged)} ≠ single ${String(value)}`);
    }
    for (const [key, ci] of Object.entries(truth.ci))
      expect(envelope.metric_ci?.[key]).toEqual({ ...ci, level: 0.95 });
    const merge = (envelope as Record<string, unknown>).merge as {
      shards: { index: number; content_hash: string }[];
    };
    expect(merge.shards.map((s) => s.index)).toEqual([0, 1, 2, 3]);
    for (const [i, s] of merge.shards.entries()) {
      const shardCheck = await verifyEnvelopeFile(paths[i] as string, {});
      expect(s.content_hash).toBe(shardCheck.contentHash);
    }
    expect(envelope.run_id).toBe('019e3b45-8552-7705-ab62-1cb802fe5680');
    expect(envelope.warnings.some((w) => w.includes('merged from 4 shards'))).toBe(true);
  });

  it('accepts the shards in any order and from a directory', async () => {
    const paths = await shardFiles(3, () => ({}), 'dir-set');
    const a = await silently(() => runMerge([...paths].reverse(), flags(join(dir, 'm-rev'))));
    const b = await silently(() => runMerge([join(dir, 'dir-set')], flags(join(dir, 'm-dir'))));
    const ea = (await readEnvelopeFile(a.path)).envelope;
    const eb = (await readEnvelopeFile(b.path)).envelope;
    expect(ea.metrics).toEqual(eb.metrics);
  });

  it.each<[string, number, () => Promise<string[]>, RegExp]>([
    [
      'a missing shard (killed mid-run)',
      1,
      async () => (await shardFiles(4)).slice(0, 3),
      /shard 3 of 4 missing; refusing to merge a partial run/,
    ],
    [
      'shards of different runs',
      2,
      async () => shardFiles(2, (i) => (i === 1 ? { runId: '019e3b45-8552-7705-ab62-000000000001' } : {})),
      /different runs/,
    ],
    [
      'a different tool version',
      2,
      async () => shardFiles(2, (i) => (i === 1 ? { toolVersion: '9.9.9' } : {})),
      /differs .* in tool version/,
    ],
    [
      'a shard given twice',
      2,
      async () => {
        const p = await shardFiles(2);
        return [p[0] as string, p[0] as string, p[1] as string];
      },
      /shard 0 given twice/,
    ],
    [
      'windows 80 ms apart',
      1,
      async () => shardFiles(2, (i) => (i === 1 ? { windowShiftMs: 80 } : {})),
      /windows disagree: starts of shard 0 and shard 1 are 80\.0 ms apart \(tolerance 50 ms/,
    ],
    [
      'an incomplete shard',
      1,
      async () => shardFiles(2, (i) => (i === 1 ? { incomplete: true } : {})),
      /incomplete/,
    ],
  ])('refuses %s (exit %i)', async (_name, exitCode, make, message) => {
    const paths = await make();
    await expect(silently(() => runMerge(paths, flags(join(dir, 'never'))))).rejects.toMatchObject({
      exitCode,
      message: expect.stringMatching(message),
    });
  });

  it('accepts windows within the tolerance', async () => {
    const paths = await shardFiles(2, (i) => (i === 1 ? { windowShiftMs: 30 } : {}));
    const result = await silently(() => runMerge(paths, flags(join(dir, 'm-shift'))));
    const merge = (await readEnvelopeFile(result.path)).envelope as Record<string, unknown>;
    expect((merge.merge as { window: { spread_ms: { start: number } } }).window.spread_ms.start).toBeCloseTo(
      30,
      6,
    );
  });

  it('refuses a tampered shard (exit 1) and a plain envelope (exit 2)', async () => {
    const paths = await shardFiles(2);
    const tampered = paths[1] as string;
    const text = await readFile(tampered, 'utf8');
    await writeFile(tampered, text.replace('"measured": ', '"measured": 1'));
    await expect(silently(() => runMerge(paths, flags(join(dir, 'never'))))).rejects.toMatchObject({
      exitCode: 1,
      message: expect.stringMatching(/does not verify/),
    });
    const fresh = await shardFiles(2);
    const merged = await silently(() => runMerge(fresh, flags(join(dir, 'm-plain'))));
    await expect(silently(() => runMerge([merged.path], flags(join(dir, 'never'))))).rejects.toMatchObject({
      exitCode: 2,
      message: expect.stringMatching(/not a shard envelope/),
    });
  });
});
