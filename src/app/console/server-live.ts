// The Server pane's data: the engine's latest /metrics reading plus the generation rate between
// the last two readings (pure).
import type { ServerMetricsReading } from '../../telemetry/server-metrics.js';

export interface ServerLive {
  readonly flavor: string;
  readonly running: number | null;
  readonly waiting: number | null;
  /** Fraction 0..1. */
  readonly kvUsage: number | null;
  /** Δhits ÷ Δqueries since the first reading, else the server's gauge; fraction 0..1. */
  readonly prefixHitRate: number | null;
  /** Δ generation-tokens counter ÷ Δt between the last two readings. */
  readonly generationTokPerS: number | null;
  readonly scrapes: number;
}

function delta(a: number | null, b: number | null): number | null {
  return a !== null && b !== null ? b - a : null;
}

export function serverLiveFrom(
  first: ServerMetricsReading | null,
  previous: ServerMetricsReading | null,
  latest: ServerMetricsReading,
  scrapes: number,
): ServerLive {
  const hits = delta(first?.prefixCacheHits ?? null, latest.prefixCacheHits);
  const queries = delta(first?.prefixCacheQueries ?? null, latest.prefixCacheQueries);
  const tokens = delta(previous?.generationTokensTotal ?? null, latest.generationTokensTotal);
  const dtS = previous ? (latest.tMs - previous.tMs) / 1000 : 0;
  return {
    flavor: latest.flavor,
    running: latest.numRequestsRunning,
    waiting: latest.numRequestsWaiting,
    kvUsage: latest.kvCacheUsagePerc,
    prefixHitRate:
      hits !== null && queries !== null && queries > 0 ? hits / queries : latest.prefixCacheHitRateGauge,
    generationTokPerS: tokens !== null && dtS > 0 ? tokens / dtS : latest.generationThroughputGauge,
    scrapes,
  };
}
