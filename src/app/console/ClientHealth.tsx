import { Box } from 'ink';
import type { ClientHealth as ClientHealthState } from '../../harness/types.js';
import { formatMs, formatPct } from './format.js';
import { Line } from './Line.js';
import { useTheme } from './theme.js';

/** The load generator's self-audit: red when it may have distorted the numbers. */
export function ClientHealth({ client, width }: { client: ClientHealthState | null; width: number }) {
  const theme = useTheme();
  if (!client)
    return <Line width={width} segs={[{ text: 'Client — waiting for the first snapshot', dim: true }]} />;
  const text =
    `loop delay p99 ${formatMs(client.eventLoopDelayP99Ms)} · pacer lag p99 ${formatMs(client.pacerLagP99Ms)}` +
    ` · client CPU ${formatPct(client.cpuPercent, 0)}`;
  return (
    <Box flexDirection="column" width={width}>
      <Line
        width={width}
        segs={[
          { text: 'Client ', bold: true },
          { text, color: client.distorted ? theme.bad : undefined },
          {
            text: client.distorted ? ' · DISTORTED' : ' · ok',
            bold: true,
            color: client.distorted ? theme.bad : theme.ok,
          },
        ]}
      />
      {client.distorted && client.reasons.length > 0 ? (
        <Line width={width} segs={[{ text: `  ${client.reasons.join('; ')}`, color: theme.bad }]} />
      ) : null}
    </Box>
  );
}
