// JSONL journal of RequestRecords: buffered appends (one write per ~256 KiB or per flush()),
// and readJournal()/forEachJournalRecord() to recompute metrics exactly from the file.
import { CodedError, type ErrorCode } from '../../lib/errors.js';
import { createReadStream } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { RequestRecord } from '../types.js';
import { checkOutputDir, createExclusive, privateSubdir } from '../../lib/safe-file.js';

/** Run-private files live in `<outputDir>/.bench/` (tools that read every *.json never see them). */
export const RUN_FILES_DIR = '.bench';

/** `<outputDir>/.bench/journal-<point>.jsonl`. */
export function journalPathFor(outputDir: string, pointLabel: string): string {
  return join(outputDir, RUN_FILES_DIR, `journal-${pointLabel}.jsonl`);
}

const FLUSH_BYTES = 256 * 1024;
const READ_CHUNK_BYTES = 1024 * 1024;

export class JournalError extends CodedError {
  override name = 'JournalError';
  constructor(message: string, code: ErrorCode = 'E_JOURNAL', exitCode = 1) {
    super(message, code, exitCode);
  }
}

export class JournalWriter {
  private pending: string[] = [];
  private pendingBytes = 0;
  private chain: Promise<void> = Promise.resolve();
  private failure: Error | null = null;
  written = 0;

  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
  ) {}

  /**
   * Creates the journal exclusively (no-follow temp name, renamed into place): a symlink planted at
   * `path` is replaced, never written through. The directory must be one the user owns safely;
   * a `.bench` folder is made private (0700).
   */
  static async open(path: string): Promise<JournalWriter> {
    const dir = dirname(path);
    if (basename(dir) === RUN_FILES_DIR) privateSubdir(checkOutputDir(dirname(dir)), RUN_FILES_DIR);
    else checkOutputDir(dir);
    try {
      return new JournalWriter(path, await createExclusive(path, 0o600));
    } catch (error) {
      throw new JournalError(`cannot open journal ${path}: ${(error as Error).message}`, 'E_JOURNAL_OPEN');
    }
  }

  append(record: RequestRecord): void {
    const line = JSON.stringify(record) + '\n';
    this.pending.push(line);
    this.pendingBytes += line.length;
    this.written++;
    if (this.pendingBytes >= FLUSH_BYTES) void this.flush();
  }

  /** Writes everything buffered so far (one write call). */
  flush(): Promise<void> {
    if (this.pending.length === 0) return this.chain;
    const text = this.pending.join('');
    this.pending = [];
    this.pendingBytes = 0;
    this.chain = this.chain.then(async () => {
      if (this.failure !== null) return;
      try {
        await this.handle.write(text);
      } catch (error) {
        this.failure = error as Error;
      }
    });
    return this.chain;
  }

  async close(): Promise<void> {
    await this.flush();
    await this.handle.close();
    if (this.failure !== null) {
      const errno = (this.failure as NodeJS.ErrnoException).code;
      const why =
        errno === 'ENOSPC' || errno === 'EDQUOT' ? 'no space left on the device' : this.failure.message;
      throw new JournalError(
        `journal write failed (${this.path}): ${why}; the records written before it are intact`,
        errno === 'ENOSPC' || errno === 'EDQUOT' ? 'E_DISK_FULL' : 'E_JOURNAL_WRITE',
      );
    }
  }
}

/**
 * Reads a journal written by JournalWriter (one RequestRecord per line; blank lines ignored).
 * A torn final line (the process died mid-write) is dropped; a bad line anywhere else is an error.
 */
export async function readJournal(path: string): Promise<RequestRecord[]> {
  const records: RequestRecord[] = [];
  await forEachJournalRecord(path, (record) => records.push(record));
  return records;
}

/**
 * Streams a journal's records to `onRecord` in file order, holding one chunk (1 MiB) and one line
 * at a time: how a point's final metrics are computed without keeping its records in memory.
 * Returns the number of records read. Same rules as readJournal.
 */
export async function forEachJournalRecord(
  path: string,
  onRecord: (record: RequestRecord) => void,
): Promise<number> {
  let count = 0;
  let lineNo = 0;
  let badLine = 0;
  let carry = '';
  const take = (rawLine: string): void => {
    lineNo++;
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    if (line.trim() === '') return;
    if (badLine > 0) throw new JournalError(`${path}:${badLine}: not a JSON record`, 'E_JOURNAL_PARSE');
    let record: RequestRecord;
    try {
      record = JSON.parse(line) as RequestRecord;
    } catch {
      badLine = lineNo;
      return;
    }
    count++;
    onRecord(record);
  };
  try {
    const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: READ_CHUNK_BYTES });
    for await (const chunk of stream as AsyncIterable<string>) {
      let start = 0;
      let newline = chunk.indexOf('\n');
      if (newline >= 0 && carry !== '') {
        take(carry + chunk.slice(0, newline));
        carry = '';
        start = newline + 1;
        newline = chunk.indexOf('\n', start);
      }
      while (newline >= 0) {
        take(chunk.slice(start, newline));
        start = newline + 1;
        newline = chunk.indexOf('\n', start);
      }
      carry += chunk.slice(start);
    }
    if (carry !== '') take(carry);
  } catch (error) {
    if (error instanceof JournalError) throw error;
    throw new JournalError(`cannot read journal ${path}: ${(error as Error).message}`, 'E_JOURNAL_READ');
  }
  return count;
}
