import { Box } from 'ink';
import { PaneTitle } from './PaneTitle.js';
import { SWEEP_COLUMNS } from './sweep-format.js';
import { Table } from './Table.js';
import type { SweepRow } from './types.js';

/** The sweep table: one row per finished point. */
export function SweepTable({
  rows,
  width,
  finished,
}: {
  rows: readonly SweepRow[];
  width: number;
  finished: boolean;
}) {
  return (
    <Box flexDirection="column" width={width}>
      <PaneTitle
        title="Sweep"
        detail={`${rows.length} point${rows.length === 1 ? '' : 's'}${finished ? ' · run finished' : ''}`}
        width={width}
      />
      <Table rows={rows} columns={SWEEP_COLUMNS} maxWidth={width} />
    </Box>
  );
}
