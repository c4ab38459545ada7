import { Box, Text } from 'ink';
import { helpLines } from './panes.js';
import { PaneTitle } from './PaneTitle.js';

/** Key help, toggled with `?`. */
export function Help({ readOnly, width }: { readOnly: boolean; width: number }) {
  return (
    <Box flexDirection="column" width={width}>
      <PaneTitle title="Keys" detail="? to close" />
      {helpLines(readOnly).map((line) => (
        <Text key={line} wrap="truncate-end">
          {line}
        </Text>
      ))}
    </Box>
  );
}
