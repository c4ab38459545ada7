// JSONL journal of RequestRecords: buffered appends (one write per ~256 KiB or per flush()),
// and readJournal() to recompute metrics exactly from the file.
import { createReadStream } from 'node:fs';
import { type FileHandle, mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import type { RequestRecord } from '../types.js';

const FLUSH_BYTES = 256 * 1024;

export class JournalError extends Error {
  readonly code: string;
  constructor(message: string, code = 'E_JOURNAL') {
    super(message);
    this.name = 'JournalError';
    this.code = code;
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

  static async open(path: string): Promise<JournalWriter> {
    await mkdir(dirname(path), { recursive: true });
    try {
      return new JournalWriter(path, await open(path, 'w'));
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
      throw new JournalError(
        `journal write failed (${this.path}): ${this.failure.message}`,
        'E_JOURNAL_WRITE',
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
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  let lineNo = 0;
  let badLine = 0;
  try {
    for await (const line of lines) {
      lineNo++;
      if (line.trim() === '') continue;
      if (badLine > 0) throw new JournalError(`${path}:${badLine}: not a JSON record`, 'E_JOURNAL_PARSE');
      try {
        records.push(JSON.parse(line) as RequestRecord);
      } catch {
        badLine = lineNo;
      }
    }
  } catch (error) {
    if (error instanceof JournalError) throw error;
    throw new JournalError(`cannot read journal ${path}: ${(error as Error).message}`, 'E_JOURNAL_READ');
  }
  return records;
}
