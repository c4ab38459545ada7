// Column maths for the box-drawing Table and the static sweep lines (pure).

export interface Column<R> {
  readonly header: string;
  readonly align?: 'left' | 'right';
  readonly value: (row: R) => string;
}

export function cellsOf<R>(rows: readonly R[], columns: readonly Column<R>[]): string[][] {
  return rows.map((row) => columns.map((c) => c.value(row)));
}

/**
 * Natural column widths; when the table (with its │ borders) is wider than maxWidth, the widest
 * columns shrink first (cells are then cut with …).
 */
export function columnWidths<R>(
  columns: readonly Column<R>[],
  cells: readonly string[][],
  maxWidth = Number.POSITIVE_INFINITY,
): number[] {
  const widths = columns.map((c, i) =>
    Math.max(c.header.length, ...cells.map((row) => (row[i] ?? '').length)),
  );
  const chrome = 3 * columns.length + 1;
  let excess = widths.reduce((a, b) => a + b, 0) + chrome - maxWidth;
  while (excess > 0) {
    let widest = 0;
    widths.forEach((w, i) => {
      if (w > (widths[widest] ?? 0)) widest = i;
    });
    if ((widths[widest] ?? 0) <= 3) break;
    widths[widest] = (widths[widest] ?? 0) - 1;
    excess -= 1;
  }
  return widths;
}

function pad(text: string, width: number, align: 'left' | 'right' | undefined): string {
  const cut = text.length > width ? `${text.slice(0, Math.max(0, width - 1))}…` : text;
  return align === 'right' ? cut.padStart(width) : cut.padEnd(width);
}

export function tableRule(widths: readonly number[], left: string, mid: string, right: string): string {
  return left + widths.map((w) => '─'.repeat(w + 2)).join(mid) + right;
}

export function tableLine<R>(
  cells: readonly string[],
  columns: readonly Column<R>[],
  widths: readonly number[],
): string {
  return `│ ${cells.map((c, i) => pad(c, widths[i] ?? 0, columns[i]?.align)).join(' │ ')} │`;
}

/** The whole table as text lines (top rule, header, separator, rows, bottom rule). */
export function renderTableLines<R>(
  rows: readonly R[],
  columns: readonly Column<R>[],
  maxWidth?: number,
): string[] {
  const cells = cellsOf(rows, columns);
  const widths = columnWidths(columns, cells, maxWidth);
  return [
    tableRule(widths, '┌', '┬', '┐'),
    tableLine(
      columns.map((c) => c.header),
      columns,
      widths,
    ),
    tableRule(widths, '├', '┼', '┤'),
    ...cells.map((row) => tableLine(row, columns, widths)),
    tableRule(widths, '└', '┴', '┘'),
  ];
}
