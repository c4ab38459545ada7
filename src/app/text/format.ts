// Plain-text tables and number formatting, one definition for every command (run, trials,
// replay, the envelope commands): no colour, no TTY assumptions — the output is meant for pipes,
// CI logs and docs. (The live console has its own width-aware formats in src/app/console/format.ts.)

export type Align = 'left' | 'right';

export interface Column {
  readonly header: string;
  readonly align?: Align;
}

/**
 * Columns separated by two spaces, right-aligned numbers, and (unless `rule: false`) a dashed
 * rule under the header.
 */
export function renderTable(
  columns: readonly Column[],
  rows: readonly (readonly string[])[],
  options: { readonly rule?: boolean } = {},
): string {
  const widths = columns.map((column, i) =>
    Math.max(column.header.length, ...rows.map((row) => (row[i] ?? '').length)),
  );
  const line = (cells: readonly string[]): string =>
    columns
      .map((column, i) => {
        const cell = cells[i] ?? '';
        const width = widths[i] ?? 0;
        return column.align === 'right' ? cell.padStart(width) : cell.padEnd(width);
      })
      .join('  ')
      .trimEnd();
  const out = [line(columns.map((c) => c.header))];
  if (options.rule !== false) out.push(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) out.push(line(row));
  return out.join('\n');
}

/** Numbers as people read them in a table: 4 significant digits, thousands kept whole. */
export function formatNumber(value: number | undefined | null): string {
  if (value === undefined || value === null || !Number.isFinite(value)) return '-';
  const abs = Math.abs(value);
  if (abs === 0) return '0';
  if (abs >= 1000) return value.toFixed(0);
  if (abs >= 100) return value.toFixed(1);
  if (abs >= 1) return value.toFixed(2);
  if (abs >= 0.001) return value.toFixed(3);
  return value.toExponential(2);
}

export function formatPercent(value: number | undefined | null, digits = 1): string {
  if (value === undefined || value === null || !Number.isFinite(value)) return '-';
  return `${(value * 100).toFixed(digits)}%`;
}

export function formatSigned(value: number | undefined | null): string {
  if (value === undefined || value === null || !Number.isFinite(value)) return '-';
  const text = formatNumber(value);
  return value > 0 ? `+${text}` : text;
}

export function formatSignedPercent(value: number | undefined | null): string {
  if (value === undefined || value === null || !Number.isFinite(value)) return '-';
  const text = `${(value * 100).toFixed(2)}%`;
  return value > 0 ? `+${text}` : text;
}

/** RFC 4180 field quoting. */
export function csvField(value: string | number | undefined | null): string {
  if (value === undefined || value === null) return '';
  const text = typeof value === 'number' ? (Number.isFinite(value) ? String(value) : '') : value;
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(values: readonly (string | number | undefined | null)[]): string {
  return values.map(csvField).join(',');
}

/** `bench run`'s result tables (the seed examples' shape): no rule, first and last column left. */
export function textTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const last = headers.length - 1;
  const columns = headers.map((header, i): Column => ({
    header,
    align: i === 0 || i === last ? 'left' : 'right',
  }));
  return renderTable(columns, rows, { rule: false });
}

/** A metric value in `bench run`'s tables: n/a when missing, thousands whole, else `digits` decimals. */
export function fmt(value: number | string | null | undefined, digits = 2): string {
  if (value === null || value === undefined) return 'n/a';
  if (typeof value === 'string') return value;
  if (!Number.isFinite(value)) return 'n/a';
  if (Math.abs(value) >= 1000) return value.toFixed(0);
  if (Math.abs(value) >= 100) return value.toFixed(1);
  return value.toFixed(digits);
}
