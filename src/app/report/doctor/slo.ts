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

export interface SloThresholds {
  readonly ttftP99Ms?: number;
  readonly tpotP99Ms?: number;
  readonly totalP99Ms?: number;
}

/** Seed 004's templates (H100 anchor). */
export const SLO_TEMPLATES: Readonly<Record<string, SloThresholds>> = {
  'llm.standard': { ttftP99Ms: 300, tpotP99Ms: 50 },
  'llm.realtime': { ttftP99Ms: 100, tpotP99Ms: 30 },
  'llm.batch': { tpotP99Ms: 200 },
};

export function scaleSlo(template: SloThresholds, multiplier: number): SloThresholds {
  const scale = (v: number | undefined): number | undefined =>
    v === undefined ? undefined : Math.round(v * multiplier * 10) / 10;
  const out: { ttftP99Ms?: number; tpotP99Ms?: number; totalP99Ms?: number } = {};
  const ttft = scale(template.ttftP99Ms);
  const tpot = scale(template.tpotP99Ms);
  const total = scale(template.totalP99Ms);
  if (ttft !== undefined) out.ttftP99Ms = ttft;
  if (tpot !== undefined) out.tpotP99Ms = tpot;
  if (total !== undefined) out.totalP99Ms = total;
  return out;
}

/** "ttft<300ms, tpot<50ms" — the form envelopes record as slo_template_resolved. */
export function sloResolvedText(t: SloThresholds): string {
  const parts: string[] = [];
  if (t.ttftP99Ms !== undefined) parts.push(`ttft<${t.ttftP99Ms}ms`);
  if (t.tpotP99Ms !== undefined) parts.push(`tpot<${t.tpotP99Ms}ms`);
  if (t.totalP99Ms !== undefined) parts.push(`total<${t.totalP99Ms}ms`);
  return parts.join(', ');
}
