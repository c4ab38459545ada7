import { Box } from 'ink';
import { Line } from './Line.js';
import { cellsOf, columnWidths, tableLine, tableRule, type Column } from './table-format.js';

export type { Column } from './table-format.js';

/** A small box-drawing table (ink-table does not load with ESM Ink). Never wider than maxWidth. */
export function Table<R>({
  rows,
  columns,
  maxWidth,
}: {
  rows: readonly R[];
  columns: readonly Column<R>[];
  maxWidth: number;
}) {
  const cells = cellsOf(rows, columns);
  const widths = columnWidths(columns, cells, maxWidth);
  const headers = columns.map((c) => c.header);
  return (
    <Box flexDirection="column">
      <Line width={maxWidth} segs={[{ text: tableRule(widths, '┌', '┬', '┐'), dim: true }]} />
      <Line width={maxWidth} segs={[{ text: tableLine(headers, columns, widths), bold: true }]} />
      <Line width={maxWidth} segs={[{ text: tableRule(widths, '├', '┼', '┤'), dim: true }]} />
      {cells.map((row, j) => (
        <Line key={j} width={maxWidth} segs={[{ text: tableLine(row, columns, widths) }]} />
      ))}
      <Line width={maxWidth} segs={[{ text: tableRule(widths, '└', '┴', '┘'), dim: true }]} />
    </Box>
  );
}
