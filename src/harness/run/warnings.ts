// The warning rules of a finished point: a pure function of its facts, table-tested
// (test/unit/harness/point-warnings.test.ts). Warnings raised while the point runs (the gate gave
// up, the drain grace ran out) come from the phase machine and the runner, before these.

export interface PointFacts {
  /** Budget overruns reported by the self-audit (main thread, pacer, CPU, load workers). */
  readonly auditReasons: readonly string[];
  /** The steady-state rule's minimum (2·c for the built-in closed loop); null when it does not apply. */
  readonly steadyStateRequired: number | null;
  readonly measured: number;
  readonly ok: number;
  readonly incomplete: boolean;
  /** Requests behind the TTFT percentiles. */
  readonly ttftN: number;
  /** Share of token events that arrived several per socket read; null when unknown. */
  readonly coalescedFraction: number | null;
  /** Distributions whose percentiles come from the log histogram (more samples than kept exactly). */
  readonly binned: readonly string[];
  /** Requests whose output length was counted from events (the server sent no usage). */
  readonly oslCounted: number;
  /** Open loop: the offered-vs-achieved warning (checkOfferedRate), null when within noise. */
  readonly rateWarning?: string | null;
  /** Trace replay that stopped before its last entry (--duration, --num-requests, a user stop). */
  readonly traceSkipped?: {
    readonly skipped: number;
    readonly entries: number;
    readonly windowS: number;
  } | null;
  /** Open loop with material client queue delay: the numbers the warning names. */
  readonly queueDelay?: {
    readonly p99Ms: number;
    readonly ttftP99Ms: number | null;
    readonly ttftSchedP99Ms: number | null;
  } | null;
}

/** p99 values on fewer requests than this are flagged. */
export const P99_MIN_N = 1000;
/** Above this share of coalesced token events, low ITL percentiles are not resolvable. */
export const COALESCED_WARN_FRACTION = 0.1;

export function steadyStateOk(facts: Pick<PointFacts, 'steadyStateRequired' | 'measured'>): boolean {
  return facts.steadyStateRequired === null || facts.measured >= facts.steadyStateRequired;
}

export function pointWarnings(facts: PointFacts): string[] {
  const warnings: string[] = [];
  for (const reason of facts.auditReasons)
    warnings.push(`generator self-audit: ${reason}; results may be distorted`);
  if (!steadyStateOk(facts)) {
    warnings.push(
      `steady-state rule: measured ${facts.measured} requests, fewer than 2·c = ${facts.steadyStateRequired}; lengthen the duration`,
    );
  }
  if (facts.incomplete) warnings.push('point stopped early by the user: results are incomplete');
  if (facts.queueDelay) {
    const q = facts.queueDelay;
    warnings.push(
      `client queue delay p99 ${ms(q.p99Ms)} ms: requests waited before they were sent, which ttft ` +
        `(p99 ${ms(q.ttftP99Ms)} ms) does not show — ttft_sched p99 is ${ms(q.ttftSchedP99Ms)} ms; ` +
        'the SLO verdict and goodput use ttft_sched and total_sched',
    );
  }
  if (facts.rateWarning) warnings.push(facts.rateWarning);
  if (facts.traceSkipped) {
    const t = facts.traceSkipped;
    warnings.push(
      `trace replay ended after ${t.windowS.toFixed(1)} s with ${t.skipped} of ${t.entries} entries not sent: ` +
        'the results cover only the start of the trace',
    );
  }
  if (facts.measured === 0) warnings.push('no request was measured in the window');
  else if (facts.ok === 0) warnings.push('no successful request in the window');
  if (facts.ttftN > 0 && facts.ttftN < P99_MIN_N) {
    warnings.push(
      `p99 values rest on n = ${facts.ttftN} requests (< ${P99_MIN_N}): read them with their CIs`,
    );
  }
  if (facts.coalescedFraction !== null && facts.coalescedFraction > COALESCED_WARN_FRACTION) {
    warnings.push(
      `${(facts.coalescedFraction * 100).toFixed(0)} % of token events arrived several per socket read and share a timestamp: gaps below the read interval are not resolvable (icl/itl low percentiles read 0)`,
    );
  }
  if (facts.binned.length > 0) {
    warnings.push(
      `${facts.binned.join(', ')}: more samples than are kept exactly; their percentiles come from a log histogram (values within 0.034 %)`,
    );
  }
  if (facts.oslCounted > 0) {
    warnings.push(
      `the server sent no usage for ${facts.oslCounted} request(s): their osl was counted from events`,
    );
  }
  return warnings;
}

const ms = (v: number | null): string => (v === null ? 'n/a' : String(Number(v.toPrecision(4))));
