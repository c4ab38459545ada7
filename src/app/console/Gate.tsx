import type { GateState } from '../../harness/types.js';
import { formatRatioPct } from './format.js';
import { Line } from './Line.js';
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
export function Gate({ gate, width }: { gate: GateState | null; width: number }) {
  const theme = useTheme();
  if (!gate)
    return <Line width={width} segs={[{ text: 'Gate — waiting for the first snapshot', dim: true }]} />;
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
    <Line
      width={width}
      segs={[
        { text: 'Gate ', bold: true },
        { text: `${SYMBOL[gate.status]} ${LABEL[gate.status]}`, bold: true, color },
        { text: cov },
        { text: tail, dim: true },
      ]}
    />
  );
}
