// Sweep table columns, shared by the live table, the static lines and `bench watch` headless output.
import { formatCompact, formatJoulesPerToken, formatMs, formatRatioPct } from './format.js';
import type { Column } from './table-format.js';
import type { SweepRow } from './types.js';

export const SWEEP_COLUMNS: readonly Column<SweepRow>[] = [
  { header: 'point', value: (r) => r.point },
  { header: 'tok/s', align: 'right', value: (r) => formatCompact(r.throughputTokPerS) },
  { header: 'TTFT p50', align: 'right', value: (r) => formatMs(r.ttftP50Ms) },
  { header: 'TPOT p50', align: 'right', value: (r) => formatMs(r.tpotP50Ms) },
  { header: 'ok rate', align: 'right', value: (r) => formatRatioPct(r.okRate) },
  { header: 'J/token', align: 'right', value: (r) => formatJoulesPerToken(r.joulesPerToken) },
  { header: 'envelope', value: (r) => r.envelope },
];

/** Fixed widths for static (one line per finished point) output: rows arrive one at a time. */
export const SWEEP_STATIC_WIDTHS: readonly number[] = [8, 8, 9, 9, 7, 11, 24];

function pad(text: string, width: number, align: 'left' | 'right' | undefined): string {
  const cut = text.length > width ? `${text.slice(0, Math.max(0, width - 1))}…` : text;
  return align === 'right' ? cut.padStart(width) : cut.padEnd(width);
}

/** One line of the static sweep log, header or row. The envelope column is never cut. */
export function sweepStaticLine(row: SweepRow | 'header'): string {
  return SWEEP_COLUMNS.map((c, i) => {
    const text = row === 'header' ? c.header : c.value(row);
    const width = SWEEP_STATIC_WIDTHS[i] ?? 8;
    return i === SWEEP_COLUMNS.length - 1 ? text : pad(text, width, c.align);
  }).join('  ');
}
