// Hand-built RequestRecords for table-driven metric tests.
import type { ErrorCode, RequestRecord } from '../../../src/harness/types.js';

export interface RecordInput {
  id?: number;
  tSched?: number;
  tSend: number;
  /** Event arrival times (absolute ms). */
  events?: number[];
  /** Tokens per event (default 1 each). */
  tokens?: number[];
  /** First non-reasoning content time (default: first event). */
  tFirstOut?: number | null;
  osl?: number;
  oslSource?: 'usage' | 'counted';
  errorCode?: ErrorCode | null;
  warmup?: boolean;
  inputTokens?: number | null;
  tDone?: number;
}

let autoId = 0;

export function rec(input: RecordInput): RequestRecord {
  const events = input.events ?? [];
  const tokens = input.tokens ?? events.map(() => 1);
  const counted = tokens.reduce((a, b) => a + b, 0);
  const tLast = events.length > 0 ? events[events.length - 1]! : null;
  return {
    id: input.id ?? autoId++,
    worker: 0,
    tSchedMs: input.tSched ?? input.tSend,
    tSendMs: input.tSend,
    tFirstMs: events.length > 0 ? events[0]! : null,
    tFirstOutMs: input.tFirstOut !== undefined ? input.tFirstOut : events.length > 0 ? events[0]! : null,
    tLastMs: tLast,
    tDoneMs: input.tDone ?? (tLast ?? input.tSend) + 1,
    eventTimesMs: events,
    eventTokens: tokens,
    usage: null,
    oslTokens: input.osl ?? counted,
    oslSource: input.oslSource ?? 'usage',
    inputTokens: input.inputTokens ?? null,
    finishReason: 'length',
    httpStatus: input.errorCode === undefined || input.errorCode === null ? 200 : 500,
    errorCode: input.errorCode ?? null,
    warmup: input.warmup ?? false,
  };
}
