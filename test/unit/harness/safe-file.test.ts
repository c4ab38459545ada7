// Output files are never written through a planted symlink, and output directories others could
// plant links in are refused. Real files and links in a temp dir; ownership cases need root (chown).
import {
  chmodSync,
  chownSync,
  lchownSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { createStateWriter, readState } from '../../../src/app/live/state-file.js';
import { JournalWriter, journalPathFor, readJournal } from '../../../src/harness/metrics/journal.js';
import {
  checkOutputDir,
  createExclusive,
  privateSubdir,
  writeFileAtomic,
  writeFileAtomicSync,
} from '../../../src/lib/safe-file.js';
import { rec } from './records.js';

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
let dir: string;
let victim: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bench-safe-'));
  victim = join(dir, 'victim.txt');
  writeFileSync(victim, 'precious\n');
});

describe('safe output files', () => {
  it('createExclusive and writeFileAtomic replace a planted symlink instead of following it', async () => {
    const out = join(dir, 'out');
    mkdirSync(out);
    symlinkSync(victim, join(out, 'journal.jsonl'));
    symlinkSync(victim, join(out, 'state.json'));
    const handle = await createExclusive(join(out, 'journal.jsonl'));
    await handle.write('mine\n');
    await handle.close();
    await writeFileAtomic(join(out, 'state.json'), '{"a":1}');
    writeFileAtomicSync(join(out, 'state.json'), '{"a":2}');
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
    expect(lstatSync(join(out, 'journal.jsonl')).isSymbolicLink()).toBe(false);
    expect(readFileSync(join(out, 'journal.jsonl'), 'utf8')).toBe('mine\n');
    expect(readFileSync(join(out, 'state.json'), 'utf8')).toBe('{"a":2}');
    // No temp files left behind.
    expect(readdirSync(out).sort()).toEqual(['journal.jsonl', 'state.json']);
  });

  it('the journal and the live state file ignore links planted at their names (and the old names)', async () => {
    const out = join(dir, 'run');
    mkdirSync(out);
    // The attack on the old layout: predictable names in the output directory.
    symlinkSync(victim, join(out, '.bench-journal-c8.jsonl'));
    symlinkSync(victim, join(out, `.bench-live.json.${process.pid}.tmp`));
    const journal = await JournalWriter.open(journalPathFor(out, 'c8'));
    journal.append(rec({ id: 1, tSend: 0, events: [1, 2] }));
    await journal.close();
    expect(await readJournal(journalPathFor(out, 'c8'))).toHaveLength(1);
    const legacy = await JournalWriter.open(join(out, '.bench-journal-c8.jsonl'));
    legacy.append(rec({ id: 2, tSend: 0, events: [1] }));
    await legacy.close();
    const state = createStateWriter(out, { minIntervalMs: 10 });
    await state.finish(0);
    expect(readState(out).finished).toBe(true);
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
    expect(lstatSync(join(out, '.bench')).mode & 0o777).toBe(0o700);
    // Nothing of ours among the output directory's *.json (InferenceBench's summary reads them all).
    expect(readdirSync(out).filter((n) => n.endsWith('.json'))).toEqual([]);
  });

  it('refuses a planted .bench link, a world-writable directory without sticky bit, and /proc', () => {
    const out = join(dir, 'a');
    mkdirSync(out);
    symlinkSync(dir, join(out, '.bench'));
    expect(() => privateSubdir(out, '.bench')).toThrow(/not a plain directory/);
    const open = join(dir, 'open');
    mkdirSync(open);
    chmodSync(open, 0o777);
    expect(() => checkOutputDir(open)).toThrow(/anyone can write to it and it has no sticky bit/);
    chmodSync(open, 0o1777);
    expect(checkOutputDir(open)).toBe(open);
    expect(() => checkOutputDir('/proc/self')).toThrow(/pseudo file system/);
    // Node's recursive mkdir would spin forever here: refused before creating anything.
    expect(() => checkOutputDir('/proc/self/bench-out')).toThrow(/pseudo file system/);
    writeFileSync(join(dir, 'file'), '');
    expect(() => checkOutputDir(join(dir, 'file'))).toThrow(/cannot create|not a directory/);
  });

  it.skipIf(!isRoot)('refuses a directory or a symlink owned by another user (needs root for chown)', () => {
    const theirs = join(dir, 'theirs');
    mkdirSync(theirs);
    chownSync(theirs, 4242, 4242);
    expect(() => checkOutputDir(theirs)).toThrow(/owned by uid 4242, not by you/);
    const mine = join(dir, 'mine');
    mkdirSync(mine);
    const link = join(dir, 'link');
    symlinkSync(mine, link);
    expect(checkOutputDir(link)).toBe(link); // my own link to my own directory: fine
    lchownSync(link, 4242, 4242);
    expect(() => checkOutputDir(link)).toThrow(/symlink owned by another user/);
  });
});
