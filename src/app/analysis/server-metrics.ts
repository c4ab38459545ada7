// The engine's own view of a point (telemetry.server_metrics in the envelope: Prometheus scraped
// before, during and after): prefix-cache hit rate, KV-cache usage, running/waiting requests and
// server-side generation throughput, for result tables, `compare` and the console's Server pane.
import { getPath } from '../report/envelopeView.js';
import { formatNumber, formatPercent, renderTable } from '../report/format.js';

export interface ServerMetricsView {
  readonly flavor: string;
  /** Δhits ÷ Δqueries over the point, fraction. */
  readonly prefixCacheHitRate: number | null;
  readonly kvUsageMean: number | null;
  readonly kvUsageMax: number | null;
  readonly runningMean: number | null;
  readonly runningMax: number | null;
  readonly waitingMax: number | null;
  /** Δ generation-tokens counter ÷ the pre→post interval. */
  readonly generationTokPerS: number | null;
  readonly generationTokens: number | null;
  readonly promptTokens: number | null;
  readonly queueTimeMeanMs: number | null;
  readonly windowS: number | null;
  readonly scrapeErrors: number;
}

function n(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** Reads the block `bench run` stores; null when the envelope has none (foreign or no /metrics). */
export function serverMetricsView(envelope: unknown): ServerMetricsView | null {
  const block = getPath(envelope, 'telemetry', 'server_metrics');
  if (typeof block !== 'object' || block === null) return null;
  const at = (...keys: string[]): number | null => n(getPath(block, ...keys));
  const errors = getPath(block, 'errors');
  const queueS = at('delta', 'queueTimeMeanS');
  return {
    flavor: typeof getPath(block, 'flavor') === 'string' ? (getPath(block, 'flavor') as string) : 'unknown',
    prefixCacheHitRate: at('delta', 'prefixCacheHitRate') ?? at('post', 'prefixCacheHitRateGauge'),
    kvUsageMean: at('during', 'kvCacheUsagePercMean'),
    kvUsageMax: at('during', 'kvCacheUsagePercMax'),
    runningMean: at('during', 'numRequestsRunningMean'),
    runningMax: at('during', 'numRequestsRunningMax'),
    waitingMax: at('during', 'numRequestsWaitingMax'),
    generationTokPerS: at('delta', 'generationThroughputTokPerS') ?? at('post', 'generationThroughputGauge'),
    generationTokens: at('delta', 'generationTokens'),
    promptTokens: at('delta', 'promptTokens'),
    queueTimeMeanMs: queueS !== null ? queueS * 1000 : null,
    windowS: at('delta', 'windowS'),
    scrapeErrors: Array.isArray(errors) ? errors.length : 0,
  };
}

/** `key value` lines for under a result table. */
export function serverMetricsLines(view: ServerMetricsView): string[] {
  const pct = (v: number | null): string => formatPercent(v);
  return [
    `server (${view.flavor} /metrics, ${formatNumber(view.windowS)} s pre→post):`,
    `  prefix-cache hit rate   ${pct(view.prefixCacheHitRate)}`,
    `  KV-cache usage          mean ${pct(view.kvUsageMean)} · max ${pct(view.kvUsageMax)}`,
    `  requests running        mean ${formatNumber(view.runningMean)} · max ${formatNumber(view.runningMax)} · waiting max ${formatNumber(view.waitingMax)}`,
    `  generation throughput   ${formatNumber(view.generationTokPerS)} tok/s (server counter)`,
    `  queue time              mean ${formatNumber(view.queueTimeMeanMs)} ms`,
    ...(view.scrapeErrors > 0 ? [`  ${view.scrapeErrors} scrape(s) failed`] : []),
  ];
}

export interface LabelledView {
  readonly label: string;
  readonly view: ServerMetricsView | null;
}

/** The `compare` block: one row per envelope, `-` where the engine exposed nothing. */
export function renderServerMetricsTable(rows: readonly LabelledView[]): string | null {
  if (rows.every((r) => r.view === null)) return null;
  const body = rows.map(({ label, view }) => [
    label,
    formatPercent(view?.prefixCacheHitRate),
    formatPercent(view?.kvUsageMean),
    formatNumber(view?.runningMean),
    formatNumber(view?.waitingMax),
    formatNumber(view?.generationTokPerS),
  ]);
  return [
    'Server-side (engine /metrics)',
    renderTable(
      [
        { header: '#' },
        { header: 'Prefix hit', align: 'right' },
        { header: 'KV mean', align: 'right' },
        { header: 'Running mean', align: 'right' },
        { header: 'Waiting max', align: 'right' },
        { header: 'Server gen tok/s', align: 'right' },
      ],
      body,
    ),
  ].join('\n');
}

export const TOKEN_DISAGREEMENT_LIMIT = 0.02;

/**
 * Warns when the server's generation-token count and the client's disagree by more than 2 % of
 * the client's (both over the same requests: every request of the point, warm-up included).
 */
export function tokenCountWarning(
  serverTokens: number | null,
  clientTokens: number | null,
  limit = TOKEN_DISAGREEMENT_LIMIT,
): string | null {
  if (serverTokens === null || clientTokens === null || clientTokens <= 0) return null;
  const diff = (serverTokens - clientTokens) / clientTokens;
  if (Math.abs(diff) <= limit) return null;
  return `server counted ${serverTokens} generated tokens, the client ${clientTokens} (${diff > 0 ? '+' : ''}${(diff * 100).toFixed(1)}%, limit ±${(limit * 100).toFixed(0)}%): token counts disagree (tokenizer, usage reporting, or other traffic on the server)`;
}
