import { Text } from 'ink';
import { useTheme } from './theme.js';

export interface FooterProps {
  readonly readOnly: boolean;
  readonly stopRequested: boolean;
  readonly finished: boolean;
  readonly dropped: readonly string[];
  readonly seq: number | null;
}

/** One line of key hints; names the panes that did not fit. */
export function Footer({ readOnly, stopRequested, finished, dropped, seq }: FooterProps) {
  const theme = useTheme();
  let keys = readOnly ? 'q quit watching · ? help' : 'q stop · Ctrl-C twice force quit · ? help';
  if (finished) keys = readOnly ? 'run finished' : 'run finished · writing results';
  else if (stopRequested && !readOnly)
    keys = 'stopping: draining in-flight requests (Ctrl-C again exits at once)';
  const hidden = dropped.length > 0 ? ` · hidden: ${dropped.join(', ')}` : '';
  return (
    <Text wrap="truncate-end">
      <Text color={stopRequested && !finished ? theme.warn : undefined} dimColor={!stopRequested}>
        {keys}
      </Text>
      <Text dimColor>{`${hidden}${seq === null ? '' : ` · snapshot ${seq}`}`}</Text>
    </Text>
  );
}
