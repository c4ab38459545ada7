// A small parser for the Prometheus text exposition format (version 0.0.4), and a scraper.
// Handles comments, # HELP / # TYPE, labels with escaped \" \\ \n, optional timestamps, NaN and
// ±Inf, and groups histogram (_bucket/_sum/_count) and summary (quantile/_sum/_count) samples
// under their family.
import { request } from 'undici';

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface PromSample {
  /** Full sample name, e.g. "vllm:e2e_request_latency_seconds_bucket". */
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
  readonly timestampMs: number | null;
}

export interface PromFamily {
  readonly name: string;
  type: MetricType;
  help: string;
  readonly samples: PromSample[];
}

export type PromExposition = ReadonlyMap<string, PromFamily>;

export class PrometheusParseError extends Error {
  override name = 'PrometheusParseError';
  readonly code = 'E_PROM_PARSE';
  constructor(
    readonly lineNumber: number,
    message: string,
  ) {
    super(`line ${lineNumber}: ${message}`);
  }
}

/**
 * A failed scrape. The message never holds the URL, host, port or credentials (it can end up in an
 * envelope's telemetry block or a warning): it says what failed, e.g. `metrics endpoint: HTTP 404`.
 * `url` is kept on the object for callers that print it (redacted).
 */
export class PrometheusScrapeError extends Error {
  override name = 'PrometheusScrapeError';
  readonly code = 'E_PROM_SCRAPE';
  constructor(
    readonly url: string,
    message: string,
  ) {
    super(`metrics endpoint: ${scrubEndpoint(message, url)}`);
  }
}

/** Removes every spelling of the endpoint (URL, host:port, host, user, password) from a text. */
export function scrubEndpoint(text: string, url: string): string {
  if (url === '') return text;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return text.split(url).join('<endpoint>');
  }
  const secrets = [
    url,
    parsed.toString(),
    parsed.origin,
    parsed.host,
    parsed.hostname,
    parsed.hostname.replace(/^\[|\]$/g, ''),
    decodeURIComponent(parsed.password),
    decodeURIComponent(parsed.username),
    parsed.password,
    parsed.username,
  ]
    .filter((s) => s.length >= 2)
    .sort((a, b) => b.length - a.length);
  let out = text;
  for (const secret of secrets) out = out.split(secret).join('<endpoint>');
  return out;
}

/** A network error as its code (ECONNREFUSED…), not its message (which names host and port). */
function networkReason(e: unknown, timeoutMs: number): string {
  if (!(e instanceof Error)) return String(e);
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return `timed out after ${timeoutMs} ms`;
  const code = (e as { code?: unknown }).code ?? (e as { cause?: { code?: unknown } }).cause?.code;
  return typeof code === 'string' ? code : e.message;
}

const NAME_RE = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*/;

export function parsePromNumber(text: string): number {
  switch (text) {
    case 'NaN':
      return NaN;
    case '+Inf':
    case 'Inf':
      return Infinity;
    case '-Inf':
      return -Infinity;
  }
  const v = Number(text);
  if (text.trim() === '' || Number.isNaN(v)) throw new Error(`bad number ${JSON.stringify(text)}`);
  return v;
}

function familyNameOf(sample: string, families: Map<string, PromFamily>): string {
  for (const suffix of ['_bucket', '_sum', '_count', '_created', '_total', '_gsum', '_gcount']) {
    if (sample.endsWith(suffix)) {
      const base = sample.slice(0, -suffix.length);
      const fam = families.get(base);
      if (fam && fam.type !== 'untyped') return base;
    }
  }
  return sample;
}

function parseLabels(line: string, start: number, lineNo: number): [Record<string, string>, number] {
  const labels: Record<string, string> = {};
  let i = start + 1; // after '{'
  for (;;) {
    while (line[i] === ' ' || line[i] === '\t') i++;
    if (line[i] === '}') return [labels, i + 1];
    const m = LABEL_NAME_RE.exec(line.slice(i));
    if (!m) throw new PrometheusParseError(lineNo, `bad label name at column ${i + 1}`);
    const key = m[0];
    i += key.length;
    while (line[i] === ' ') i++;
    if (line[i] !== '=') throw new PrometheusParseError(lineNo, `expected '=' after label ${key}`);
    i++;
    while (line[i] === ' ') i++;
    if (line[i] !== '"') throw new PrometheusParseError(lineNo, `expected '"' for label ${key}`);
    i++;
    let value = '';
    for (;;) {
      const ch = line[i];
      if (ch === undefined) throw new PrometheusParseError(lineNo, `unterminated value of label ${key}`);
      if (ch === '\\') {
        const next = line[i + 1];
        value += next === 'n' ? '\n' : next === '\\' ? '\\' : next === '"' ? '"' : `\\${next ?? ''}`;
        i += 2;
        continue;
      }
      if (ch === '"') {
        i++;
        break;
      }
      value += ch;
      i++;
    }
    labels[key] = value;
    while (line[i] === ' ') i++;
    if (line[i] === ',') i++;
    else if (line[i] !== '}')
      throw new PrometheusParseError(lineNo, `expected ',' or '}' after label ${key}`);
  }
}

