import { Text } from 'ink';
import type { GateState } from '../../harness/types.js';
import { formatRatioPct } from './format.js';
import { useTheme } from './theme.js';

const SYMBOL: Readonly<Record<GateState['status'], string>> = {
  disabled: '–',
  waiting: '◌',
  converged: '●',
  gave_up: '✗',
};

const LABEL: Readonly<Record<GateState['status'], string>> = {
  disabled: 'disabled',
  waiting: 'waiting',
  converged: 'converged',
  gave_up: 'gave up',
};

/** One line: the convergence gate's status, CoV against the target, and n of the window. */
export function Gate({ gate }: { gate: GateState | null }) {
  const theme = useTheme();
  if (!gate) return <Text dimColor>Gate — waiting for the first snapshot</Text>;
  const color =
    gate.status === 'converged'
      ? theme.ok
      : gate.status === 'gave_up'
        ? theme.bad
        : gate.status === 'waiting'
          ? theme.warn
          : undefined;
  const cmp = gate.cov === null ? ' vs ' : gate.cov <= gate.targetCov ? ' ≤ ' : ' > ';
  const cov =
    gate.status === 'disabled'
      ? ''
      : ` · CoV ${formatRatioPct(gate.cov)}${cmp}${formatRatioPct(gate.targetCov)} target · n ${gate.n}/${gate.window}`;
  const tail = gate.status === 'gave_up' ? ' · measured anyway (flagged)' : '';
  return (
    <Text wrap="truncate-end">
      <Text bold>{'Gate '}</Text>
      <Text bold color={color}>{`${SYMBOL[gate.status]} ${LABEL[gate.status]}`}</Text>
      <Text>{cov}</Text>
      <Text dimColor>{tail}</Text>
    </Text>
  );
}
