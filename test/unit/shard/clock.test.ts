import { describe, expect, it } from 'vitest';
import {
  bestOffset,
  clockRecord,
  offsetOf,
  toCoordinatorMs,
  toShardMs,
} from '../../../src/harness/shard/clock.js';

/** An exchange with a true offset θ (coordinator − shard) and one-way delays out/back. */
function exchange(t1: number, theta: number, outMs: number, serveMs: number, backMs: number) {
  const t2 = t1 + outMs + theta;
  const t3 = t2 + serveMs;
  return { t1, t2, t3, t4: t3 - theta + backMs };
}

describe('clock exchange', () => {
  it('recovers the offset exactly with symmetric delays, and the round trip', () => {
    const x = exchange(1000, 37.5, 2, 0.25, 2);
    expect(offsetOf(x)).toEqual({ offsetMs: 37.5, roundTripMs: 4 });
  });

  it('errs by at most half the round trip with asymmetric delays', () => {
    const x = exchange(1000, -120, 9, 0, 1);
    const o = offsetOf(x);
    expect(Math.abs(o.offsetMs - -120)).toBeLessThanOrEqual(o.roundTripMs / 2);
  });

  it('keeps the exchange with the smallest round trip and ignores impossible ones', () => {
    const best = bestOffset([
      exchange(0, 10, 30, 0, 1),
      exchange(100, 10, 1, 0, 1.5),
      { t1: 5, t2: 1, t3: 0, t4: 9 }, // t3 < t2
      { t1: 5, t2: NaN, t3: 0, t4: 9 },
    ]);
    expect(best?.roundTripMs).toBe(2.5);
    expect(best?.offsetMs).toBeCloseTo(9.75, 10);
    expect(best?.exchanges).toBe(4);
    expect(bestOffset([])).toBeNull();
  });

  it('derives skew from a start and an end exchange, and maps clocks both ways', () => {
    const start = { offsetMs: 50, roundTripMs: 1, atShardMs: 1_000_000, exchanges: 8 };
    // The coordinator's clock gained 6 ms over 60 s of the shard's: +100 ppm.
    const end = { offsetMs: 56, roundTripMs: 1, atShardMs: 1_060_000, exchanges: 8 };
    const clock = clockRecord(start, end);
    expect(clock.skewPpm).toBeCloseTo(100, 9);
    expect(toCoordinatorMs(1_030_000, clock)).toBeCloseTo(1_030_053, 6);
    expect(toShardMs(toCoordinatorMs(1_045_000.25, clock), clock)).toBeCloseTo(1_045_000.25, 6);
    const noEnd = clockRecord(start, null);
    expect(noEnd.skewPpm).toBeNull();
    expect(toCoordinatorMs(1_000_010, noEnd)).toBe(1_000_060);
  });
});
