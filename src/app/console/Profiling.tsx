import { Box } from 'ink';
import type { TelemetrySnapshot, TelemetryWindowSummary } from '../../telemetry/types.js';
import { computeBreakdown } from './breakdown.js';
import { formatInterval, formatJoules, formatPct, formatWatts } from './format.js';
import { Line } from './Line.js';
import { PaneTitle } from './PaneTitle.js';
import { useTheme } from './theme.js';

export interface ProfilingProps {
  readonly telemetry: TelemetrySnapshot | null;
  readonly summary: TelemetryWindowSummary | null;
  readonly width: number;
}

/** The profiling breakdown: % time on host, GPU vs CPU+DRAM energy, power under load, sampling. */
export function Profiling({ telemetry, summary, width }: ProfilingProps) {
  const theme = useTheme();
  const b = computeBreakdown(telemetry, summary);
  const basis = b.basis === 'window' ? 'measurement window' : 'live';
  const g = b.gpu;
  const r = b.rapl;
  const line1 = g.available
    ? `host time ${formatPct(g.hostTimePct)} (100 − avg GPU util ${formatPct(g.avgUtilPct)}) · avg power under load ${formatWatts(g.powerUnderLoadW)}`
    : `host time: not available: ${g.reason}`;
  const gpuJ = g.available ? formatJoules(g.energyJ) : 'not available';
  const cpuJ = r.available
    ? `${formatJoules(r.packageJ + (r.dramJ ?? 0))} (package ${formatJoules(r.packageJ)} + DRAM ${r.dramJ === null ? 'n/a' : formatJoules(r.dramJ)})`
    : `not available: ${r.reason}`;
  const gpuSamples = g.available ? `GPU ${g.sampleCount} @ ${formatInterval(g.intervalMs)}` : 'GPU none';
  const raplSamples = r.available ? `RAPL ${r.sampleCount} @ ${formatInterval(r.intervalMs)}` : 'RAPL none';
  return (
    <Box flexDirection="column" width={width}>
      <PaneTitle title="Profiling" detail={basis} width={width} />
      <Line width={width} segs={[{ text: line1, color: g.available ? undefined : theme.warn }]} />
      <Line
        width={width}
        segs={[
          { text: `energy GPU ${gpuJ} · CPU+DRAM ` },
          { text: cpuJ, color: r.available ? undefined : theme.warn },
        ]}
      />
      <Line width={width} segs={[{ text: `samples ${gpuSamples} · ${raplSamples}`, dim: true }]} />
    </Box>
  );
}
