// The matrix verdict (seed 003): the winner per concurrency regime, never one overall winner.
// c = 1 is the latency regime, judged on median TPOT (decode latency; lower wins); every other point
// is judged on output throughput (higher wins). A lead inside the noise is a tie: the larger of 2 %
// and the two cells' trial standard deviations.

export interface MatrixCell {
  readonly target: string;
  readonly point: number;
  /** One value per trial (failed trials left out). */
  readonly throughputTokPerS: readonly number[];
  readonly tpotP50Ms: readonly number[];
  readonly ttftP50Ms: readonly number[];
  readonly okRate: readonly number[];
}

export interface Stat {
  readonly mean: number;
  readonly std: number;
  readonly n: number;
}

export function stat(values: readonly number[]): Stat | null {
  if (values.length === 0) return null;
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance =
    values.length > 1 ? values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1) : 0;
  return { mean, std: Math.sqrt(variance), n: values.length };
}

export type Regime = 'latency' | 'throughput';

export interface RegimeVerdict {
  readonly point: number;
  readonly regime: Regime;
  readonly metric: 'tpot_p50_ms' | 'throughput_tok_per_s';
  /** null when no target has a value at this point. */
  readonly winner: string | null;
  readonly runnerUp: string | null;
  /** Relative lead of the winner over the runner-up (fraction). */
  readonly lead: number | null;
  readonly tie: boolean;
  readonly values: readonly { readonly target: string; readonly stat: Stat }[];
}

export const TIE_FRACTION = 0.02;

export function regimeOf(point: number): Regime {
  return point === 1 ? 'latency' : 'throughput';
}

export function verdictAt(point: number, cells: readonly MatrixCell[]): RegimeVerdict {
  const regime = regimeOf(point);
  const metric = regime === 'latency' ? 'tpot_p50_ms' : 'throughput_tok_per_s';
  const values = cells
    .filter((c) => c.point === point)
    .map((c) => ({ target: c.target, stat: stat(regime === 'latency' ? c.tpotP50Ms : c.throughputTokPerS) }))
    .filter((v): v is { target: string; stat: Stat } => v.stat !== null)
    .sort((a, b) => (regime === 'latency' ? a.stat.mean - b.stat.mean : b.stat.mean - a.stat.mean));
  const first = values[0];
  const second = values[1];
  if (!first) return { point, regime, metric, winner: null, runnerUp: null, lead: null, tie: false, values };
  if (!second)
    return { point, regime, metric, winner: first.target, runnerUp: null, lead: null, tie: false, values };
  const gap = Math.abs(first.stat.mean - second.stat.mean);
  const lead = gap / Math.abs(second.stat.mean);
  const noise = Math.max(TIE_FRACTION * Math.abs(second.stat.mean), first.stat.std, second.stat.std);
  return {
    point,
    regime,
    metric,
    winner: first.target,
    runnerUp: second.target,
    lead,
    tie: gap <= noise,
    values,
  };
}

export function verdicts(cells: readonly MatrixCell[]): RegimeVerdict[] {
  const points = [...new Set(cells.map((c) => c.point))].sort((a, b) => a - b);
  return points.map((p) => verdictAt(p, cells));
}

/** Targets with fewer than 3 successful trials in some cell: their verdicts are DRAFT. */
export function trialWarnings(cells: readonly MatrixCell[], minTrials = 3): string[] {
  const byTarget = new Map<string, number>();
  for (const cell of cells) {
    const n = cell.throughputTokPerS.length;
    byTarget.set(cell.target, Math.min(byTarget.get(cell.target) ?? Infinity, n));
  }
  return [...byTarget]
    .filter(([, n]) => n < minTrials)
    .map(
      ([target, n]) =>
        `target ${target} has ${n} trial${n === 1 ? '' : 's'} in some cell (< ${minTrials}): its verdicts are DRAFT, not VERDICT`,
    );
}

/** One line per regime: `c=1 (latency, tpot_p50_ms): fp8 wins by 12.0% over nvfp4`. */
export function renderVerdicts(list: readonly RegimeVerdict[]): string[] {
  return list.map((v) => {
    const head = `c=${v.point} (${v.regime}, ${v.metric})`;
    if (v.winner === null) return `${head}: no successful cell`;
    if (v.runnerUp === null) return `${head}: ${v.winner} (only target with a result)`;
    const lead = `${((v.lead ?? 0) * 100).toFixed(1)}%`;
    return v.tie
      ? `${head}: no clear winner — ${v.winner} leads ${v.runnerUp} by ${lead}, inside the noise`
      : `${head}: ${v.winner} wins by ${lead} over ${v.runnerUp}`;
  });
}
