import { Box } from 'ink';
import type { HistogramView } from '../../harness/types.js';
import { fit, formatMs } from './format.js';
import { bar, histogramRows } from './histogram-rows.js';
import { Line } from './Line.js';
import { PaneTitle } from './PaneTitle.js';
import type { Seg } from './segments.js';
import { useTheme } from './theme.js';

const LABEL_WIDTH = 8;
const COUNT_WIDTH = 6;
const MARKER_WIDTH = 9;

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
      <PaneTitle title={title} detail={detail} width={width} />
      {lines.length === 0 ? (
        <Line width={width} segs={[{ text: 'waiting for completed requests…', dim: true }]} />
      ) : null}
      {lines.map((row) => {
        const segs: Seg[] = [
          { text: `${fit(formatMs(row.loMs), LABEL_WIDTH, 'right')} `, dim: true },
          {
            text: bar(row.fraction, barWidth).padEnd(barWidth),
            color: row.hasP99 ? theme.p99 : row.hasP50 ? theme.p50 : theme.spark,
          },
          { text: `${fit(String(row.count), COUNT_WIDTH, 'right')} ` },
        ];
        if (row.hasP50) segs.push({ text: '◂p50', bold: true, color: theme.p50 });
        if (row.hasP99) segs.push({ text: row.hasP50 ? ' ◂p99' : '◂p99', bold: true, color: theme.p99 });
        return <Line key={row.loMs} width={width} segs={segs} />;
      })}
      {Array.from({ length: padding }, (_, i) => (
        <Line key={`pad-${i}`} width={width} segs={[]} />
      ))}
    </Box>
  );
}