/** Parses exposition text. Throws PrometheusParseError with the line number on malformed input. */
export function parsePrometheusText(text: string): Map<string, PromFamily> {
  const families = new Map<string, PromFamily>();
  const family = (name: string): PromFamily => {
    let f = families.get(name);
    if (!f) {
      f = { name, type: 'untyped', help: '', samples: [] };
      families.set(name, f);
    }
    return f;
  };
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const raw = lines[n] ?? '';
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const lineNo = n + 1;
    const trimmed = line.trim();
    if (trimmed === '') continue;
    if (trimmed.startsWith('#')) {
      const m = /^#\s*(HELP|TYPE)\s+([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\s+(.*))?$/.exec(trimmed);
      if (!m) continue; // ordinary comment
      const [, kind, name = '', rest = ''] = m;
      const f = family(name);
      if (kind === 'TYPE') {
        const t = rest.trim();
        if (!['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(t))
          throw new PrometheusParseError(lineNo, `unknown metric type ${JSON.stringify(t)}`);
        f.type = t as MetricType;
      } else f.help = rest.replace(/\\n/g, '\n').replace(/\\\\/g, '\\');
      continue;
    }
    const start = line.length - line.trimStart().length;
    const nm = NAME_RE.exec(line.slice(start));
    if (!nm) throw new PrometheusParseError(lineNo, 'expected a metric name');
    const name = nm[0];
    let i = start + name.length;
    let labels: Record<string, string> = {};
    if (line[i] === '{') [labels, i] = parseLabels(line, i, lineNo);
    const parts = line.slice(i).trim().split(/\s+/);
    if (parts.length < 1 || parts[0] === '' || parts.length > 2)
      throw new PrometheusParseError(lineNo, `expected "value [timestamp]" after ${name}`);
    let value: number;
    let timestampMs: number | null = null;
    try {
      value = parsePromNumber(parts[0] ?? '');
      if (parts[1] !== undefined) timestampMs = parsePromNumber(parts[1]);
    } catch (e) {
      throw new PrometheusParseError(lineNo, e instanceof Error ? e.message : String(e));
    }
    family(familyNameOf(name, families)).samples.push({ name, labels, value, timestampMs });
  }
  // drop families declared by HELP/TYPE only, with no samples
  for (const [k, f] of families) if (f.samples.length === 0) families.delete(k);
  return families;
}

export type LabelMatcher = Readonly<Record<string, string>>;

function matches(labels: Readonly<Record<string, string>>, want?: LabelMatcher): boolean {
  if (!want) return true;
  for (const [k, v] of Object.entries(want)) if (labels[k] !== v) return false;
  return true;
}

/** All samples with exactly this sample name (e.g. "vllm:num_requests_running"). */
export function samplesOf(expo: PromExposition, sampleName: string, want?: LabelMatcher): PromSample[] {
  const out: PromSample[] = [];
  const tryFamily = (f: PromFamily | undefined): void => {
    if (!f) return;
    for (const s of f.samples) if (s.name === sampleName && matches(s.labels, want)) out.push(s);
  };
  tryFamily(expo.get(sampleName));
  if (out.length === 0) {
    for (const suffix of ['_total', '_bucket', '_sum', '_count', '_created']) {
      if (sampleName.endsWith(suffix)) tryFamily(expo.get(sampleName.slice(0, -suffix.length)));
    }
  }
  return out;
}

/** Sum over label sets of a sample name; null when absent. */
export function sumOf(expo: PromExposition, sampleName: string, want?: LabelMatcher): number | null {
  const s = samplesOf(expo, sampleName, want);
  if (s.length === 0) return null;
  return s.reduce((acc, x) => acc + x.value, 0);
}

/** Value of a counter family: `<name>_total` (OpenMetrics style) or plain `<name>`. */
export function counterValue(expo: PromExposition, name: string, want?: LabelMatcher): number | null {
  const base = name.endsWith('_total') ? name.slice(0, -6) : name;
  return sumOf(expo, `${base}_total`, want) ?? sumOf(expo, base, want);
}

export interface HistogramData {
  readonly sum: number;
  /** Observations in total (= the +Inf bucket). */
  readonly count: number;
  /**
   * Cumulative bucket counts by finite upper bound (le), ascending. The +Inf bucket is `count`
   * and is left out, so the object stays JSON-safe (JSON has no Infinity).
   */
  readonly buckets: readonly { readonly le: number; readonly count: number }[];
}

/** Histogram summed over label sets (other than le). Null when the family is absent. */
export function histogramOf(expo: PromExposition, name: string, want?: LabelMatcher): HistogramData | null {
  const sum = sumOf(expo, `${name}_sum`, want);
  const count = sumOf(expo, `${name}_count`, want);
  if (sum === null || count === null) return null;
  const byLe = new Map<number, number>();
  for (const s of samplesOf(expo, `${name}_bucket`, want)) {
    const le = parsePromNumber(s.labels.le ?? '+Inf');
    byLe.set(le, (byLe.get(le) ?? 0) + s.value);
  }
  const buckets = [...byLe.entries()]
    .filter(([le]) => Number.isFinite(le))
    .sort((a, b) => a[0] - b[0])
    .map(([le, c]) => ({ le, count: c }));
  return { sum, count, buckets };
}

/** Difference post − pre of two histogram readings (same buckets); mean = Δsum/Δcount. */
export function histogramDelta(pre: HistogramData | null, post: HistogramData | null): HistogramData | null {
  if (!post) return null;
  if (!pre) return post;
  const preLe = new Map(pre.buckets.map((b) => [b.le, b.count]));
  return {
    sum: post.sum - pre.sum,
    count: post.count - pre.count,
    buckets: post.buckets.map((b) => ({ le: b.le, count: b.count - (preLe.get(b.le) ?? 0) })),
  };
}

export function histogramMean(h: HistogramData | null): number | null {
  if (!h || !(h.count > 0)) return null;
  return h.sum / h.count;
}

/**
 * Quantile by linear interpolation inside the bucket, as PromQL histogram_quantile: a rank beyond
 * the highest finite bucket returns that bucket's upper bound.
 */
export function histogramQuantile(h: HistogramData | null, q: number): number | null {
  if (!h || !(h.count > 0)) return null;
  const rank = q * h.count;
  let prevLe = 0;
  let prevCount = 0;
  for (const b of h.buckets) {
    if (b.count >= rank) {
      if (b.count === prevCount) return b.le;
      return prevLe + ((b.le - prevLe) * (rank - prevCount)) / (b.count - prevCount);
    }
    prevLe = b.le;
    prevCount = b.count;
  }
  return h.buckets.length > 0 ? prevLe : null;
}

export interface ScrapeOptions {
  readonly timeoutMs?: number;
  readonly headers?: Readonly<Record<string, string>>;
}

/** A /metrics page larger than this is refused (a real exporter's is well under 1 MiB). */
const MAX_SCRAPE_BYTES = 16 * 1024 * 1024;

async function readCapped(
  body: AsyncIterable<unknown> & { destroy(): unknown },
  maxBytes: number,
): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > maxBytes) {
      body.destroy();
      throw new PrometheusScrapeError('', `page larger than ${maxBytes / 1024 / 1024} MiB`);
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks, size).toString('utf8');
}

