// How readers show an envelope's trust state and the flags that make its numbers suspect.
import type { TrustLevel } from '../../envelope/trust.js';
import type { EnvelopeLike } from './envelopeView.js';

/** Table cell for a trust level: problems in capitals so they stand out in a column. */
export function trustCell(level: TrustLevel): string {
  switch (level) {
    case 'trusted':
      return 'trusted';
    case 'untrusted':
      return 'UNTRUSTED signer';
    case 'invalid':
      return 'INVALID';
    case 'unsigned':
      return 'unsigned';
  }
}

function record(value: unknown): Record<string, unknown> | null {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}

/** `run_context.incomplete` is true (the point was stopped early). */
export function isIncomplete(envelope: EnvelopeLike): boolean {
  return record(record(envelope)?.run_context)?.incomplete === true;
}

/** `quality.valid`: false when the run judged its own numbers invalid; null when absent. */
export function qualityValid(envelope: EnvelopeLike): boolean | null {
  const valid = record(record(envelope)?.quality)?.valid;
  return typeof valid === 'boolean' ? valid : null;
}

/** Flags to print beside a row: `incomplete`, `quality invalid`. */
export function envelopeFlags(envelope: EnvelopeLike): string[] {
  const flags: string[] = [];
  if (isIncomplete(envelope)) flags.push('incomplete');
  if (qualityValid(envelope) === false) flags.push('quality invalid');
  return flags;
}
