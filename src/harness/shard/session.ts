// One shard's side of a sharded run, for the point runner: join, clock exchange, barriers expressed
// in this process's monotonic clock (performance.now()), the closing clock exchange, upload or
// failure report. The point runner calls, in order:
//   open() → barrier('start') [warm-up, gate] → barrier('measure') [window opens at its instant]
//   → [measure] → barrier('end') → finish() → upload(envelope text)        (fail(reason) on error)
import {
  clockRecord,
  epochNowMs,
  toCoordinatorMs,
  toShardMs,
  type ClockRecord,
  type OffsetEstimate,
} from './clock.js';
import { CoordinatorClient, sleepUntilClock } from './coordinator-client.js';
import type { ShardSpec } from './plan.js';

export interface ShardSessionOptions {
  readonly url: string;
  readonly runId: string;
  readonly shard: ShardSpec;
  /** How long to keep retrying the join while the coordinator is not up (ms, default 120 s). */
  readonly joinDeadlineMs?: number;
  /** NTP-style exchanges at the start and at the end (default 8). */
  readonly exchanges?: number;
}

export class ShardSession {
  private endClock: ClockRecord | null = null;

  private constructor(
    private readonly client: CoordinatorClient,
    readonly start: OffsetEstimate,
    private readonly exchanges: number,
    /** performance.timeOrigin and Date.now() when the session opened. */
    readonly anchor: { readonly timeOriginMs: number; readonly wallMs: number },
  ) {}

  static async open(options: ShardSessionOptions): Promise<ShardSession> {
    const client = new CoordinatorClient({ url: options.url, runId: options.runId, shard: options.shard });
    await client.join(options.joinDeadlineMs ?? 120_000);
    const exchanges = options.exchanges ?? 8;
    const start = await client.syncClock(exchanges);
    return new ShardSession(client, start, exchanges, {
      timeOriginMs: performance.timeOrigin,
      wallMs: Date.now(),
    });
  }

  /** The clock record so far (start only until finish()). */
  get clock(): ClockRecord {
    return this.endClock ?? clockRecord(this.start, null);
  }

  /**
   * Waits at barrier `name` and returns its instant on this process's monotonic clock, without
   * sleeping to it (an end barrier: the instant closes the window whenever this shard wakes).
   */
  async barrier(name: string): Promise<number> {
    const atMs = await this.client.barrier(name);
    return toShardMs(atMs, this.clock) - performance.timeOrigin;
  }

  /** barrier(name), then sleeps to its instant: every shard resumes at the same wall-clock time. */
  async gate(name: string): Promise<number> {
    const atMono = await this.barrier(name);
    await sleepUntilClock(performance.timeOrigin + atMono, epochNowMs);
    return atMono;
  }

  /** The closing clock exchange: the skew over the run. */
  async finish(): Promise<ClockRecord> {
    const end = await this.client.syncClock(this.exchanges);
    this.endClock = clockRecord(this.start, end);
    return this.endClock;
  }

  /** A monotonic reading of this process on the coordinator's clock. */
  toCommonMs(monotonicMs: number): number {
    return toCoordinatorMs(performance.timeOrigin + monotonicMs, this.clock);
  }

  upload(text: string): Promise<{ sha256: string; bytes: number }> {
    return this.client.upload(text);
  }

  fail(reason: string): Promise<void> {
    return this.client.fail(reason);
  }
}
