// `bench doctor --show-slo`: the detected hardware class and the llm.standard thresholds scaled
// for it. Templates are anchored to an H100 (×1.0); slower classes get proportionally looser
// latency targets so an SLO means "as good as this hardware can reasonably do".

export interface HardwareClass {
  readonly id: string;
  readonly label: string;
  /** Matched against the NVML device name, case-insensitive. */
  readonly pattern: RegExp;
  readonly multiplier: number;
}

/** Order matters: first match wins (H200 before H100, etc.). */
export const HARDWARE_CLASSES: readonly HardwareClass[] = [
  { id: 'gb200', label: 'GB200', pattern: /gb200/i, multiplier: 0.6 },
  { id: 'b200', label: 'B200', pattern: /\bb200\b/i, multiplier: 0.6 },
  { id: 'h200', label: 'H200', pattern: /h200/i, multiplier: 0.85 },
  { id: 'h100', label: 'H100', pattern: /h100|h800|gh200/i, multiplier: 1.0 },
  { id: 'a100', label: 'A100', pattern: /a100|a800/i, multiplier: 1.4 },
  { id: 'l40s', label: 'L40S', pattern: /l40s/i, multiplier: 1.8 },
  { id: 'rtx4090', label: 'RTX 4090', pattern: /4090/i, multiplier: 1.8 },
  { id: 'a10g', label: 'A10G', pattern: /a10g?\b/i, multiplier: 2.5 },
  { id: 'l4', label: 'L4', pattern: /\bl4\b/i, multiplier: 3.0 },
];

export const UNKNOWN_CLASS: HardwareClass = {
  id: 'unknown',
  label: 'unknown (H100 anchor used)',
  pattern: /$^/,
  multiplier: 1.0,
};

export function detectHardwareClass(gpuNames: readonly string[]): HardwareClass {
  for (const name of gpuNames) {
    const found = HARDWARE_CLASSES.find((c) => c.pattern.test(name));
    if (found) return found;
  }
  return UNKNOWN_CLASS;
}

/** One per-request limit of a template (the harness's `Slo`, kept structural here). */
export interface SloLimit {
  readonly metric: string;
  readonly percentile: number;
  readonly maxMs: number;
}

/** Seed 004's templates (H100 anchor); used when the harness's template file is not available. */
export const SLO_TEMPLATES: Readonly<Record<string, readonly SloLimit[]>> = {
  'llm.standard': [
    { metric: 'ttft', percentile: 99, maxMs: 300 },
    { metric: 'tpot', percentile: 99, maxMs: 50 },
  ],
  'llm.realtime': [
    { metric: 'ttft', percentile: 99, maxMs: 100 },
    { metric: 'tpot', percentile: 99, maxMs: 30 },
  ],
  'llm.batch': [{ metric: 'tpot', percentile: 99, maxMs: 200 }],
};

export function scaleSlo(limits: readonly SloLimit[], multiplier: number): SloLimit[] {
  return limits.map((l) => ({ ...l, maxMs: Math.round(l.maxMs * multiplier * 10) / 10 }));
}

/** "ttft<300ms, tpot<50ms" — the form envelopes record as slo_template_resolved. */
export function sloResolvedText(limits: readonly SloLimit[]): string {
  return limits.map((l) => `${l.metric}<${l.maxMs}ms`).join(', ');
}
