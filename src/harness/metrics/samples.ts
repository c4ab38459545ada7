// Per-request metric values of docs/metrics.md, computed from one RequestRecord.
import type { RequestRecord } from '../types.js';

/** Where samples go: an array or a SampleSink. */
export interface SampleOut {
  push(value: number): unknown;
}

/** t_1 − t_send (null when no token arrived). */
export const ttftMs = (r: RequestRecord): number | null =>
  r.tFirstMs === null ? null : r.tFirstMs - r.tSendMs;
/** t_1 − t_sched: coordinated-omission-aware TTFT. */
export const ttftSchedMs = (r: RequestRecord): number | null =>
  r.tFirstMs === null ? null : r.tFirstMs - r.tSchedMs;
/** t_send − t_sched. */
export const clientQueueDelayMs = (r: RequestRecord): number => r.tSendMs - r.tSchedMs;
/** t_first_out − t_send: first non-reasoning content. */
export const ttfoMs = (r: RequestRecord): number | null =>
  r.tFirstOutMs === null ? null : r.tFirstOutMs - r.tSendMs;
/**
 * Time to second token (AIPerf's TTST): t_2 − t_1, the gap between the first and second
 * token-bearing events. null when the stream had fewer than two such events.
 */
export const ttstMs = (r: RequestRecord): number | null => {
  const times = r.eventTimesMs;
  return times.length < 2 ? null : (times[1] as number) - (times[0] as number);
};
/** t_last − t_send (the envelope's "total"). */
export const e2eMs = (r: RequestRecord): number | null => (r.tLastMs === null ? null : r.tLastMs - r.tSendMs);
/** t_last − t_sched. */
export const e2eSchedMs = (r: RequestRecord): number | null =>
  r.tLastMs === null ? null : r.tLastMs - r.tSchedMs;
/** (t_last − t_1)/(osl − 1) for osl ≥ 2; undefined (null) otherwise — never 0. */
export const tpotMs = (r: RequestRecord): number | null =>
  r.tFirstMs === null || r.tLastMs === null || r.oslTokens < 2
    ? null
    : (r.tLastMs - r.tFirstMs) / (r.oslTokens - 1);

/** Per-request output token rate while decoding, tokens/s: 1000 / tpot. Used by the convergence gate. */
export const decodeRateTokPerS = (r: RequestRecord): number | null => {
  const tpot = tpotMs(r);
  return tpot === null || tpot <= 0 ? null : 1000 / tpot;
};

/** Appends per-token gaps: an event carrying k tokens after gap g adds k samples of g/k. */
export function pushItlSamples(r: RequestRecord, out: SampleOut): void {
  const times = r.eventTimesMs;
  const tokens = r.eventTokens;
  for (let i = 1; i < times.length; i++) {
    const gap = (times[i] as number) - (times[i - 1] as number);
    const k = Math.max(1, tokens[i] ?? 1);
    const sample = gap / k;
    for (let j = 0; j < k; j++) out.push(sample);
  }
}

/** Appends raw event gaps t_i − t_{i−1}. */
export function pushIclSamples(r: RequestRecord, out: SampleOut): void {
  const times = r.eventTimesMs;
  for (let i = 1; i < times.length; i++) out.push((times[i] as number) - (times[i - 1] as number));
}
