// `bench doctor --show-slo` reads the SLO templates, the hardware classes and their text forms
// from their one home, src/harness/metrics/slo.ts; this module only adapts them to the doctor's
// plain limit lists.
import {
  compactSloText,
  detectHardwareClass,
  HARDWARE_CLASSES,
  loadSloTemplates,
  scaleLimits,
  UNKNOWN_CLASS,
  type HardwareClass,
} from '../../../harness/index.js';

export { detectHardwareClass, HARDWARE_CLASSES, UNKNOWN_CLASS, type HardwareClass };

/** One per-request limit of a template (the harness's `Slo`, kept structural here). */
export interface SloLimit {
  readonly metric: string;
  readonly percentile: number;
  readonly maxMs: number;
}

/** The built-in templates (H100 anchor) as limit lists. */
export const SLO_TEMPLATES: Readonly<Record<string, readonly SloLimit[]>> = Object.fromEntries(
  [...loadSloTemplates().values()].map((t) => [
    t.id,
    t.slos.map(({ metric, percentile, maxMs }) => ({ metric, percentile, maxMs })),
  ]),
);

export function scaleSlo(limits: readonly SloLimit[], multiplier: number): SloLimit[] {
  return scaleLimits(limits, multiplier);
}

/** "ttft<300ms, tpot<50ms": InferenceBench's compact form of the resolved thresholds. */
export function sloResolvedText(limits: readonly SloLimit[]): string {
  return compactSloText(limits);
}
