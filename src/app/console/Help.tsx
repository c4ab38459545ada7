import { Box } from 'ink';
import { Line } from './Line.js';
import { helpLines } from './panes.js';
import { PaneTitle } from './PaneTitle.js';

/** Key help, toggled with `?`. */
export function Help({ readOnly, width }: { readOnly: boolean; width: number }) {
  return (
    <Box flexDirection="column" width={width}>
      <PaneTitle title="Keys" detail="? to close" width={width} />
      {helpLines(readOnly).map((line) => (
        <Line key={line} width={width} segs={[{ text: line }]} />
      ))}
    </Box>
  );
}
