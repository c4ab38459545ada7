import { Text } from 'ink';
import { useTheme } from './theme.js';

/** One title line: a bold pane name followed by dim details, truncated to the pane width. */
export function PaneTitle({ title, detail }: { title: string; detail?: string }) {
  const theme = useTheme();
  return (
    <Text wrap="truncate-end">
      <Text bold color={theme.accent}>
        {title}
      </Text>
      {detail ? <Text dimColor>{`  ${detail}`}</Text> : null}
    </Text>
  );
}
