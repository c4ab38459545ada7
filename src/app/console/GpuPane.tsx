import { Box, Text } from 'ink';
import type { TelemetrySnapshot } from '../../telemetry/types.js';
import { liveJoulesPerToken, totalPowerW } from './breakdown.js';
import { fit, formatInterval, formatJoules, formatJoulesPerToken, formatPct, formatWatts } from './format.js';
import { PaneTitle } from './PaneTitle.js';
import { Sparkline } from './Sparkline.js';
import { useTheme } from './theme.js';

const VALUE_WIDTH = 6;

export interface GpuPaneProps {
  readonly telemetry: TelemetrySnapshot | null;
  readonly tokPerS: number | null;
  readonly width: number;
}

/** Per-GPU power and utilisation sparklines, energy so far and live J/token; or why there are none. */
export function GpuPane({ telemetry, tokPerS, width }: GpuPaneProps) {
  const theme = useTheme();
  if (!telemetry?.gpu.available) {
    const reason = telemetry && !telemetry.gpu.available ? telemetry.gpu.reason : 'telemetry not started';
    return (
      <Box flexDirection="column" width={width}>
        <PaneTitle title="GPU" detail={telemetry ? `source ${telemetry.source}` : undefined} />
        <Text wrap="truncate-end" color={theme.warn}>{`no GPU telemetry: ${reason}`}</Text>
      </Box>
    );
  }
  const gpu = telemetry.gpu;
  const powerW = totalPowerW(telemetry);
  const jPerTok = liveJoulesPerToken(powerW, tokPerS);
  const nameWidth = Math.max(10, Math.min(24, Math.floor(width * 0.2)));
  // name, "power" value, spark, "util" value, spark, separated by single spaces.
  const sparkWidth = Math.max(4, Math.floor((width - nameWidth - 2 * VALUE_WIDTH - 4) / 2));
  return (
    <Box flexDirection="column" width={width}>
      <PaneTitle
        title="GPU"
        detail={`${telemetry.source} · ${gpu.gpus.length} GPU${gpu.gpus.length === 1 ? '' : 's'} · ${formatWatts(powerW)} total · power and utilisation`}
      />
      {gpu.gpus.length === 0 ? <Text dimColor>no GPUs reported</Text> : null}
      {gpu.gpus.map((g) => (
        <Text key={g.index} wrap="truncate-end">
          <Text>{fit(`${g.index} ${g.name}`, nameWidth)} </Text>
          <Text>{fit(formatWatts(g.latest?.powerW), VALUE_WIDTH, 'right')} </Text>
          <Sparkline values={g.powerWSeries} width={sparkWidth} color={theme.warn} />
          <Text> </Text>
          <Text>{fit(formatPct(g.latest?.utilGpuPct, 0), VALUE_WIDTH, 'right')} </Text>
          <Sparkline values={g.utilPctSeries} width={sparkWidth} min={0} max={100} color={theme.ok} />
        </Text>
      ))}
      <Text wrap="truncate-end">
        <Text>{`energy so far ${formatJoules(gpu.energyJ)} · J/token ${formatJoulesPerToken(jPerTok)} (now)`}</Text>
        <Text dimColor>{` · ${gpu.sampleCount} samples @ ${formatInterval(gpu.intervalMs)}`}</Text>
      </Text>
    </Box>
  );
}
