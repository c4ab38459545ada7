// A shard's side of the coordinator protocol: join (retrying while the coordinator is not up yet:
// pods start in any order), the clock exchange, barriers, failure reports and the result upload.
import { bestOffset, epochNowMs, type ClockExchange, type OffsetEstimate } from './clock.js';
import { ShardError } from './errors.js';
import type { ShardSpec } from './plan.js';

export interface CoordinatorClientOptions {
  readonly url: string;
  readonly runId: string;
  readonly shard: ShardSpec;
  /** Shard clock, epoch ms. */
  readonly now?: () => number;
  /** Per-request limit for the short calls (join, time, fail, upload), ms. */
  readonly requestTimeoutMs?: number;
}

export class CoordinatorClient {
  private readonly base: string;
  private readonly now: () => number;
  private readonly requestTimeoutMs: number;

  constructor(private readonly options: CoordinatorClientOptions) {
    let url: URL;
    try {
      url = new URL(options.url);
    } catch {
      throw new ShardError(`--coordinator is not a URL: "${options.url}"`, 'E_COORD_URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new ShardError(
        `--coordinator must be http:// or https:// (got "${url.protocol}")`,
        'E_COORD_URL',
      );
    this.base = url.href.replace(/\/+$/, '');
    this.now = options.now ?? epochNowMs;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
  }

  private async call(
    method: string,
    path: string,
    body: unknown,
    timeoutMs: number | null,
    raw?: string,
  ): Promise<Record<string, unknown>> {
    let response: Response;
    try {
      response = await fetch(`${this.base}${path}`, {
        method,
        headers: { 'content-type': 'application/json' },
        ...(raw !== undefined ? { body: raw } : body !== undefined ? { body: JSON.stringify(body) } : {}),
        ...(timeoutMs !== null ? { signal: AbortSignal.timeout(timeoutMs) } : {}),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
      throw new ShardError(`coordinator ${this.base} unreachable (${cause})`, 'E_COORD_UNREACHABLE', 1);
    }
    let json: Record<string, unknown> = {};
    try {
      json = (await response.json()) as Record<string, unknown>;
    } catch {
      // An answer that is not JSON is reported by status below.
    }
    if (!response.ok) {
      const err = json.error as { code?: string; message?: string } | undefined;
      throw new ShardError(
        `coordinator: ${err?.message ?? `HTTP ${response.status} on ${method} ${path}`}`,
        (err?.code?.startsWith('E_') ? (err.code as `E_${string}`) : undefined) ?? 'E_COORD_HTTP',
        1,
      );
    }
    return json;
  }

  /** Joins the run, retrying connection failures until `deadlineMs` from now (default 120 s). */
  async join(deadlineMs = 120_000): Promise<void> {
    const until = Date.now() + deadlineMs;
    let backoffMs = 100;
    for (;;) {
      try {
        await this.call(
          'POST',
          '/v1/join',
          { run_id: this.options.runId, index: this.options.shard.index, count: this.options.shard.count },
          this.requestTimeoutMs,
        );
        return;
      } catch (error) {
        if (
          !(error instanceof ShardError) ||
          error.code !== 'E_COORD_UNREACHABLE' ||
          Date.now() + backoffMs > until
        )
          throw error;
        await new Promise((resolve) => setTimeout(resolve, backoffMs));
        backoffMs = Math.min(2000, backoffMs * 2);
      }
    }
  }

  /** `exchanges` NTP-style exchanges; the one with the smallest round trip gives the offset. */
  async syncClock(exchanges = 8): Promise<OffsetEstimate> {
    const samples: ClockExchange[] = [];
    for (let i = 0; i < exchanges; i++) {
      const t1 = this.now();
      const answer = await this.call('GET', '/v1/time', undefined, this.requestTimeoutMs);
      const t4 = this.now();
      samples.push({ t1, t2: Number(answer.t2), t3: Number(answer.t3), t4 });
    }
    const estimate = bestOffset(samples);
    if (estimate === null)
      throw new ShardError('coordinator clock exchange gave no usable sample', 'E_COORD_CLOCK', 1);
    return estimate;
  }

  /** Waits at barrier `name`; resolves with the release instant on the coordinator's clock. */
  async barrier(name: string): Promise<number> {
    const answer = await this.call(
      'POST',
      `/v1/barrier/${encodeURIComponent(name)}`,
      { index: this.options.shard.index },
      null,
    );
    const atMs = Number(answer.at_ms);
    if (!Number.isFinite(atMs))
      throw new ShardError('coordinator: barrier answer without at_ms', 'E_COORD_HTTP', 1);
    return atMs;
  }

  /** Best effort: tells the coordinator this shard gives up, so that no other shard waits for it. */
  async fail(reason: string): Promise<void> {
    try {
      await this.call('POST', '/v1/fail', { index: this.options.shard.index, reason }, 5000);
    } catch {
      // The coordinator may be gone too; the barrier timeout covers that.
    }
  }

  async upload(text: string): Promise<{ sha256: string; bytes: number }> {
    const answer = await this.call(
      'PUT',
      `/v1/results/${this.options.shard.index}`,
      undefined,
      120_000,
      text,
    );
    return { sha256: String(answer.sha256), bytes: Number(answer.bytes) };
  }
}

/** Sleeps until the shard clock `now()` reaches `atMs` (coarse timer, then short steps). */
export async function sleepUntilClock(atMs: number, now: () => number = epochNowMs): Promise<void> {
  for (;;) {
    const left = atMs - now();
    if (left <= 0) return;
    await new Promise((resolve) => setTimeout(resolve, left > 20 ? left - 10 : Math.max(1, left)));
  }
}
