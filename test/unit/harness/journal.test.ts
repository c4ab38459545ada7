import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { JournalError, JournalWriter, readJournal } from '../../../src/harness/index.js';
import { forEachJournalRecord } from '../../../src/harness/metrics/journal.js';
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

  it('streams records across 1 MiB read chunks, multi-byte text and CRLF line ends intact', async () => {
    // ~4 MiB of records whose text holds 2- and 3-byte UTF-8 characters, so chunk boundaries
    // fall inside lines and inside characters.
    const records = Array.from({ length: 4000 }, (_, i) => ({
      ...rec({ id: i, tSend: i, events: [i + 0.125] }),
      outputText: `é—${'ü€'.repeat(200 + (i % 97))}#${i}`,
    }));
    const lf = join(dir, 'big.jsonl');
    writeFileSync(lf, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const seen: unknown[] = [];
    expect(await forEachJournalRecord(lf, (r) => seen.push(r))).toBe(4000);
    expect(seen).toEqual(records);
    const crlf = join(dir, 'crlf.jsonl');
    writeFileSync(crlf, records.map((r) => JSON.stringify(r)).join('\r\n'));
    expect(await readJournal(crlf)).toEqual(records);
  });
});
