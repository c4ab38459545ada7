import { Box, Text } from 'ink';
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
  maxWidth?: number;
}) {
  const cells = cellsOf(rows, columns);
  const widths = columnWidths(columns, cells, maxWidth);
  return (
    <Box flexDirection="column">
      <Text dimColor wrap="truncate-end">
        {tableRule(widths, '┌', '┬', '┐')}
      </Text>
      <Text bold wrap="truncate-end">
        {tableLine(
          columns.map((c) => c.header),
          columns,
          widths,
        )}
      </Text>
      <Text dimColor wrap="truncate-end">
        {tableRule(widths, '├', '┼', '┤')}
      </Text>
      {cells.map((row, j) => (
        <Text key={j} wrap="truncate-end">
          {tableLine(row, columns, widths)}
        </Text>
      ))}
      <Text dimColor wrap="truncate-end">
        {tableRule(widths, '└', '┴', '┘')}
      </Text>
    </Box>
  );
}
