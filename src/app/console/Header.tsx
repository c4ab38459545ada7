import type { HarnessSnapshot, Phase } from '../../harness/types.js';
import { formatPhaseClock, PHASE_LABEL } from './format.js';
import { Line } from './Line.js';
import type { Seg } from './segments.js';
import { useTheme, type Theme } from './theme.js';
import type { ConsoleMeta } from './types.js';

function phaseColor(phase: Phase, theme: Theme): string | undefined {
  if (phase === 'measuring') return theme.ok;
  if (phase === 'gate' || phase === 'draining') return theme.warn;
  if (phase === 'done') return theme.accent;
  return theme.muted;
}

export interface HeaderProps {
  readonly meta: ConsoleMeta;
  readonly harness: HarnessSnapshot | null;
  readonly readOnly: boolean;
  readonly stopRequested: boolean;
  readonly finished: boolean;
  readonly width: number;
}

/** Two lines: what is benchmarked (suite, model, engine, host, badges) and where the run stands. */
export function Header({ meta, harness, readOnly, stopRequested, finished, width }: HeaderProps) {
  const theme = useTheme();
  const phase: Phase = finished ? 'done' : (harness?.phase ?? 'starting');
  const clock = harness ? formatPhaseClock(harness, phase) : '—';
  const point = harness
    ? `point ${harness.point.label} (${harness.point.index + 1}/${harness.point.total})`
    : 'point —';
  const first: Seg[] = [{ text: 'inferencebench', bold: true }];
  if (meta.simulated) first.push({ text: ' SIMULATED ', bold: true, inverse: true, color: theme.warn });
  if (readOnly) first.push({ text: ' WATCH ', inverse: true });
  first.push(
    { text: ' ▸ ', dim: true },
    { text: meta.suite, bold: true, color: theme.accent },
    { text: ` · ${meta.model} · ${meta.engine} @ ${meta.endpointHost}` },
  );
  const second: Seg[] = [
    { text: PHASE_LABEL[phase], bold: true, color: phaseColor(phase, theme) },
    { text: ` · ${clock} · ${point}` },
  ];
  if (harness) second.push({ text: ` · in-flight ${harness.inFlight}`, dim: true });
  if (stopRequested && !finished) {
    second.push({ text: readOnly ? ' · detaching…' : ' · stopping…', bold: true, color: theme.warn });
  }
  return (
    <>
      <Line width={width} segs={first} />
      <Line width={width} segs={second} />
    </>
  );
}
