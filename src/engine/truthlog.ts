// Truth log: one JSON line per request with the server's own receive and token-write stamps.
//
// Clock: epoch milliseconds as performance.timeOrigin + performance.now() (sub-millisecond, monotonic
// within the process). A client on the same machine computing the same expression gets comparable stamps.
import { createWriteStream, type WriteStream } from 'node:fs';
import { performance } from 'node:perf_hooks';

export interface TruthEntry {
  readonly id: string;
  readonly requestId: string | null;
  readonly receivedMs: number;
  readonly tokenWriteMs: readonly number[];
  readonly tokens: readonly number[];
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly outcome:
    'ok' | 'http500' | 'http429' | 'reset' | 'malformed' | 'stall' | 'client_closed' | 'engine_closed';
}

export function epochNowMs(): number {
  return performance.timeOrigin + performance.now();
}

export class TruthLog {
  private readonly out: WriteStream;
  private failed: Error | undefined;
  constructor(path: string) {
    this.out = createWriteStream(path, { flags: 'a' });
    this.out.on('error', (error) => {
      this.failed = error;
    });
  }
  write(entry: TruthEntry): void {
    if (this.failed) return;
    this.out.write(`${JSON.stringify(entry)}\n`);
  }
  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.failed) {
        resolve();
        return;
      }
      this.out.end(() => resolve());
    });
  }
}
