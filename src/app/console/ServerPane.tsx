import { Box } from 'ink';
import { fit, formatPct } from './format.js';
import { Line } from './Line.js';
import { PaneTitle } from './PaneTitle.js';
import type { ServerLive } from './server-live.js';
import { useTheme } from './theme.js';

export interface ServerPaneProps {
  readonly server: ServerLive | null;
  readonly width: number;
}

function count(value: number | null): string {
  return value === null ? '-' : String(Math.round(value));
}

/** The engine's own view from its /metrics: running/waiting, KV usage, prefix-cache hits, generation rate. */
export function ServerPane({ server, width }: ServerPaneProps) {
  const theme = useTheme();
  if (!server) {
    return (
      <Box flexDirection="column" width={width}>
        <PaneTitle title="Server" width={width} />
        <Line
          width={width}
          segs={[{ text: 'no server metrics: the engine exposes no /metrics', color: theme.warn }]}
        />
      </Box>
    );
  }
  const rate = server.generationTokPerS === null ? '-' : `${server.generationTokPerS.toFixed(0)} tok/s`;
  const waitingColor = server.waiting !== null && server.waiting > 0 ? theme.warn : undefined;
  return (
    <Box flexDirection="column" width={width}>
      <PaneTitle
        title="Server"
        detail={`${server.flavor} /metrics · ${server.scrapes} scrapes`}
        width={width}
      />
      <Line
        width={width}
        segs={[
          { text: `running ${fit(count(server.running), 4, 'right')} · ` },
          {
            text: `waiting ${fit(count(server.waiting), 4, 'right')}`,
            ...(waitingColor ? { color: waitingColor } : {}),
          },
          { text: ` · KV ${formatPct(server.kvUsage === null ? null : server.kvUsage * 100, 1)}` },
          {
            text: ` · prefix hit ${formatPct(server.prefixHitRate === null ? null : server.prefixHitRate * 100, 1)}`,
          },
          { text: ` · gen ${rate}` },
        ]}
      />
    </Box>
  );
}
