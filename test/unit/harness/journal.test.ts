import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { JournalError, JournalWriter, readJournal } from '../../../src/harness/index.js';
import { rec } from './records.js';

const dir = mkdtempSync(join(tmpdir(), 'ib-journal-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('journal', () => {
  it('round-trips records through buffered writes', async () => {
    const path = join(dir, 'a', 'j.jsonl');
    const writer = await JournalWriter.open(path);
    const records = Array.from({ length: 2000 }, (_, i) =>
      rec({ id: i, tSend: i, events: [i + 1, i + 2.5] }),
    );
    for (const r of records) writer.append(r);
    await writer.close();
    expect(readFileSync(path, 'utf8').split('\n').filter(Boolean)).toHaveLength(2000);
    expect(await readJournal(path)).toEqual(records);
  });

  it('drops a torn final line but rejects a bad line in the middle', async () => {
    const good = JSON.stringify(rec({ id: 1, tSend: 0, events: [1] }));
    const torn = join(dir, 'torn.jsonl');
    writeFileSync(torn, `${good}\n${good}\n{"id": 3, "tS`);
    expect(await readJournal(torn)).toHaveLength(2);
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, `${good}\nnot json\n${good}\n`);
    await expect(readJournal(bad)).rejects.toThrow(/bad.jsonl:2: not a JSON record/);
    await expect(readJournal(join(dir, 'missing.jsonl'))).rejects.toBeInstanceOf(JournalError);
  });
});
