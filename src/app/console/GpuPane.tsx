import { Box } from 'ink';
import type { TelemetrySnapshot } from '../../telemetry/types.js';
import { liveJoulesPerToken, totalPowerW } from './breakdown.js';
import { fit, formatInterval, formatJoules, formatJoulesPerToken, formatPct, formatWatts } from './format.js';
import { Line } from './Line.js';
import { PaneTitle } from './PaneTitle.js';
import { sparkSeg } from './spark-seg.js';
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
        <PaneTitle title="GPU" detail={telemetry ? `source ${telemetry.source}` : undefined} width={width} />
        <Line width={width} segs={[{ text: `no GPU telemetry: ${reason}`, color: theme.warn }]} />
      </Box>
    );
  }
  const gpu = telemetry.gpu;
  const powerW = totalPowerW(telemetry);
  const jPerTok = liveJoulesPerToken(powerW, tokPerS);
  const nameWidth = Math.max(10, Math.min(24, Math.floor(width * 0.2)));
  // name, power value, spark, util value, spark, separated by single spaces.
  const sparkWidth = Math.max(4, Math.floor((width - nameWidth - 2 * VALUE_WIDTH - 4) / 2));
  const n = gpu.gpus.length;
  return (
    <Box flexDirection="column" width={width}>
      <PaneTitle
        title="GPU"
        detail={`${telemetry.source} · ${n} GPU${n === 1 ? '' : 's'} · ${formatWatts(powerW)} total · power and utilisation`}
        width={width}
      />
      {n === 0 ? <Line width={width} segs={[{ text: 'no GPUs reported', dim: true }]} /> : null}
      {gpu.gpus.map((g) => (
        <Line
          key={g.index}
          width={width}
          segs={[
            { text: `${fit(`${g.index} ${g.name}`, nameWidth)} ` },
            { text: `${fit(formatWatts(g.latest?.powerW), VALUE_WIDTH, 'right')} ` },
            sparkSeg(g.powerWSeries, sparkWidth, theme.warn),
            { text: ` ${fit(formatPct(g.latest?.utilGpuPct, 0), VALUE_WIDTH, 'right')} ` },
            sparkSeg(g.utilPctSeries, sparkWidth, theme.ok, { min: 0, max: 100 }),
          ]}
        />
      ))}
      <Line
        width={width}
        segs={[
          {
            text: `energy so far ${formatJoules(gpu.energyJ)} · J/token ${formatJoulesPerToken(jPerTok)} (now)`,
          },
          { text: ` · ${gpu.sampleCount} samples @ ${formatInterval(gpu.intervalMs)}`, dim: true },
        ]}
      />
    </Box>
  );
}
