// The bounded per-request sample block of an envelope (docs/metrics.md "Sample block"): for each
// latency distribution, at most SAMPLE_BLOCK_CAP values that stand for the measured requests, so
// `bench diff` can bootstrap a difference without the journal. Deterministic (no seed needed):
// when a distribution has n ≤ cap values they are all kept; above the cap the block keeps the
// order statistics at ranks floor((i + ½) · n / cap), i = 0 … cap − 1 — a quantile-stratified
// subsample whose every quantile is within 1/cap of the full sample's — plus the true n, which
// the bootstrap resamples at. Values are in ms, rounded to 1 µs.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { basename, relative, sep } from 'node:path';
import type { RankedValues } from './sample-sink.js';

export const SAMPLE_BLOCK_CAP = 1024;
export const SAMPLE_BLOCK_VERSION = 1;

export interface SampleBlockEntry {
  /** Measured values the distribution had. */
  readonly n: number;
  /** Ascending; all n when n ≤ cap, else the stratified subsample. */
  readonly values_ms: readonly number[];
}

export interface SampleBlock {
  readonly version: number;
  readonly method: 'all' | 'stratified';
  readonly cap: number;
  readonly metrics: Readonly<Record<string, SampleBlockEntry>>;
}

const round3 = (v: number): number => Math.round(v * 1000) / 1000;

/** At most `cap` ascending values standing for a sorted sample of `length` values. */
export function stratifiedValues(sorted: RankedValues, cap: number = SAMPLE_BLOCK_CAP): number[] {
  const n = sorted.length;
  const out: number[] = [];
  if (n <= cap) {
    for (let i = 0; i < n; i++) out.push(round3(sorted.at(i) as number));
    return out;
  }
  for (let i = 0; i < cap; i++) out.push(round3(sorted.at(Math.floor(((i + 0.5) * n) / cap)) as number));
  return out;
}

/** The block for the named distributions (empty ones are left out). */
export function buildSampleBlock(
  samples: Readonly<Record<string, RankedValues>>,
  cap: number = SAMPLE_BLOCK_CAP,
): SampleBlock {
  const metrics: Record<string, SampleBlockEntry> = {};
  let stratified = false;
  for (const [name, sorted] of Object.entries(samples)) {
    if (sorted.length === 0) continue;
    if (sorted.length > cap) stratified = true;
    metrics[name] = { n: sorted.length, values_ms: stratifiedValues(sorted, cap) };
  }
  return { version: SAMPLE_BLOCK_VERSION, method: stratified ? 'stratified' : 'all', cap, metrics };
}

/**
 * What an envelope says about its point's journal (`run_context.journal`): its path relative to the
 * envelope's folder,
 * its sha256 (a later run overwrites `.bench-journal-<point>.jsonl`; `bench diff` then ignores
 * it) and the measurement window on the records' clock.
 */
export interface JournalReference {
  readonly file: string;
  readonly sha256: string;
  readonly window_ms: { readonly start: number; readonly end: number };
}

export async function describeJournal(
  path: string,
  window: { readonly startMs: number; readonly endMs: number },
  /** The envelope's folder: `file` is relative to it (e.g. `.bench/journal-c4.jsonl`). */
  envelopeDir?: string,
): Promise<JournalReference> {
  return {
    file: envelopeDir === undefined ? basename(path) : relative(envelopeDir, path).split(sep).join('/'),
    sha256: await sha256File(path),
    window_ms: { start: window.startMs, end: window.endMs },
  };
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
