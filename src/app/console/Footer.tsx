import { Line } from './Line.js';
import { useTheme } from './theme.js';

export interface FooterProps {
  readonly readOnly: boolean;
  readonly stopRequested: boolean;
  readonly finished: boolean;
  readonly dropped: readonly string[];
  readonly seq: number | null;
  readonly width: number;
}

/** One line of key hints; names the panes that did not fit. */
export function Footer({ readOnly, stopRequested, finished, dropped, seq, width }: FooterProps) {
  const theme = useTheme();
  let keys = readOnly ? 'q quit watching · ? help' : 'q stop · Ctrl-C twice force quit · ? help';
  if (finished) keys = readOnly ? 'run finished' : 'run finished · writing results';
  else if (stopRequested && !readOnly)
    keys = 'stopping: draining in-flight requests (Ctrl-C again exits at once)';
  const hidden = dropped.length > 0 ? ` · hidden: ${dropped.join(', ')}` : '';
  const stopping = stopRequested && !finished;
  return (
    <Line
      width={width}
      segs={[
        { text: keys, dim: !stopping, color: stopping ? theme.warn : undefined },
        { text: `${hidden}${seq === null ? '' : ` · snapshot ${seq}`}`, dim: true },
      ]}
    />
  );
}
