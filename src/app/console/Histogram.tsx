import { Box, Text } from 'ink';
import type { HistogramView } from '../../harness/types.js';
import { fit, formatMs } from './format.js';
import { bar, histogramRows } from './histogram-rows.js';
import { PaneTitle } from './PaneTitle.js';
import { useTheme } from './theme.js';

const LABEL_WIDTH = 8;
const COUNT_WIDTH = 6;
const MARKER_WIDTH = 8;

export interface HistogramProps {
  readonly title: string;
  readonly view: HistogramView | null;
  readonly width: number;
  /** Bucket rows to render (the pane is exactly rows + 1 lines). */
  readonly rows: number;
}

/** A log-bucketed latency histogram as horizontal bars, with the p50 and p99 rows marked. */
export function Histogram({ title, view, width, rows }: HistogramProps) {
  const theme = useTheme();
  const detail = view
    ? `n ${view.n} · p50 ${formatMs(view.p50Ms)} · p99 ${formatMs(view.p99Ms)}`
    : 'no data yet';
  const barWidth = Math.max(1, width - LABEL_WIDTH - COUNT_WIDTH - MARKER_WIDTH - 2);
  const lines = view ? histogramRows(view, rows) : [];
  const padding = Math.max(0, rows - lines.length - (lines.length === 0 ? 1 : 0));
  return (
    <Box flexDirection="column" width={width}>
      <PaneTitle title={title} detail={detail} />
      {lines.length === 0 ? <Text dimColor>waiting for completed requests…</Text> : null}
      {lines.map((row) => (
        <Text key={row.loMs} wrap="truncate-end">
          <Text dimColor>{fit(formatMs(row.loMs), LABEL_WIDTH, 'right')} </Text>
          <Text color={row.hasP99 ? theme.p99 : row.hasP50 ? theme.p50 : theme.spark}>
            {bar(row.fraction, barWidth).padEnd(barWidth)}
          </Text>
          <Text>{fit(String(row.count), COUNT_WIDTH, 'right')} </Text>
          {row.hasP50 ? (
            <Text bold color={theme.p50}>
              {'◂p50'}
            </Text>
          ) : null}
          {row.hasP99 ? (
            <Text bold color={theme.p99}>
              {'◂p99'}
            </Text>
          ) : null}
        </Text>
      ))}
      {Array.from({ length: padding }, (_, i) => (
        <Text key={`pad-${i}`}> </Text>
      ))}
    </Box>
  );
}
