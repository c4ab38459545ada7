// Accuracy over judged questions only (unparsed verdicts and failed judge calls are left out and
// counted), with a Wilson score interval: well-behaved for small n and p near 0 or 1.
import type { Verdict } from './prompt.js';

export const Z95 = 1.959963984540054;

export interface Interval {
  readonly lo: number;
  readonly hi: number;
}

/** Wilson score interval for k successes in n trials. */
export function wilsonInterval(k: number, n: number, z = Z95): Interval | null {
  if (n <= 0) return null;
  const p = k / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denom;
  return { lo: Math.max(0, centre - half), hi: Math.min(1, centre + half) };
}

export interface AccuracySummary {
  /** correct ÷ judged; null when nothing was judged. */
  readonly accuracy: number | null;
  readonly ci: Interval | null;
  readonly judged: number;
  readonly correct: number;
  readonly unparsed: number;
  readonly failed: number;
}

export function summarizeVerdicts(verdicts: readonly (Verdict | 'failed')[]): AccuracySummary {
  let correct = 0;
  let incorrect = 0;
  let unparsed = 0;
  let failed = 0;
  for (const v of verdicts) {
    if (v === 'correct') correct += 1;
    else if (v === 'incorrect') incorrect += 1;
    else if (v === 'unparsed') unparsed += 1;
    else failed += 1;
  }
  const judged = correct + incorrect;
  return {
    accuracy: judged > 0 ? correct / judged : null,
    ci: wilsonInterval(correct, judged),
    judged,
    correct,
    unparsed,
    failed,
  };
}
