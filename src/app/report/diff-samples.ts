// Per-request samples for `bench diff`'s confidence intervals (docs/metrics.md "Sample block",
// docs/commands.md "How diff decides"): from the point's journal when it sits next to the envelope
// and is the one the envelope names (same sha256), else from the envelope's bounded sample block.
// The bootstrap resamples each side's requests with replacement; histogram bins are only a
// fallback (diff.ts says so in a note).
import { stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  describeJournal,
  forEachJournalRecord,
  inWindow,
  samples as perRequest,
  sha256File,
  type JournalReference,
} from '../../harness/index.js';
import type { RequestRecord } from '../../harness/types.js';
import { getPath, type EnvelopeLike, type LoadedEnvelope } from './envelopeView.js';

/** One side's per-request values of one distribution, ascending. */
export interface PerRequestSamples {
  readonly values: readonly number[];
  /** Requests (values) the distribution really had; > values.length for a stratified block. */
  readonly n: number;
  readonly origin: 'journal' | 'sample_block';
}

/** Distribution name → its values, for one envelope. */
export type SampleProvider = (base: string) => PerRequestSamples | undefined;

/** The envelope's `samples` block (SampleBlock, docs/metrics.md), read defensively. */
export function sampleBlockSamples(envelope: EnvelopeLike, base: string): PerRequestSamples | undefined {
  const entry = getPath(envelope, 'samples', 'metrics', base);
  const n = getPath(entry, 'n');
  const values = getPath(entry, 'values_ms');
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || !Array.isArray(values)) return undefined;
  if (values.length < 1 || values.length > n || values.length > 65_536) return undefined;
  const out: number[] = [];
  for (const v of values) {
    if (typeof v !== 'number' || !Number.isFinite(v)) return undefined;
    out.push(v);
  }
  out.sort((a, b) => a - b);
  return { values: out, n, origin: 'sample_block' };
}

export type { JournalReference };
export { describeJournal };

export function journalReferenceOf(envelope: EnvelopeLike): JournalReference | undefined {
  const ref = getPath(envelope, 'run_context', 'journal');
  const file = getPath(ref, 'file');
  const sha256 = getPath(ref, 'sha256');
  const start = getPath(ref, 'window_ms', 'start');
  const end = getPath(ref, 'window_ms', 'end');
  // A relative path under the envelope's folder: names and '/', no '..', never absolute.
  if (typeof file !== 'string' || !/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/.test(file)) return undefined;
  if (file.split('/').some((part) => part === '..' || part === '.')) return undefined;
  if (typeof sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(sha256)) return undefined;
  if (typeof start !== 'number' || typeof end !== 'number' || !(end >= start)) return undefined;
  return { file, sha256, window_ms: { start, end } };
}

const VALUE_OF: Record<string, (r: RequestRecord) => number | null> = {
  ttft: perRequest.ttftMs,
  ttft_sched: perRequest.ttftSchedMs,
  client_queue_delay: perRequest.clientQueueDelayMs,
  ttfo: perRequest.ttfoMs,
  ttst: perRequest.ttstMs,
  total: perRequest.e2eMs,
  total_sched: perRequest.e2eSchedMs,
  tpot: perRequest.tpotMs,
};

/** Journals above this are not read for diff (the sample block stands in). */
export const MAX_JOURNAL_BYTES = 512 * 1024 * 1024;

/**
 * Per-request values of every distribution from the journal the envelope names, when the file is
 * next to the envelope and its sha256 matches (a later run overwrites `.bench-journal-*.jsonl`).
 * Measured successful requests only, as the envelope's metrics. undefined when unusable.
 */
