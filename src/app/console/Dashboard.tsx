import { Box } from 'ink';
import type { ReactNode } from 'react';
import { ClientHealth } from './ClientHealth.js';
import { Footer } from './Footer.js';
import { Gate } from './Gate.js';
import { GpuPane } from './GpuPane.js';
import { ServerPane } from './ServerPane.js';
import { Header } from './Header.js';
import { Help } from './Help.js';
import { Histogram } from './Histogram.js';
import { Line } from './Line.js';
import { CELL_GAP, planLayout, type Layout, type PaneId } from './layout.js';
import { Outcomes } from './Outcomes.js';
import { paneRequests } from './panes.js';
import { Profiling } from './Profiling.js';
import { SweepTable } from './SweepTable.js';
import { Throughput } from './Throughput.js';
import { useTheme } from './theme.js';
import type { ConsoleState } from './types.js';

export const HISTOGRAM_MIN_ROWS = 3;
export const HISTOGRAM_MAX_ROWS = 12;

/** Bucket rows the histograms can fill: the span of non-empty buckets, at least the minimum. */
function histogramSpan(state: ConsoleState): number {
  let span = 0;
  for (const view of [state.harness?.ttft, state.harness?.tpot]) {
    if (!view) continue;
    const first = view.counts.findIndex((c) => c > 0);
    if (first < 0) continue;
    let last = view.counts.length - 1;
    while (last > first && (view.counts[last] ?? 0) === 0) last -= 1;
    span = Math.max(span, last - first + 1);
  }
  return Math.max(HISTOGRAM_MIN_ROWS, Math.min(HISTOGRAM_MAX_ROWS, span));
}

export function dashboardLayout(state: ConsoleState, columns: number, rows: number): Layout {
  return planLayout({
    columns,
    rows,
    panes: paneRequests(state),
    histogram: { minRows: HISTOGRAM_MIN_ROWS, maxRows: histogramSpan(state) },
  });
}

function Pane({
  id,
  state,
  width,
  layout,
}: {
  id: PaneId;
  state: ConsoleState;
  width: number;
  layout: Layout;
}): ReactNode {
  const h = state.harness;
  switch (id) {
    case 'header':
      return (
        <Header
          meta={state.meta}
          harness={h}
          readOnly={state.readOnly}
          stopRequested={state.stopRequested}
          finished={state.finished}
          width={width}
        />
      );
    case 'notice':
      return <Notice text={state.notice ?? ''} width={width} />;
    case 'help':
      return <Help readOnly={state.readOnly} width={width} />;
    case 'throughput':
      return (
        <Box flexDirection="column" width={width}>
          <Throughput harness={h} width={width} />
          <Outcomes harness={h} width={width} />
        </Box>
      );
    case 'ttft':
      return <Histogram title="TTFT" view={h?.ttft ?? null} width={width} rows={layout.histogramRows} />;
    case 'tpot':
      return <Histogram title="TPOT" view={h?.tpot ?? null} width={width} rows={layout.histogramRows} />;
    case 'gate':
      return <Gate gate={h?.gate ?? null} width={width} />;
    case 'client':
      return <ClientHealth client={h?.client ?? null} width={width} />;
    case 'gpu':
      return <GpuPane telemetry={state.telemetry} tokPerS={h?.tokPerS ?? null} width={width} />;
    case 'server':
      return <ServerPane server={state.server} width={width} />;
    case 'profiling':
      return <Profiling telemetry={state.telemetry} summary={state.telemetrySummary} width={width} />;
    case 'sweep':
      return <SweepTable rows={state.sweepRows} width={width} finished={state.finished} />;
    case 'footer':
      return (
        <Footer
          readOnly={state.readOnly}
          stopRequested={state.stopRequested}
          finished={state.finished}
          dropped={layout.dropped.filter((d) => d !== 'help' && d !== 'notice')}
          seq={h?.seq ?? null}
          width={width}
        />
      );
    default: {
      const never: never = id;
      return never;
    }
  }
}

function Notice({ text, width }: { text: string; width: number }) {
  const theme = useTheme();
  return <Line width={width} segs={[{ text, bold: true, color: theme.warn }]} />;
}

/** The live frame: panes laid out by `planLayout`, never taller than rows − 1 lines. */
export function Dashboard({ state, columns, rows }: { state: ConsoleState; columns: number; rows: number }) {
  const layout = dashboardLayout(state, columns, rows);
  return (
    <Box flexDirection="column" width={columns}>
      {layout.rows.map((row) => (
        <Box key={row.cells.map((c) => c.panes.join('+')).join('|')} flexDirection="row" height={row.height}>
          {row.cells.map((cell, i) => (
            <Box
              key={cell.panes.join('+')}
              flexDirection="column"
              width={cell.width}
              marginRight={i < row.cells.length - 1 ? CELL_GAP : 0}
            >
              {cell.panes.map((id) => (
                <Pane key={id} id={id} state={state} width={cell.width} layout={layout} />
              ))}
            </Box>
          ))}
        </Box>
      ))}
    </Box>
  );
}
