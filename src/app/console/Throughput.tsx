import { Box, Text } from 'ink';
import type { HarnessSnapshot } from '../../harness/types.js';
import { fit, formatCompact } from './format.js';
import { PaneTitle } from './PaneTitle.js';
import { Sparkline } from './Sparkline.js';

const LABEL_WIDTH = 14;

/** Title + tok/s and req/s lines, each a value and a sparkline of the last samples (1/s). */
export function Throughput({ harness, width }: { harness: HarnessSnapshot | null; width: number }) {
  const sparkWidth = Math.max(0, width - LABEL_WIDTH - 1);
  const detail = harness
    ? `sent ${harness.sent} · done ${harness.done} · in-flight ${harness.inFlight}`
    : 'waiting for the first snapshot…';
  return (
    <Box flexDirection="column" width={width}>
      <PaneTitle title="Throughput" detail={detail} />
      <Text wrap="truncate-end">
        <Text>{fit(`tok/s ${formatCompact(harness?.tokPerS)}`, LABEL_WIDTH)} </Text>
        <Sparkline values={harness?.tokPerSSeries ?? []} width={sparkWidth} />
      </Text>
      <Text wrap="truncate-end">
        <Text>{fit(`req/s ${formatCompact(harness?.reqPerS)}`, LABEL_WIDTH)} </Text>
        <Sparkline values={harness?.reqPerSSeries ?? []} width={sparkWidth} />
      </Text>
    </Box>
  );
}