/** GETs a /metrics URL and parses it. Throws PrometheusScrapeError on HTTP or parse failure. */
export async function scrapePrometheus(
  url: string,
  opts: ScrapeOptions = {},
): Promise<Map<string, PromFamily>> {
  const timeoutMs = opts.timeoutMs ?? 5000;
  let body: string;
  try {
    const res = await request(url, {
      method: 'GET',
      headers: {
        accept: 'text/plain;version=0.0.4;q=1,*/*;q=0.1',
        'accept-encoding': 'identity',
        ...opts.headers,
      },
      signal: AbortSignal.timeout(timeoutMs),
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    if (res.statusCode !== 200) {
      await res.body.dump().catch(() => undefined);
      throw new PrometheusScrapeError(url, `HTTP ${res.statusCode}`);
    }
    body = await readCapped(res.body, MAX_SCRAPE_BYTES);
  } catch (e) {
    if (e instanceof PrometheusScrapeError) throw e;
    throw new PrometheusScrapeError(url, networkReason(e, timeoutMs));
  }
  try {
    return parsePrometheusText(body);
  } catch (e) {
    throw new PrometheusScrapeError(url, e instanceof Error ? e.message : String(e));
  }
}

/** The engine's /metrics URL from an OpenAI base URL: http://h:8000/v1 → http://h:8000/metrics. */
export function metricsUrlFromBaseUrl(baseUrl: string): string {
  const u = new URL(baseUrl);
  u.pathname = u.pathname.replace(/\/v1\/?$/, '/').replace(/\/+$/, '') + '/metrics';
  u.search = '';
  u.hash = '';
  return u.toString();
}
