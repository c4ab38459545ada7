// The v1 metric names, in one place. The harness returns typed metrics (PointMetrics,
// ClientHealth); this module names them the way envelopes (and InferenceBench) do. Everything
// that reads or writes a metric key by name imports it from here (METRIC) or gets the flat record
// from pointMetricsV1 / energyMetricsV1.
import type { ClientHealth } from '../harness/types.js';
import type {
  DistributionName,
  PointMetrics,
  REPORTED_PERCENTILES as HarnessPercentiles,
} from '../harness/metrics/compute.js';
import type { TelemetryWindowSummary } from '../telemetry/types.js';

/** Metric keys the tool reads back by name (tables, exit codes, comparisons). */
export const METRIC = {
  throughputTokPerS: 'throughput_tok_per_s',
  ttftP50Ms: 'ttft_p50_ms',
  ttftP99Ms: 'ttft_p99_ms',
  tpotP50Ms: 'tpot_p50_ms',
  tpotP99Ms: 'tpot_p99_ms',
  totalP50Ms: 'total_p50_ms',
  reqPerSAll: 'req_per_s_all',
  reqPerSPassing: 'req_per_s_passing',
  complianceRate: 'compliance_rate',
  okRate: 'ok_rate',
  powerAvgW: 'power_avg_w',
  powerPeakW: 'power_peak_w',
  energyJoulesTotal: 'energy_joules_total',
  joulesPerToken: 'joules_per_token',
  tokensOutTotal: 'tokens_out_total',
  sloHardwareClass: 'slo_hardware_class',
  sloTemplateResolved: 'slo_template_resolved',
} as const;

// Type-only imports from the harness (ARCHITECTURE.md, layers): the names are spelled here, and
// the compiler checks they match the harness's own lists.
const REPORTED_PERCENTILES = [50, 90, 99] as const satisfies typeof HarnessPercentiles;
const DISTRIBUTION_NAMES = [
  'ttft',
  'ttft_sched',
  'client_queue_delay',
  'ttfo',
  'ttst',
  'total',
  'total_sched',
  'tpot',
  'itl',
  'icl',
] as const satisfies readonly DistributionName[];

export type MetricsRecord = Record<string, number | null>;
export type CiRecord = Record<string, { lo: number; hi: number; n: number }>;

/** The v1 names of a point's metrics: ttft_p50_ms … plus CIs keyed the same way. */
export function flattenMetrics(m: PointMetrics): {
  metrics: Record<string, number | null>;
  ci: Record<string, { lo: number; hi: number; n: number }>;
} {
  const metrics: Record<string, number | null> = {};
  const ci: Record<string, { lo: number; hi: number; n: number }> = {};
  for (const name of DISTRIBUTION_NAMES) {
    const d = m.distributions[name];
    for (const p of REPORTED_PERCENTILES) {
      const key = `${name}_p${p}_ms`;
      metrics[key] = d[`p${p}`];
      const interval = d.ci[`p${p}`];
      if (interval !== null) ci[key] = { lo: interval.lo, hi: interval.hi, n: interval.n };
    }
    metrics[`${name}_mean_ms`] = d.mean;
    metrics[`${name}_n`] = d.n;
  }
  metrics.throughput_tok_per_s = m.throughputTokPerS;
  metrics.throughput_tok_per_s_vllm = m.throughputTokPerSVllm;
  metrics.throughput_tok_per_s_aiperf = m.throughputTokPerSAiperf;
  metrics.req_per_s_all = m.reqPerSAll;
  metrics.req_per_s_passing = m.reqPerSPassing;
  metrics.goodput_req_per_s = m.reqPerSPassing;
  metrics.goodput_tok_per_s = m.goodputTokPerS;
  metrics.compliance_rate = m.complianceRate;
  metrics.ok_rate = m.okRate;
  metrics.osl_mean = m.oslMean;
  metrics.isl_mean = m.islMean;
  metrics.tokens_out_total = m.tokensInWindow;
  metrics.icl_coalesced_fraction = m.coalescedFraction;
  metrics.chunk_tokens_mean = m.chunkSizes.mean;
  metrics.chunk_tokens_p50 = m.chunkSizes.p50;
  metrics.chunk_tokens_max = m.chunkSizes.max;
  metrics.chunk_multi_token_fraction = m.chunkSizes.multiTokenFraction;
  metrics.chunk_events_n = m.chunkSizes.totalEvents;
  metrics.n_requests = m.counts.measured;
  metrics.n_ok = m.counts.ok;
  metrics.n_failed = m.counts.failed;
  if (m.counts.cancelled > 0) metrics.n_cancelled = m.counts.cancelled;
  metrics.window_s = m.window.durationS;
  if (m.slo !== null) {
    for (const target of m.slo.targets) {
      metrics[`slo_${target.metric}_pass_rate`] = target.passRate;
    }
  }
  return { metrics, ci };
}

/** A point's metrics under their v1 names, with the generator self-audit's numbers. */
export function pointMetricsV1(point: { readonly detail: PointMetrics; readonly client: ClientHealth }): {
  metrics: MetricsRecord;
  ci: CiRecord;
} {
  const { metrics, ci } = flattenMetrics(point.detail);
  metrics.event_loop_delay_p99_ms = point.client.eventLoopDelayP99Ms;
  metrics.pacer_lag_p99_ms = point.client.pacerLagP99Ms;
  metrics.client_cpu_percent = point.client.cpuPercent;
  return { metrics, ci };
}

/**
 * Energy metrics of a window: GPU energy (J, all GPUs) over the output tokens that arrived in the
 * same window. Both come from the same [start, end]: J / token, never kJ or mJ.
 */
export function energyMetricsV1(
  telemetry: TelemetryWindowSummary | null,
  outputTokens: number,
): { metrics: MetricsRecord; warnings: string[] } {
  if (!telemetry || !telemetry.gpu.available) {
    return {
      metrics: { power_avg_w: null, power_peak_w: null, energy_joules_total: null, joules_per_token: null },
      warnings: [
        `energy metrics not available: ${telemetry && !telemetry.gpu.available ? telemetry.gpu.reason : 'no telemetry'}`,
      ],
    };
  }
  const gpu = telemetry.gpu;
  const warnings: string[] = [];
  if (gpu.energyMethod === 'power_integral')
    warnings.push('energy_joules_total is an integral of sampled power (no energy counter available)');
  return {
    metrics: {
      power_avg_w: gpu.powerAvgW,
      power_peak_w: gpu.powerPeakW,
      energy_joules_total: gpu.energyJoulesTotal,
      joules_per_token: outputTokens > 0 ? gpu.energyJoulesTotal / outputTokens : null,
      power_under_load_avg_w: gpu.powerUnderLoadAvgW,
      gpu_util_avg_pct: gpu.utilGpuAvgPct,
    },
    warnings,
  };
}
