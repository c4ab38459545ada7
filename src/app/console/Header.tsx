import { Text } from 'ink';
import type { HarnessSnapshot, Phase } from '../../harness/types.js';
import { formatDuration, PHASE_LABEL } from './format.js';
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
}

/** Two lines: what is benchmarked (suite, model, engine, host, badges) and where the run stands. */
export function Header({ meta, harness, readOnly, stopRequested, finished }: HeaderProps) {
  const theme = useTheme();
  const phase: Phase = finished ? 'done' : (harness?.phase ?? 'starting');
  const elapsed = harness ? formatDuration(harness.elapsedS) : '—';
  const duration = harness?.durationS != null ? ` / ${formatDuration(harness.durationS)}` : '';
  const point = harness
    ? `point ${harness.point.label} (${harness.point.index + 1}/${harness.point.total})`
    : 'point —';
  return (
    <>
      <Text wrap="truncate-end">
        <Text bold>inferencebench</Text>
        {meta.simulated ? (
          <Text bold inverse color={theme.warn}>
            {' SIMULATED '}
          </Text>
        ) : null}
        {readOnly ? <Text inverse>{' WATCH '}</Text> : null}
        <Text dimColor>{' ▸ '}</Text>
        <Text bold color={theme.accent}>
          {meta.suite}
        </Text>
        <Text>{` · ${meta.model} · ${meta.engine} @ ${meta.endpointHost}`}</Text>
      </Text>
      <Text wrap="truncate-end">
        <Text bold color={phaseColor(phase, theme)}>
          {PHASE_LABEL[phase]}
        </Text>
        <Text>{` · ${elapsed}${duration} · ${point}`}</Text>
        {harness ? <Text dimColor>{` · in-flight ${harness.inFlight}`}</Text> : null}
        {stopRequested && !finished ? (
          <Text bold color={theme.warn}>
            {readOnly ? ' · detaching…' : ' · stopping…'}
          </Text>
        ) : null}
      </Text>
    </>
  );
}
