// One-line progress for headless output (`bench watch` without a TTY, `--no-tui` runs). Pure.
import type { HarnessSnapshot } from '../../harness/types.js';
import { formatCompact, formatDuration, formatMs, formatRatioPct, PHASE_LABEL } from '../console/format.js';

export function formatProgressLine(harness: HarnessSnapshot | null): string {
  if (!harness) return 'waiting for the first snapshot…';
  const p = harness.point;
  const durationS = harness.durationS ?? null;
  const duration = durationS !== null ? `/${formatDuration(durationS)}` : '';
  // The duration is the measurement window's: show time into the window once it is open, capped at
  // the planned length as the console does (a trace's window waits for its last responses).
  const inWindow = harness.windowElapsedS ?? null;
  const clock =
    inWindow !== null
      ? `${formatDuration(durationS !== null ? Math.min(inWindow, durationS) : inWindow)}${duration} (point ${formatDuration(harness.elapsedS)})`
      : `${formatDuration(harness.elapsedS)}${duration}`;
  const finished = harness.ok + harness.failed;
  const gate = harness.gate.status === 'disabled' ? '' : ` · gate ${harness.gate.status.replace('_', ' ')}`;
  const distorted = harness.client.distorted ? ' · CLIENT DISTORTED' : '';
  return (
    `[${p.label} ${p.index + 1}/${p.total}] ${PHASE_LABEL[harness.phase]} ${clock}` +
    ` · ${formatCompact(harness.tokPerS)} tok/s · ${formatCompact(harness.reqPerS)} req/s` +
    ` · ok ${harness.ok} failed ${harness.failed} (${formatRatioPct(finished > 0 ? harness.ok / finished : null)})` +
    ` · TTFT p50 ${formatMs(harness.ttft.p50Ms)} p99 ${formatMs(harness.ttft.p99Ms)}` +
    ` · TPOT p50 ${formatMs(harness.tpot.p50Ms)}${gate}${distorted}`
  );
}
