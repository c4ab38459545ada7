import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { streamJsonArray } from '../../../src/harness/plugins/llm-inference/files.js';
import { DATASETS } from './ctx.js';

const tmp = mkdtempSync(join(tmpdir(), 'bench-stream-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function collect(path: string, chunkBytes: number, limit = Infinity): Promise<unknown[]> {
  const out: unknown[] = [];
  await streamJsonArray(
    path,
    'test',
    (value) => {
      out.push(value);
      return out.length < limit;
    },
    chunkBytes,
  );
  return out;
}

describe('streamJsonArray', () => {
  it.each([61, 4096, 1 << 20])('matches JSON.parse on the stand-in with %i-byte chunks', async (chunk) => {
    const path = join(DATASETS, 'sharegpt-v3-standin.json');
    const expected = JSON.parse(readFileSync(path, 'utf8')) as unknown[];
    expect(await collect(path, chunk)).toEqual(expected);
  });

  it('handles strings with brackets, escapes and multi-byte characters across chunk edges', async () => {
    const items = [
      { v: 'a ] } [ { "quoted" \\ back\\slash', e: '🚀 ünï — 中文' },
      [1, [2, [3]], { x: '}' }],
      { v: '\\"', w: '"}]' },
    ];
    const path = join(tmp, 'tricky.json');
    writeFileSync(path, `  \n[\n${items.map((i) => JSON.stringify(i)).join(' ,\n')}\n]\n`);
    for (const chunk of [1, 2, 5, 13]) expect(await collect(path, chunk)).toEqual(items);
  });

  it('stops reading once the callback says so (what follows is never parsed)', async () => {
    const path = join(tmp, 'early.json');
    writeFileSync(path, '[{"a":1},{"a":2},{"a":3}, this is not JSON at all');
    expect(await collect(path, 4, 2)).toEqual([{ a: 1 }, { a: 2 }]);
    await expect(collect(path, 4)).rejects.toMatchObject({ code: 'E_DATASET_FORMAT' });
  });

  it.each([
    ['{"not": "an array"}', 1, /expected a JSON array/],
    ['', 1, /empty file/],
    ['[{"a":1}', 1, /missing closing/],
    ['[\n{"a":1},\n{"a":}\n]', 3, /not valid JSON/],
    ['[{"a":1} x]', 1, /unexpected "x"/],
  ])('%j → error at line %i', async (text, line, reason) => {
    const path = join(tmp, `bad-${line}-${text.length}.json`);
    writeFileSync(path, text);
    const error = await collect(path, 3).catch((e: unknown) => e as { message: string });
    expect((error as { message: string }).message).toMatch(
      new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:${line}: `),
    );
    expect((error as { message: string }).message).toMatch(reason);
  });
});
