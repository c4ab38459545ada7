import { Box, Text } from 'ink';
import type { ClientHealth as ClientHealthState } from '../../harness/types.js';
import { formatMs, formatPct } from './format.js';
import { useTheme } from './theme.js';

/** The load generator's self-audit: red when it may have distorted the numbers. */
export function ClientHealth({ client }: { client: ClientHealthState | null }) {
  const theme = useTheme();
  if (!client) return <Text dimColor>Client — waiting for the first snapshot</Text>;
  const color = client.distorted ? theme.bad : theme.ok;
  const text =
    `loop delay p99 ${formatMs(client.eventLoopDelayP99Ms)} · pacer lag p99 ${formatMs(client.pacerLagP99Ms)}` +
    ` · client CPU ${formatPct(client.cpuPercent, 0)}`;
  return (
    <Box flexDirection="column">
      <Text wrap="truncate-end">
        <Text bold>{'Client '}</Text>
        <Text color={client.distorted ? theme.bad : undefined}>{text}</Text>
        <Text bold color={color}>
          {client.distorted ? ' · DISTORTED' : ' · ok'}
        </Text>
      </Text>
      {client.distorted && client.reasons.length > 0 ? (
        <Text wrap="truncate-end" color={theme.bad}>
          {`  ${client.reasons.join('; ')}`}
        </Text>
      ) : null}
    </Box>
  );
}
