import { Line } from './Line.js';
import { useTheme } from './theme.js';

/** One title line: a bold pane name followed by dim details, cut to the pane width. */
export function PaneTitle({
  title,
  detail,
  width,
}: {
  title: string;
  detail?: string | undefined;
  width: number;
}) {
  const theme = useTheme();
  return (
    <Line
      width={width}
      segs={[
        { text: title, bold: true, color: theme.accent },
        ...(detail ? [{ text: `  ${detail}`, dim: true }] : []),
      ]}
    />
  );
}
