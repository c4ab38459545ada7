import { Box } from 'ink';
import type { HarnessSnapshot } from '../../harness/types.js';
import { fit, formatCompact } from './format.js';
import { Line } from './Line.js';
import { PaneTitle } from './PaneTitle.js';
import { sparkSeg } from './spark-seg.js';
import { useTheme } from './theme.js';

const LABEL_WIDTH = 14;

/** Title + tok/s and req/s lines, each a value and a sparkline of the last samples (1/s). */
export function Throughput({ harness, width }: { harness: HarnessSnapshot | null; width: number }) {
  const theme = useTheme();
  const sparkWidth = Math.max(0, width - LABEL_WIDTH - 1);
  const detail = harness
    ? `sent ${harness.sent} · done ${harness.done} · in-flight ${harness.inFlight}`
    : 'waiting for the first snapshot…';
  return (
    <Box flexDirection="column" width={width}>
      <PaneTitle title="Throughput" detail={detail} width={width} />
      <Line
        width={width}
        segs={[
          { text: `${fit(`tok/s ${formatCompact(harness?.tokPerS)}`, LABEL_WIDTH)} ` },
          sparkSeg(harness?.tokPerSSeries ?? [], sparkWidth, theme.spark),
        ]}
      />
      <Line
        width={width}
        segs={[
          { text: `${fit(`req/s ${formatCompact(harness?.reqPerS)}`, LABEL_WIDTH)} ` },
          sparkSeg(harness?.reqPerSSeries ?? [], sparkWidth, theme.spark),
        ]}
      />
    </Box>
  );
}
