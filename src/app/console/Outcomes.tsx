import { Box } from 'ink';
import type { HarnessSnapshot } from '../../harness/types.js';
import { formatRatioPct } from './format.js';
import { Line } from './Line.js';
import { useTheme } from './theme.js';

/** Errors by code, most frequent first: "http_500 ×3 · reset ×1". */
export function formatErrorsByCode(errorsByCode: Readonly<Record<string, number>>): string {
  return Object.entries(errorsByCode)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([code, n]) => `${code} ×${n}`)
    .join(' · ');
}

/** ok / failed counts, the ok rate, and (when any) a line of errors by code. */
export function Outcomes({ harness, width }: { harness: HarnessSnapshot | null; width: number }) {
  const theme = useTheme();
  if (!harness) return <Line width={width} segs={[{ text: 'ok — · failed —', dim: true }]} />;
  const finished = harness.ok + harness.failed;
  const okRate = finished > 0 ? harness.ok / finished : null;
  const errors = formatErrorsByCode(harness.errorsByCode);
  return (
    <Box flexDirection="column" width={width}>
      <Line
        width={width}
        segs={[
          { text: `ok ${harness.ok}`, color: theme.ok },
          { text: ' · ' },
          { text: `failed ${harness.failed}`, color: harness.failed > 0 ? theme.bad : undefined },
          { text: ` · ok rate ${formatRatioPct(okRate)}` },
        ]}
      />
      {Object.keys(harness.errorsByCode).length > 0 ? (
        <Line width={width} segs={[{ text: `errors: ${errors || 'none'}`, color: theme.bad }]} />
      ) : null}
    </Box>
  );
}