export async function loadJournalSamples(
  loaded: LoadedEnvelope,
): Promise<Map<string, PerRequestSamples> | undefined> {
  const ref = journalReferenceOf(loaded.envelope);
  if (ref === undefined) return undefined;
  const path = join(dirname(loaded.path), ref.file);
  try {
    const info = await stat(path);
    if (!info.isFile() || info.size > MAX_JOURNAL_BYTES) return undefined;
    if ((await sha256File(path)) !== ref.sha256) return undefined;
    const window = { startMs: ref.window_ms.start, endMs: ref.window_ms.end };
    const values = new Map<string, number[]>();
    for (const name of [...Object.keys(VALUE_OF), 'itl', 'icl']) values.set(name, []);
    await forEachJournalRecord(path, (r) => {
      if (r.errorCode !== null || !inWindow(r, window)) return;
      for (const [name, fn] of Object.entries(VALUE_OF)) {
        const v = fn(r);
        if (v !== null) values.get(name)?.push(v);
      }
      perRequest.pushItlSamples(r, values.get('itl') as number[]);
      perRequest.pushIclSamples(r, values.get('icl') as number[]);
    });
    const out = new Map<string, PerRequestSamples>();
    for (const [name, list] of values) {
      if (list.length === 0) continue;
      list.sort((a, b) => a - b);
      out.set(name, { values: list, n: list.length, origin: 'journal' });
    }
    return out;
  } catch {
    return undefined;
  }
}

/** Journal samples when loaded for this envelope, else its sample block. */
export function sampleProviderFor(
  envelope: EnvelopeLike,
  journal?: ReadonlyMap<string, PerRequestSamples>,
): SampleProvider {
  return (base) => journal?.get(base) ?? sampleBlockSamples(envelope, base);
}

/** Draws per resample: at most this many; above it the deviations are rescaled by √(m/n). */
export const MAX_DRAWS = 4096;

/** Linear (type 7) quantile of ascending values given as counts per index. */
function quantileOfCounts(values: readonly number[], counts: Uint32Array, total: number, q: number): number {
  const h = (total - 1) * q;
  const lo = Math.floor(h);
  const frac = h - lo;
  let seen = 0;
  let a = values[values.length - 1] as number;
  let b = a;
  let foundA = false;
  for (let i = 0; i < counts.length; i++) {
    seen += counts[i] as number;
    if (!foundA && lo < seen) {
      a = values[i] as number;
      foundA = true;
    }
    if (foundA && Math.min(total - 1, lo + 1) < seen) {
      b = values[i] as number;
      break;
    }
  }
  return a + (b - a) * frac;
}

function quantileSorted(values: readonly number[], q: number): number {
  const h = (values.length - 1) * q;
  const lo = Math.floor(h);
  const a = values[lo] as number;
  const b = values[Math.min(values.length - 1, lo + 1)] as number;
  return a + (b - a) * (h - lo);
}

/**
 * Percentile bootstrap of quantile(candidate) − quantile(baseline), each side resampled with
 * replacement at its true n (m-out-of-n with √(m/n) rescaling above MAX_DRAWS draws). Seeded:
 * the same inputs give the same interval.
 */
export function bootstrapSampleQuantileDifference(
  baseline: PerRequestSamples,
  candidate: PerRequestSamples,
  q: number,
  random: () => number,
  resamples = 1000,
): { lo: number; hi: number } | undefined {
  if (baseline.n < 2 || candidate.n < 2) return undefined;
  const side = (s: PerRequestSamples) => {
    const draws = Math.min(s.n, MAX_DRAWS);
    return {
      s,
      draws,
      scale: Math.sqrt(draws / s.n),
      point: quantileSorted(s.values, q),
      counts: new Uint32Array(s.values.length),
    };
  };
  const b = side(baseline);
  const c = side(candidate);
  const once = (x: ReturnType<typeof side>): number => {
    x.counts.fill(0);
    const k = x.s.values.length;
    for (let i = 0; i < x.draws; i++) {
      const idx = Math.min(k - 1, Math.floor(random() * k));
      x.counts[idx] = (x.counts[idx] as number) + 1;
    }
    const qr = quantileOfCounts(x.s.values, x.counts, x.draws, q);
    return x.point + (qr - x.point) * x.scale;
  };
  const deltas = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) deltas[r] = once(c) - once(b);
  deltas.sort();
  const pick = (p: number): number =>
    deltas[Math.min(resamples - 1, Math.max(0, Math.round(p * (resamples - 1))))] as number;
  return { lo: pick(0.025), hi: pick(0.975) };
}
