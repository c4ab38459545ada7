// Pareto frontiers over envelope metrics. Each pair has an x to maximise and a y to minimise.
import { metricNumber, type EnvelopeLike } from './envelopeView.js';

export interface ParetoPair {
  readonly name: string;
  /** Metric keys tried in order for the maximised axis (first present wins). */
  readonly x: readonly string[];
  /** Metric keys tried in order for the minimised axis. */
  readonly y: readonly string[];
}

/** The reference's three pairs (InferenceBench `compare`). */
export const PARETO_PAIRS: readonly ParetoPair[] = [
  { name: 'throughput_vs_latency', x: ['throughput_tok_per_s'], y: ['ttft_p99_ms'] },
  { name: 'throughput_vs_energy', x: ['throughput_tok_per_s'], y: ['joules_per_token'] },
  {
    name: 'quality_vs_cost',
    x: ['goodput_at_slo', 'req_per_s_passing'],
    y: ['cost_usd_per_million_tokens'],
  },
];

export interface ParetoPoint {
  readonly index: number;
  readonly x: number;
  readonly y: number;
}

export function pairPoint(envelope: EnvelopeLike, pair: ParetoPair, index: number): ParetoPoint | undefined {
  const x = firstMetric(envelope, pair.x);
  const y = firstMetric(envelope, pair.y);
  return x === undefined || y === undefined ? undefined : { index, x, y };
}

function firstMetric(envelope: EnvelopeLike, keys: readonly string[]): number | undefined {
  for (const key of keys) {
    const value = metricNumber(envelope, key);
    if (value !== undefined) return value;
  }
  return undefined;
}

/** b dominates a: at least as good on both axes and strictly better on one. */
export function dominates(b: ParetoPoint, a: ParetoPoint): boolean {
  return b.x >= a.x && b.y <= a.y && (b.x > a.x || b.y < a.y);
}

/** Indices of the non-dominated points (ties on both axes stay on the frontier together). */
export function frontier(points: readonly ParetoPoint[]): number[] {
  return points
    .filter((a) => !points.some((b) => b !== a && dominates(b, a)))
    .map((p) => p.index)
    .sort((i, j) => i - j);
}

export interface ParetoResult {
  /** pair name → indices of envelopes on that pair's frontier. */
  readonly byPair: Readonly<Record<string, number[]>>;
  /** pair name → how many envelopes had both metrics. */
  readonly eligible: Readonly<Record<string, number>>;
  /** envelope index → on the frontier of at least one pair. */
  readonly onAny: readonly boolean[];
}

export function paretoAnalysis(envelopes: readonly EnvelopeLike[], pairs = PARETO_PAIRS): ParetoResult {
  const byPair: Record<string, number[]> = {};
  const eligible: Record<string, number> = {};
  const onAny = envelopes.map(() => false);
  for (const pair of pairs) {
    const points = envelopes
      .map((env, i) => pairPoint(env, pair, i))
      .filter((p): p is ParetoPoint => p !== undefined);
    eligible[pair.name] = points.length;
    const front = frontier(points);
    byPair[pair.name] = front;
    for (const i of front) onAny[i] = true;
  }
  return { byPair, eligible, onAny };
}
