// The Python InferenceBench's SLO templates and hardware classes (its code, v0.1.0), as data, so that
// its envelopes are read by their own names: its `llm.standard` is not ours. They differ from ours
// (src/harness/metrics/slo-templates.ts follows the seed's documented table): per-request
// predicates with a strict `<`, judged per request (not on a percentile), a `total` limit, and
// thresholds × the class of the detected hardware. docs/envelope.md lists every difference.

export interface InferenceBenchLimit {
  readonly metric: 'ttft' | 'tpot' | 'total';
  /** Per-request limit before hardware scaling; a request passes when value < maxMs (strict). */
  readonly maxMs: number;
}

export const INFERENCEBENCH_SLO_TEMPLATES: Readonly<Record<string, readonly InferenceBenchLimit[]>> = {
  'llm.standard': [
    { metric: 'ttft', maxMs: 200 },
    { metric: 'tpot', maxMs: 50 },
    { metric: 'total', maxMs: 3000 },
  ],
  'llm.relaxed': [
    { metric: 'ttft', maxMs: 1000 },
    { metric: 'total', maxMs: 10000 },
  ],
};

/** Its class multipliers (H100 = 1.0 anchor); class keys use hyphens (`rtx-4090`). */
export const INFERENCEBENCH_HARDWARE_CLASSES: Readonly<Record<string, number>> = {
  h200: 0.6,
  h100: 1.0,
  a100: 1.5,
  l4: 2.5,
  'rtx-5090': 1.2,
  'rtx-4090': 1.8,
  'rtx-4080': 2.2,
  'rtx-4070': 2.8,
  'rtx-3090': 3.0,
  mi300x: 1.2,
  'm-series': 5.0,
  cpu: 20.0,
};

/**
 * Its thresholds for a template and hardware class, scaled as it scales them; null when the
 * template (or the class) is not one it defines, so the caller can say "unknown".
 */
export function inferenceBenchThresholds(
  templateId: string,
  hardwareClass: string,
): readonly InferenceBenchLimit[] | null {
  const limits = INFERENCEBENCH_SLO_TEMPLATES[templateId];
  const multiplier = INFERENCEBENCH_HARDWARE_CLASSES[hardwareClass];
  if (!limits || multiplier === undefined) return null;
  return limits.map((limit) => ({ metric: limit.metric, maxMs: limit.maxMs * multiplier }));
}

/** Its text form of resolved thresholds, as it records slo_template_resolved: `ttft<200ms, tpot<50ms, total<3000ms`. */
export function inferenceBenchResolvedText(limits: readonly InferenceBenchLimit[]): string {
  return limits.map((limit) => `${limit.metric}<${Number(limit.maxMs.toFixed(3))}ms`).join(', ');
}
