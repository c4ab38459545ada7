// OpenAI-compatible streaming client over an undici Pool (connections = concurrency, pipelining 1,
// keep-alive). send() never rejects: every outcome is a RequestRecord with errorCode null (ok) or
// exactly one ErrorCode. Every SSE event is stamped with performance.now() when its socket read
// arrives, before any parsing. t_send is stamped when undici writes the request to its socket
// (DESIGN §4 "request written"), not when send() hands it to the pool: a request that waits for a
// free or new connection does not count that wait in its TTFT. The API key is sent as a header and
// never copied anywhere else.
import { CodedError, type ErrorCode as CodedErrorCode } from '../../lib/errors.js';
import { performance } from 'node:perf_hooks';
import { StringDecoder } from 'node:string_decoder';
import type { Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { Pool, type Dispatcher } from 'undici';
import type { EndpointType, ErrorCode, RequestRecord, RequestSpec } from '../types.js';
import { cancelDelayMs, type CancelOptions } from './cancel.js';
import { excerpt, type LiveCounters, RequestState } from './request-state.js';
import { DEFAULT_MAX_EVENT_CHARS } from './sse.js';

export interface StreamClientOptions {
  /** Base URL including the API prefix, e.g. http://127.0.0.1:8000/v1 */
  readonly baseUrl: string;
  readonly endpointType: EndpointType;
  readonly model: string;
  readonly apiKey?: string;
  /** Pool size; use the concurrency (or max concurrency) of the point. */
  readonly connections: number;
  /** No bytes for this long mid-stream → `stall`. Default 60 s. */
  readonly idleTimeoutMs?: number;
  /** Overall deadline per request → `timeout`. Default 600 s. */
  readonly requestTimeoutMs?: number;
  readonly workerId?: number;
  /** Extra headers on every request (never logged). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Per-event cap of the SSE parser (characters; default 1 MiB) → `event_too_large`. */
  readonly maxEventBytes?: number;
  /** --cancel-rate / --cancel-after-ms: abort a seeded fraction of requests mid-stream (`cancelled`). */
  readonly cancel?: CancelOptions;
}

/** Optional per-send details (additive to the brief's `send(spec, tSchedMs, signal)`). */
export interface SendMeta {
  readonly id?: number;
  readonly warmup?: boolean;
  /** Extra headers for this request only (e.g. `x-sim-fault` against the embedded engine). */
  readonly headers?: Readonly<Record<string, string>>;
}

export interface StreamClientStats extends LiveCounters {
  sent: number;
  done: number;
  inFlight: number;
}

export interface StreamClient {
  send(spec: RequestSpec, tSchedMs: number, signal?: AbortSignal, meta?: SendMeta): Promise<RequestRecord>;
  /** Live counters, updated in place (read them; do not write). */
  readonly stats: Readonly<StreamClientStats>;
  close(): Promise<void>;
}

const DEFAULT_IDLE_TIMEOUT_MS = 60_000;
const DEFAULT_REQUEST_TIMEOUT_MS = 600_000;
const BODY_EXCERPT_BYTES = 512;
/** Range of the per-event cap (--max-event-bytes): 1 KiB to 256 MiB. */
export const MIN_EVENT_CAP = 1024;
export const MAX_EVENT_CAP = 256 * 1024 * 1024;

export class ClientOptionsError extends CodedError {
  override name = 'ClientOptionsError';
  constructor(message: string, code: CodedErrorCode = 'E_CLIENT_OPTIONS', exitCode = 2) {
    super(message, code, exitCode);
  }
}

/** Checks the options every client shares (the worker pool validates with it too); returns the URL. */
export function validateClientOptions(options: StreamClientOptions): URL {
  let url: URL;
  try {
    url = new URL(options.baseUrl);
  } catch {
    throw new ClientOptionsError(`invalid base URL: ${options.baseUrl}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ClientOptionsError(`base URL must be http or https: ${options.baseUrl}`);
  }
  if (!Number.isInteger(options.connections) || options.connections < 1) {
    throw new ClientOptionsError(`connections must be a positive integer, got ${options.connections}`);
  }
  const maxEvent = options.maxEventBytes;
  if (
    maxEvent !== undefined &&
    (!Number.isInteger(maxEvent) || maxEvent < MIN_EVENT_CAP || maxEvent > MAX_EVENT_CAP)
  ) {
    throw new ClientOptionsError(
      `max event size must be an integer from ${MIN_EVENT_CAP} to ${MAX_EVENT_CAP} bytes, got ${maxEvent}`,
    );
  }
  return url;
}

/**
 * Sits between undici and its own request handler, one instance per request, and does two jobs:
 *  - stamps t_send: undici calls onRequestStart from its HTTP/1.1 writer right before the
 *    request's first byte goes to the socket (again on a retry: the last write counts);
 *  - taps a 2xx body: each socket read is stamped and fed to the request's SSE parser right here,
 *    synchronously, instead of travelling through a Readable stream and an async iterator (a
 *    third of the client's per-event cost once JSON.parse is gone, and a few microtask hops of
 *    latency). The body stream then carries no data and ends, or errors, when the response does,
 *    so status, timeouts, resets and aborts keep undici's own handling. Other statuses are
 *    forwarded untouched (their body becomes the error excerpt).
 */
class StreamTapHandler implements Dispatcher.DispatchHandler {
  private decoder: StringDecoder | null = null;
  /** Set when a server compressed the stream although we asked for identity. */
  private inflater: Transform | null = null;
  private inflaterStampMs = 0;
  private controller: Dispatcher.DispatchController | null = null;

  constructor(
    private readonly inner: Dispatcher.DispatchHandler,
    private readonly state: RequestState,
  ) {}
  onRequestStart(controller: Dispatcher.DispatchController, context: unknown): void {
    this.state.tWriteMs = performance.now();
    this.inner.onRequestStart?.(controller, context);
  }
  onRequestUpgrade(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Parameters<NonNullable<Dispatcher.DispatchHandler['onRequestUpgrade']>>[2],
    socket: Parameters<NonNullable<Dispatcher.DispatchHandler['onRequestUpgrade']>>[3],
  ): void {
    this.inner.onRequestUpgrade?.(controller, statusCode, headers, socket);
  }
  onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Parameters<NonNullable<Dispatcher.DispatchHandler['onResponseStart']>>[2],
    statusMessage?: string,
  ): void {
    const ok = statusCode >= 200 && statusCode < 300;
    this.decoder = ok ? new StringDecoder('utf8') : null;
    if (ok) {
      const encoding = headerText(headers['content-encoding']).trim().toLowerCase();
      if (encoding !== '' && encoding !== 'identity') this.startInflater(controller, encoding);
    }
    this.inner.onResponseStart?.(controller, statusCode, headers, statusMessage);
  }
  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    const decoder = this.decoder;
    if (decoder === null) {
      this.inner.onResponseData?.(controller, chunk);
      return;
    }
    const state = this.state;
    if (state.errorCode !== null) return;
    const stampMs = performance.now();
    if (this.inflater !== null) {
      this.inflaterStampMs = stampMs;
      this.inflater.write(chunk);
      return;
    }
    state.parser.feed(decoder.write(chunk), stampMs);
    // A malformed or error event ends the request: drop the connection rather than read on.
    if (state.errorCode !== null) controller.abort(new StreamStoppedError(state.errorCode));
  }
  onResponseEnd(
    controller: Dispatcher.DispatchController,
    trailers: Parameters<NonNullable<Dispatcher.DispatchHandler['onResponseEnd']>>[1],
  ): void {
    const inflater = this.inflater;
    if (inflater === null || this.state.errorCode !== null) {
      this.inner.onResponseEnd?.(controller, trailers);
      return;
    }
    // The decompressor may still hold output: end the body once it has all been parsed.
    let ended = false;
    const finish = (): void => {
      if (ended) return;
      ended = true;
      this.inner.onResponseEnd?.(controller, trailers);
    };
    inflater.once('end', finish);
    inflater.once('close', finish);
    inflater.end();
  }
  onResponseError(controller: Dispatcher.DispatchController, error: Error): void {
    this.inflater?.destroy();
    this.inner.onResponseError?.(controller, error);
  }

  /**
   * A server that compresses anyway (we send accept-encoding: identity): decode gzip, deflate or
   * br with a streaming zlib decompressor; its output goes to the parser stamped with the arrival
   * of the latest compressed read. Only this rare case pays for it.
   */
  private startInflater(controller: Dispatcher.DispatchController, encoding: string): void {
    const state = this.state;
    this.controller = controller;
    let inflater: Transform;
    if (encoding === 'gzip' || encoding === 'x-gzip') inflater = createGunzip();
    else if (encoding === 'deflate') inflater = createInflate();
    else if (encoding === 'br') inflater = createBrotliDecompress();
    else {
      state.fail('malformed_event', `unsupported content-encoding ${excerpt(encoding, 40)}`);
      return;
    }
    this.inflater = inflater;
    inflater.on('data', (out: Buffer) => {
      if (state.errorCode !== null || this.decoder === null) return;
      state.parser.feed(this.decoder.write(out), this.inflaterStampMs);
      if (state.errorCode !== null) this.stop();
    });
    inflater.on('error', (error: Error) => {
      state.fail('malformed_event', `cannot decode ${encoding} body: ${excerpt(error.message, 120)}`);
      this.stop();
    });
  }

  private stop(): void {
    this.inflater?.destroy();
    const code = this.state.errorCode ?? 'malformed_event';
    try {
      this.controller?.abort(new StreamStoppedError(code));
    } catch {
      // already finished
    }
  }
}

function headerText(value: string | string[] | undefined): string {
  return Array.isArray(value) ? value.join(',') : (value ?? '');
}

class StreamStoppedError extends Error {
  override name = 'StreamStoppedError';
  constructor(code: string) {
    super(`stream stopped after ${code}`);
  }
}

/** Interceptor: requests whose `opaque` is a RequestState get the tap. */
const tapStreams: Dispatcher.DispatcherComposeInterceptor = (dispatch) => (opts, handler) => {
  const state = (opts as { opaque?: unknown }).opaque;
  return dispatch(opts, state instanceof RequestState ? new StreamTapHandler(handler, state) : handler);
};

export function createStreamClient(options: StreamClientOptions): StreamClient {
  const url = validateClientOptions(options);
  const idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  const requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const maxEventChars = options.maxEventBytes ?? DEFAULT_MAX_EVENT_CHARS;
  const prefix = url.pathname.replace(/\/+$/, '');
  const path = `${prefix}${options.endpointType === 'chat' ? '/chat/completions' : '/completions'}`;
  const pool = new Pool(url.origin, {
    connections: options.connections,
    pipelining: 1,
    // Below the 5 s idle timeout of uvicorn (vLLM, SGLang) and node:http, so a reused socket is
    // never one the server is closing (undici does not retry a POST on a reset).
    keepAliveTimeout: 4_000,
    headersTimeout: requestTimeoutMs,
    bodyTimeout: idleTimeoutMs,
    connect: { timeout: 10_000 },
  });
  const dispatcher = pool.compose(tapStreams);
  const baseHeaders: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'text/event-stream',
    // Compression would add CPU and latency to every event; decode only if a server insists.
    'accept-encoding': 'identity',
    ...options.headers,
  };
  if (options.apiKey !== undefined && options.apiKey !== '') {
    baseHeaders.authorization = `Bearer ${options.apiKey}`;
  }
  // Error details go to the journal: never the key, nor the endpoint's address or credentials
  // (undici's messages name host:port, e.g. "connect ECONNREFUSED 10.0.0.5:8000").
  const secrets = [
    options.apiKey ?? '',
    options.baseUrl,
    url.origin,
    url.host,
    url.hostname,
    decodeURIComponent(url.username),
    decodeURIComponent(url.password),
  ]
    .filter((s) => s.length >= 3)
    .sort((a, b) => b.length - a.length);
  const redact = (text: string): string => {
    let out = text;
    for (const s of secrets) if (out.includes(s)) out = out.split(s).join('[redacted]');
    return out;
  };
  const apiKey = options.apiKey !== undefined && options.apiKey !== '' ? options.apiKey : null;
  const worker = options.workerId ?? 0;
  const stats: StreamClientStats = {
    sent: 0,
    done: 0,
    inFlight: 0,
    eventsReceived: 0,
    tokensReceived: 0,
  };
  let nextId = 0;
  let closed = false;

  const buildBody = (spec: RequestSpec): string => {
    const body: Record<string, unknown> = { model: options.model };
    if (options.endpointType === 'chat') {
      body.messages = spec.messages ?? [{ role: 'user', content: spec.prompt ?? '' }];
    } else {
      body.prompt = spec.prompt ?? (spec.messages ?? []).map((message) => message.content).join('\n');
    }
    body.max_tokens = spec.maxTokens;
    if (spec.extraBody !== undefined) Object.assign(body, spec.extraBody);
    body.stream = true;
    const extraStreamOptions = spec.extraBody?.stream_options;
    body.stream_options = {
      ...(typeof extraStreamOptions === 'object' && extraStreamOptions !== null ? extraStreamOptions : {}),
      include_usage: true,
    };
    return JSON.stringify(body);
  };

  const send = async (
    spec: RequestSpec,
    tSchedMs: number,
    signal?: AbortSignal,
    meta?: SendMeta,
  ): Promise<RequestRecord> => {
    const id = meta?.id ?? nextId++;
    const state = new RequestState(options.endpointType, spec.collectText === true, stats, maxEventChars);
    const controller = new AbortController();
    let timedOut = false;
    let callerAborted = false;
    let cancelled = false;
    let cancelTimer: NodeJS.Timeout | null = null;
    let httpStatus: number | null = null;
    let retryAfterMs: number | undefined;
    const onCallerAbort = (): void => {
      callerAborted = true;
      controller.abort();
    };
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, requestTimeoutMs);
    if (signal !== undefined) {
      if (signal.aborted) callerAborted = true;
      else signal.addEventListener('abort', onCallerAbort, { once: true });
    }
    let body: string;
    let headers = baseHeaders;
    if (meta?.headers !== undefined) headers = { ...baseHeaders, ...meta.headers };
    stats.sent++;
    stats.inFlight++;
    // Until undici writes the request (or when it never does: connect error, abort in the queue),
    // t_send is when send() handed it over.
    let tSendMs = performance.now();
    try {
      body = buildBody(spec);
      if (closed) {
        state.fail('aborted', 'client closed');
      } else if (callerAborted) {
        state.fail('aborted', 'cancelled before send');
      } else {
        tSendMs = performance.now();
        const cancelAfterMs = cancelDelayMs(options.cancel, id);
        if (cancelAfterMs !== null) {
          cancelTimer = setTimeout(() => {
            cancelled = true;
            controller.abort();
          }, cancelAfterMs);
        }
        const response = await dispatcher.request({
          path,
          method: 'POST',
          headers,
          body,
          signal: controller.signal,
          opaque: state,
        });
        httpStatus = response.statusCode;
        if (response.statusCode < 200 || response.statusCode >= 300) {
          let text = '';
          try {
            for await (const part of response.body) {
              text += (part as Buffer).toString('utf8');
              if (text.length >= BODY_EXCERPT_BYTES) break;
            }
          } catch {
            // The status is the error; an unreadable body adds nothing.
          }
          state.fail(`http_${response.statusCode}`, redact(excerpt(text, BODY_EXCERPT_BYTES)));
          retryAfterMs = parseRetryAfter(response.headers['retry-after'], Date.now());
          if (!response.body.destroyed) response.body.destroy();
        } else {
          // The tap has fed the parser as the bytes arrived; the body only signals the end.
          for await (const part of response.body) void part;
          state.parser.end();
          if (state.errorCode === null) {
            const contentType = response.headers['content-type'];
            const type = Array.isArray(contentType) ? contentType.join(',') : (contentType ?? '');
            if (!state.sawDone && state.eventTimesMs.length === 0 && !type.includes('text/event-stream')) {
              state.fail('no_done', `server answered ${type || 'without a content type'}, not an SSE stream`);
            } else if (!state.sawDone) state.fail('no_done', 'stream ended without [DONE]');
            else if (state.eventTimesMs.length === 0) state.fail('empty_response', 'no generated token');
          }
        }
      }
    } catch (error) {
      const code = closed
        ? 'aborted'
        : cancelled
          ? 'cancelled'
          : classify(error, timedOut, callerAborted, httpStatus);
      state.fail(code, redact(describe(error)));
    } finally {
      clearTimeout(timer);
      if (cancelTimer !== null) clearTimeout(cancelTimer);
      if (signal !== undefined) signal.removeEventListener('abort', onCallerAbort);
    }
    const tDoneMs = performance.now();
    if (!Number.isNaN(state.tWriteMs)) tSendMs = state.tWriteMs;
    // Whatever the server echoed, the key never leaves this function; error details also lose the
    // endpoint's address. Generated text keeps everything but the key (it may be scored).
    if (state.errorDetail !== undefined) state.errorDetail = redact(state.errorDetail);
    if (apiKey !== null && state.text !== undefined) state.text = state.text.split(apiKey).join('[redacted]');
    stats.inFlight--;
    stats.done++;
    const record = state.toRecord({
      id,
      worker,
      tSchedMs,
      tSendMs,
      tDoneMs,
      httpStatus,
      inputTokens: spec.inputTokens ?? null,
      warmup: meta?.warmup ?? false,
      sessionId: spec.sessionId,
      turn: spec.turn,
      tag: spec.tag,
    });
    return retryAfterMs === undefined ? record : { ...record, retryAfterMs };
  };

  return {
    send,
    stats,
    close: async () => {
      if (closed) return;
      closed = true;
      await pool.destroy();
    },
  };
}

/** Retry-After as delay-seconds or an HTTP date, in ms from `nowMs`; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | string[] | undefined, nowMs: number): number | undefined {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (text === undefined || text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const at = Date.parse(text);
  return Number.isFinite(at) ? Math.max(0, at - nowMs) : undefined;
}

const CONNECT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_DESTROYED',
  'UND_ERR_CLOSED',
]);

function classify(
  error: unknown,
  timedOut: boolean,
  callerAborted: boolean,
  httpStatus: number | null,
): ErrorCode {
  if (timedOut) return 'timeout';
  if (callerAborted) return 'aborted';
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'UND_ERR_BODY_TIMEOUT') return 'stall';
  if (code === 'UND_ERR_HEADERS_TIMEOUT') return 'timeout';
  if (typeof code === 'string' && CONNECT_CODES.has(code) && httpStatus === null) return 'connect_error';
  const causeCode = (error as { cause?: { code?: unknown } } | null)?.cause?.code;
  if (typeof causeCode === 'string' && CONNECT_CODES.has(causeCode) && httpStatus === null)
    return 'connect_error';
  return 'reset';
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return excerpt(typeof code === 'string' ? `${code}: ${error.message}` : error.message, 200);
  }
  return excerpt(String(error), 200);
}
