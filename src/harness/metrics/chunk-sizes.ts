// Chunk-size histogram: how many tokens each token-bearing SSE event carried (docs/metrics.md
// "chunk_tokens"). One token per event is the usual stream; speculative decoding, multi-step
// scheduling and server-side batching of writes show up as events of 2+ tokens.

import type { ChunkTokensSource } from '../types.js';

export type { ChunkTokensSource };

/** Exact buckets 1..16, then one bucket for everything larger. */
export const CHUNK_SIZE_BUCKETS = 16;

export interface ChunkSizeHistogram {
  /** events[k-1] = token-bearing events that carried k tokens (k = 1..16); events[16] = more than 16. */
  readonly events: readonly number[];
  readonly totalEvents: number;
  readonly totalTokens: number;
  /** Tokens per event: mean, median, largest. null without events. */
  readonly mean: number | null;
  readonly p50: number | null;
  readonly max: number | null;
  /** Share of events carrying more than one token. */
  readonly multiTokenFraction: number | null;
  /** Requests by how their per-event counts were known (exact per-chunk usage, spread, or 1 each). */
  readonly sources: Readonly<Record<ChunkTokensSource, number>>;
}

export class ChunkSizeAccumulator {
  private readonly counts: number[] = new Array<number>(CHUNK_SIZE_BUCKETS + 1).fill(0);
  private events = 0;
  private tokens = 0;
  private max = 0;
  private readonly sources: Record<ChunkTokensSource, number> = {
    usage_per_chunk: 0,
    usage_spread: 0,
    one_per_event: 0,
  };

  /** One request's per-event token counts (RequestRecord.eventTokens after finalisation). */
  add(eventTokens: readonly number[], source: ChunkTokensSource): void {
    this.sources[source]++;
    const counts = this.counts;
    for (let i = 0; i < eventTokens.length; i++) {
      const k = Math.max(1, Math.round(eventTokens[i] ?? 1));
      const bucket = k > CHUNK_SIZE_BUCKETS ? CHUNK_SIZE_BUCKETS : k - 1;
      counts[bucket] = (counts[bucket] ?? 0) + 1;
      this.events++;
      this.tokens += k;
      if (k > this.max) this.max = k;
    }
  }

  /** Adds a finished histogram (another shard's): the result is as if its requests were added here. */
  absorb(h: ChunkSizeHistogram): void {
    for (let b = 0; b <= CHUNK_SIZE_BUCKETS; b++) this.counts[b] = (this.counts[b] ?? 0) + (h.events[b] ?? 0);
    this.events += h.totalEvents;
    this.tokens += h.totalTokens;
    if (h.max !== null && h.max > this.max) this.max = h.max;
    for (const key of Object.keys(this.sources) as ChunkTokensSource[])
      this.sources[key] += h.sources[key] ?? 0;
  }

  finish(): ChunkSizeHistogram {
    const n = this.events;
    return {
      events: [...this.counts],
      totalEvents: n,
      totalTokens: this.tokens,
      mean: n > 0 ? this.tokens / n : null,
      p50: n > 0 ? medianBucket(this.counts, n) : null,
      max: n > 0 ? this.max : null,
      multiTokenFraction: n > 0 ? (n - (this.counts[0] ?? 0)) / n : null,
      sources: { ...this.sources },
    };
  }
}

/** The size of the event at rank ceil(n/2) (sizes above 16 report 17, "more than 16"). */
function medianBucket(counts: readonly number[], n: number): number {
  const rank = Math.ceil(n / 2);
  let seen = 0;
  for (let b = 0; b < counts.length; b++) {
    seen += counts[b] ?? 0;
    if (seen >= rank) return b + 1;
  }
  return counts.length;
}
