// NTP-style clock exchange between a shard and the coordinator (RFC 5905's on-wire arithmetic).
//
// One exchange: the shard stamps t1 and sends; the coordinator stamps t2 on receipt and t3 when it
// answers; the shard stamps t4 on receipt. With symmetric paths, the coordinator's clock minus the
// shard's is θ = ((t2 − t1) + (t3 − t4)) / 2, known to within ±δ/2 where δ = (t4 − t1) − (t3 − t2)
// is the round trip. Of several exchanges the one with the smallest δ is kept. An exchange at the
// start and one at the end of a run give the skew (drift rate) of the shard's clock.
//
// Clocks are epoch milliseconds read as performance.timeOrigin + performance.now(): monotonic
// within a process, sub-millisecond, and comparable across hosts up to their NTP offset.

export interface ClockExchange {
  readonly t1: number;
  readonly t2: number;
  readonly t3: number;
  readonly t4: number;
}

export interface OffsetEstimate {
  /** Coordinator clock − shard clock, ms. */
  readonly offsetMs: number;
  /** Round trip of the exchange used, ms (the offset is within ±roundTripMs/2). */
  readonly roundTripMs: number;
  /** Shard clock when the exchange was made (its t4). */
  readonly atShardMs: number;
  readonly exchanges: number;
}

export interface ClockRecord {
  readonly start: OffsetEstimate;
  readonly end: OffsetEstimate | null;
  /** Drift of the coordinator clock against the shard's, parts per million (null without an end). */
  readonly skewPpm: number | null;
}

export function offsetOf(x: ClockExchange): { offsetMs: number; roundTripMs: number } {
  return { offsetMs: (x.t2 - x.t1 + (x.t3 - x.t4)) / 2, roundTripMs: x.t4 - x.t1 - (x.t3 - x.t2) };
}

/** The estimate from the exchange with the smallest round trip; null when none is usable. */
export function bestOffset(exchanges: readonly ClockExchange[]): OffsetEstimate | null {
  let best: { offsetMs: number; roundTripMs: number; atShardMs: number } | null = null;
  for (const x of exchanges) {
    if (![x.t1, x.t2, x.t3, x.t4].every(Number.isFinite) || x.t4 < x.t1 || x.t3 < x.t2) continue;
    const o = offsetOf(x);
    if (o.roundTripMs < 0) continue;
    if (best === null || o.roundTripMs < best.roundTripMs) best = { ...o, atShardMs: x.t4 };
  }
  return best === null ? null : { ...best, exchanges: exchanges.length };
}

export function clockRecord(start: OffsetEstimate, end: OffsetEstimate | null): ClockRecord {
  const spanMs = end === null ? 0 : end.atShardMs - start.atShardMs;
  return {
    start,
    end,
    skewPpm: end !== null && spanMs > 0 ? ((end.offsetMs - start.offsetMs) / spanMs) * 1e6 : null,
  };
}

/** Maps a shard clock reading to the coordinator's clock (offset at start, corrected for skew). */
export function toCoordinatorMs(shardMs: number, clock: ClockRecord): number {
  const drift = clock.skewPpm === null ? 0 : (clock.skewPpm / 1e6) * (shardMs - clock.start.atShardMs);
  return shardMs + clock.start.offsetMs + drift;
}

/** Maps a coordinator clock reading to the shard's clock (inverse of toCoordinatorMs). */
export function toShardMs(coordinatorMs: number, clock: ClockRecord): number {
  const rate = clock.skewPpm === null ? 0 : clock.skewPpm / 1e6;
  // c = s + off + rate·(s − a)  ⇒  s = (c − off + rate·a) / (1 + rate)
  return (coordinatorMs - clock.start.offsetMs + rate * clock.start.atShardMs) / (1 + rate);
}

/** The process's epoch-ms monotonic clock (the engine's truth log uses the same expression). */
export const epochNowMs = (): number => performance.timeOrigin + performance.now();
