// A client for point-runner tests on a VirtualClock: every request is answered through the clock
// (its latency is virtual), with TOKENS tokens spread from 20 % to 100 % of the latency.
import type { VirtualClock } from '../../../src/harness/clock.js';
import type { PointClient } from '../../../src/harness/run/point.js';
import type { RequestRecord, RequestSpec } from '../../../src/harness/index.js';

export const TOKENS = 5;

/** Latency of request `id` (ms) and how its tokens are spread: first token at 20 %, last at 100 %. */
export type LatencyOf = (id: number) => number;

export function fakeClient(clock: VirtualClock, latencyOf: LatencyOf): PointClient {
  const stats = { sent: 0, done: 0, inFlight: 0, eventsReceived: 0, tokensReceived: 0 };
  return {
    stats,
    send: (
      _spec: RequestSpec,
      tSchedMs: number,
      signal?: AbortSignal,
      meta?: { id?: number; warmup?: boolean },
    ) =>
      new Promise<RequestRecord>((resolve) => {
        const id = meta?.id ?? 0;
        const tSendMs = clock.now();
        const latencyMs = latencyOf(id);
        stats.sent++;
        stats.inFlight++;
        const base = {
          id,
          worker: 0,
          tSchedMs,
          tSendMs,
          usage: null,
          inputTokens: null,
          finishReason: 'stop',
          httpStatus: 200,
          warmup: meta?.warmup ?? false,
        };
        const finish = (record: RequestRecord): void => {
          stats.inFlight--;
          stats.done++;
          signal?.removeEventListener('abort', onAbort);
          resolve(record);
        };
        const timer = clock.setTimeout(() => {
          const tFirstMs = tSendMs + latencyMs * 0.2;
          const tLastMs = tSendMs + latencyMs;
          const times = Array.from(
            { length: TOKENS },
            (_, i) => tFirstMs + ((tLastMs - tFirstMs) * i) / (TOKENS - 1),
          );
          stats.eventsReceived += TOKENS;
          stats.tokensReceived += TOKENS;
          finish({
            ...base,
            tFirstMs,
            tFirstOutMs: tFirstMs,
            tLastMs,
            tDoneMs: tLastMs,
            eventTimesMs: times,
            eventTokens: times.map(() => 1),
            oslTokens: TOKENS,
            oslSource: 'counted',
            errorCode: null,
          });
        }, latencyMs);
        const onAbort = (): void => {
          clock.clearTimeout(timer);
          finish({
            ...base,
            tFirstMs: null,
            tFirstOutMs: null,
            tLastMs: null,
            tDoneMs: clock.now(),
            eventTimesMs: [],
            eventTokens: [],
            oslTokens: 0,
            oslSource: 'counted',
            errorCode: 'aborted',
          });
        };
        if (signal?.aborted) onAbort();
        else signal?.addEventListener('abort', onAbort, { once: true });
      }),
  };
}
