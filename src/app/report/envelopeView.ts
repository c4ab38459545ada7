// Read-only accessors over a parsed envelope (InferenceBench v1 or ours). Envelopes are typed
// loosely here on purpose: foreign files carry keys we do not model, and every command must cope
// with a missing block rather than crash.
import { basename } from 'node:path';

export type EnvelopeLike = object;

export interface LoadedEnvelope {
  readonly path: string;
  readonly envelope: EnvelopeLike;
  /** lossless-json parse of the file (numbers keep their text), for re-hashing. */
  readonly lossless?: unknown;
}

export interface MetricCi {
  readonly lo: number;
  readonly hi: number;
  readonly n: number;
  readonly level: number;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Walks nested keys; undefined as soon as one is missing. */
export function getPath(value: unknown, ...keys: string[]): unknown {
  let current: unknown = value;
  for (const key of keys) {
    if (!isRecord(current)) return undefined;
    current = current[key];
  }
  return current;
}

export function getString(value: unknown, ...keys: string[]): string | undefined {
  const found = getPath(value, ...keys);
  return typeof found === 'string' ? found : undefined;
}

function finiteNumber(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '' && /^[-+0-9.eE]+$/.test(value.trim())) {
    const parsed = Number(value);
    return Number.isFinite(parsed) ? parsed : undefined;
  }
  return undefined;
}

export function metricNumber(envelope: EnvelopeLike, key: string): number | undefined {
  return finiteNumber(getPath(envelope, 'metrics', key));
}

/** Every metric whose value is a finite number (string-valued metrics such as slo_template_resolved excluded). */
export function numericMetrics(envelope: EnvelopeLike): Map<string, number> {
  const out = new Map<string, number>();
  const metrics = getPath(envelope, 'metrics');
  if (!isRecord(metrics)) return out;
  for (const [key, value] of Object.entries(metrics)) {
    const n = typeof value === 'number' && Number.isFinite(value) ? value : undefined;
    if (n !== undefined) out.set(key, n);
  }
  return out;
}

export function metricCi(envelope: EnvelopeLike, key: string): MetricCi | undefined {
  const ci = getPath(envelope, 'metric_ci', key);
  const lo = finiteNumber(getPath(ci, 'lo'));
  const hi = finiteNumber(getPath(ci, 'hi'));
  if (lo === undefined || hi === undefined) return undefined;
  const n = finiteNumber(getPath(ci, 'n')) ?? 0;
  const level = finiteNumber(getPath(ci, 'level')) ?? 0.95;
  return { lo: Math.min(lo, hi), hi: Math.max(lo, hi), n, level };
}

export function suiteId(envelope: EnvelopeLike): string {
  return getString(envelope, 'suite_id') ?? '(no suite)';
}

export function modelLabel(envelope: EnvelopeLike): string {
  return getString(envelope, 'model', 'id') ?? '?';
}

export function engineLabel(envelope: EnvelopeLike): string {
  const name = getString(envelope, 'engine', 'name') ?? '?';
  const version = getString(envelope, 'engine', 'version');
  return version && version !== '' ? `${name} ${version}` : name;
}

export function engineName(envelope: EnvelopeLike): string {
  return getString(envelope, 'engine', 'name') ?? '?';
}

export function quantLabel(envelope: EnvelopeLike): string {
  const format = getString(envelope, 'quantization', 'format');
  return format && format !== '' ? format : '-';
}

/** "H100 80GB HBM3 ×8" from the fingerprint's GPU list, else the SLO hardware class, else "-". */
export function hardwareLabel(envelope: EnvelopeLike): string {
  const gpus = getPath(envelope, 'hardware_fingerprint', 'gpus');
  if (Array.isArray(gpus) && gpus.length > 0) {
    const names = gpus.map((gpu) => getString(gpu, 'model') ?? '?');
    const first = (names[0] ?? '?').replace(/^NVIDIA\s+/, '');
    const same = names.every((name) => name === names[0]);
    return same ? `${first} ×${names.length}` : `${first} +${names.length - 1} mixed`;
  }
  const cls = getString(envelope, 'metrics', 'slo_hardware_class');
  return cls ?? '-';
}

export function gpuCount(envelope: EnvelopeLike): number {
  const gpus = getPath(envelope, 'hardware_fingerprint', 'gpus');
  return Array.isArray(gpus) ? gpus.length : 0;
}

export function shortRunId(envelope: EnvelopeLike): string {
  const runId = getString(envelope, 'run_id') ?? '';
  return runId.slice(0, 8) || '-';
}

/** Sweep point from a file name: `c16-<hash>.json` → "c16", `r2.5-…` → "r2.5", else "". */
export function sweepPointOf(path: string): string {
  const match = /^(?:.*-)?([cr]\d+(?:\.\d+)?)-[0-9a-f]{12}\.json$/.exec(basename(path));
  return match?.[1] ?? '';
}

/** Closed-loop concurrency: driver_options / run_context, else the c<N> file prefix. */
export function concurrencyOf(loaded: LoadedEnvelope): number | undefined {
  const env = loaded.envelope;
  for (const keys of [
    ['driver_options', 'concurrency'],
    ['run_context', 'concurrency'],
    ['run_context', 'point', 'concurrency'],
  ]) {
    const value = getPath(env, ...keys);
    const n = Array.isArray(value) ? finiteNumber(value[0]) : finiteNumber(value);
    if (n !== undefined && n > 0) return n;
  }
  const point = sweepPointOf(loaded.path);
  if (point.startsWith('c')) return Number(point.slice(1));
  return undefined;
}

/** Independent trials (process launches) behind this envelope; 1 unless the envelope says more. */
export function trialsOf(envelope: EnvelopeLike): number {
  const trials = getPath(envelope, 'trials');
  if (Array.isArray(trials) && trials.length > 0) return trials.length;
  const candidates = [getPath(trials, 'count'), getPath(envelope, 'run_context', 'trials', 'count')];
  if (typeof trials === 'number') candidates.unshift(trials);
  for (const candidate of candidates) {
    const n = finiteNumber(candidate);
    if (n !== undefined && n >= 1) return Math.floor(n);
  }
  return 1;
}

export function signatureMethod(envelope: EnvelopeLike): string | null {
  const method = getString(envelope, 'signature', 'method');
  return method && method !== '' ? method : null;
}
