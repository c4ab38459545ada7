// Pure formatters for the console: short, fixed-ish width strings with units.

import type { HarnessSnapshot, Phase } from '../../harness/types.js';

const DASH = '—';

export const PHASE_LABEL: Readonly<Record<Phase, string>> = {
  starting: 'starting',
  warmup: 'warm-up',
  gate: 'gate',
  measuring: 'measuring',
  draining: 'draining',
  done: 'done',
};

function finite(value: number | null | undefined): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** Milliseconds with 3 significant digits: 0.42ms, 12.3ms, 456ms, 1.23s, 12.3s. */
export function formatMs(valueMs: number | null | undefined): string {
  if (!finite(valueMs)) return DASH;
  const abs = Math.abs(valueMs);
  if (abs >= 10_000) return `${(valueMs / 1000).toFixed(1)}s`;
  if (abs >= 1000) return `${(valueMs / 1000).toFixed(2)}s`;
  if (abs >= 100) return `${valueMs.toFixed(0)}ms`;
  if (abs >= 10) return `${valueMs.toFixed(1)}ms`;
  return `${valueMs.toFixed(2)}ms`;
}

/** A rate or count with k/M suffixes: 950, 1.23k, 12.3k, 123k, 1.23M. */
export function formatCompact(value: number | null | undefined): string {
  if (!finite(value)) return DASH;
  const abs = Math.abs(value);
  if (abs >= 1e6) return `${(value / 1e6).toFixed(abs >= 1e7 ? 1 : 2)}M`;
  if (abs >= 1e5) return `${(value / 1e3).toFixed(0)}k`;
  if (abs >= 1e4) return `${(value / 1e3).toFixed(1)}k`;
  if (abs >= 1e3) return `${(value / 1e3).toFixed(2)}k`;
  if (abs >= 100 || Number.isInteger(value)) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

/** A ratio 0..1 as a percentage: 0.995 → "99.5%". */
export function formatRatioPct(ratio: number | null | undefined, digits = 1): string {
  if (!finite(ratio)) return DASH;
  return `${(ratio * 100).toFixed(digits)}%`;
}

/** A value already in percent: 42.123 → "42.1%". */
export function formatPct(pct: number | null | undefined, digits = 1): string {
  if (!finite(pct)) return DASH;
  return `${pct.toFixed(digits)}%`;
}

export function formatWatts(watts: number | null | undefined): string {
  if (!finite(watts)) return DASH;
  return watts >= 100 ? `${watts.toFixed(0)}W` : `${watts.toFixed(1)}W`;
}

/** Energy: 950J, 12.3kJ, 1.23MJ. */
export function formatJoules(joules: number | null | undefined): string {
  if (!finite(joules)) return DASH;
  const abs = Math.abs(joules);
  if (abs >= 1e6) return `${(joules / 1e6).toFixed(2)}MJ`;
  if (abs >= 1e4) return `${(joules / 1e3).toFixed(1)}kJ`;
  if (abs >= 1e3) return `${(joules / 1e3).toFixed(2)}kJ`;
  return `${joules.toFixed(abs >= 100 ? 0 : 1)}J`;
}

/** Joules per token, in mJ below 1 J: 0.0123 → "12.3mJ/tok". */
export function formatJoulesPerToken(jPerTok: number | null | undefined): string {
  if (!finite(jPerTok)) return DASH;
  if (Math.abs(jPerTok) < 1) {
    const mJ = jPerTok * 1000;
    return `${mJ >= 100 ? mJ.toFixed(0) : mJ >= 10 ? mJ.toFixed(1) : mJ.toFixed(2)}mJ/tok`;
  }
  return `${jPerTok.toFixed(2)}J/tok`;
}

/** Seconds as m:ss or h:mm:ss. */
export function formatDuration(seconds: number | null | undefined): string {
  if (!finite(seconds) || seconds < 0) return DASH;
  const total = Math.floor(seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** Sampling interval: 100ms, 1.0s. */
export function formatInterval(intervalMs: number | null | undefined): string {
  if (!finite(intervalMs)) return DASH;
  return intervalMs >= 1000 ? `${(intervalMs / 1000).toFixed(1)}s` : `${intervalMs.toFixed(0)}ms`;
}

/** Pads or cuts a string to exactly `width` characters (cut strings end with …). */
export function fit(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  if (width <= 0) return '';
  if (text.length > width) return width === 1 ? '…' : `${text.slice(0, width - 1)}…`;
  return align === 'right' ? text.padStart(width) : text.padEnd(width);
}

/**
 * The header's clock. `--duration` is the measurement window's, so it is only ever set against
 * time in the window (never `measuring · 0:36 / 0:05` counting warm-up and gate): before the
 * window opens the clock shows time in the phase (the gate with its time bound), and a snapshot
 * without window time shows the point's elapsed time alone.
 */
export function formatPhaseClock(harness: HarnessSnapshot, phase: Phase): string {
  const durationS = harness.durationS ?? null;
  const windowS = harness.windowElapsedS ?? null;
  if (phase === 'measuring' || phase === 'draining' || phase === 'done') {
    if (windowS === null) return formatDuration(harness.elapsedS);
    if (durationS === null) return formatDuration(windowS);
    return `${formatDuration(Math.min(windowS, durationS))} / ${formatDuration(durationS)}`;
  }
  if (phase === 'gate') {
    const waited = harness.gate.waitedS ?? harness.elapsedS;
    const max = harness.gate.maxWaitS;
    return finite(max) ? `${formatDuration(waited)} (max ${formatDuration(max)})` : formatDuration(waited);
  }
  return formatDuration(harness.elapsedS);
}
