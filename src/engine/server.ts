// The embedded engine's HTTP server (node:http, no framework): OpenAI-compatible routes shaped like vLLM's.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { ModelSpec } from './catalog.js';
import { EngineError } from './errors.js';
import type { EngineMetrics } from './metrics.js';
import type { Rng } from '../lib/rng.js';
import { judgeReply, replyTokens } from './judge.js';
import { FAULT_KINDS, ResponseStream, type FaultKind, type StreamHooks } from './stream.js';
import { blockHashes, chatPrompt, completionPrompt } from './text.js';
import type { TimingDriver } from './timing.js';
import { epochNowMs, type TruthLog } from './truthlog.js';
import type { EngineCounters, EngineOptions } from './types.js';

export const ENGINE_VERSION = '0.1.0-sim';
/**
 * Every response carries `x-inferencebench-engine: sim/<version>` so a client pointed at the engine
 * through --base-url can tell it is simulated (docs/engine.md "Self-identification").
 */
export const ENGINE_ID_HEADER = 'x-inferencebench-engine';
export const ENGINE_ID = `sim/${ENGINE_VERSION}`;
const MAX_BODY_BYTES = 32 * 1024 * 1024;
const KNOWN_ROUTES = new Set([
  '/v1/chat/completions',
  '/v1/completions',
  '/v1/models',
  '/health',
  '/version',
  '/metrics',
]);

export interface ServerDeps {
  readonly options: EngineOptions;
  readonly modelId: string;
  readonly modelSpec: ModelSpec | null;
  readonly contextLength: number;
  /** Longest prompt + output the KV cache can ever hold (sim); Infinity otherwise. */
  readonly maxSequenceTokens: number;
  readonly blockSize: number;
  readonly driver: TimingDriver;
  readonly metrics: EngineMetrics;
  readonly truth: TruthLog | null;
  readonly faultRng: Rng;
  readonly lengthRng: Rng;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

function sendError(res: ServerResponse, status: number, type: string, message: string): void {
  const body = JSON.stringify({ object: 'error', message, type, param: null, code: status });
  res.writeHead(status, {
    'content-type': 'application/json',
    ...(status === 429 ? { 'retry-after': '1' } : {}),
  });
  res.end(body);
}

function sendJson(res: ServerResponse, value: unknown): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(value));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new HttpError(413, 'BadRequestError', 'request body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function positiveInt(value: unknown, name: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new HttpError(400, 'BadRequestError', `${name} must be a positive integer`);
  }
  return value;
}

export interface LengthChoice {
  readonly tokens: number;
  readonly finishReason: 'stop' | 'length';
}

/**
 * Output length: `ignore_eos` → exactly max_tokens; otherwise a seeded draw around defaultOutputTokens
 * (normal, sd 20 %), raised to min_tokens and capped by max_tokens and the context window.
 */
export function chooseOutputTokens(
  body: Record<string, unknown>,
  defaultOutputTokens: number,
  rng: Rng,
  roomTokens: number,
): LengthChoice {
  const maxTokens = positiveInt(body.max_completion_tokens ?? body.max_tokens, 'max_tokens');
  const minTokens = body.min_tokens === 0 ? undefined : positiveInt(body.min_tokens, 'min_tokens');
  const cap = Math.min(maxTokens ?? Infinity, roomTokens);
  let n: number;
  if (body.ignore_eos === true) n = maxTokens ?? defaultOutputTokens;
  else {
    n = Math.max(1, Math.round(defaultOutputTokens * (1 + 0.2 * rng.normal())));
    if (minTokens !== undefined) n = Math.max(n, minTokens);
  }
  n = Math.max(1, Math.min(n, cap));
  return {
    tokens: n,
    finishReason: maxTokens !== undefined && n >= maxTokens ? 'length' : n >= cap ? 'length' : 'stop',
  };
}

export function drawFault(rates: EngineOptions['faults'], rng: Rng): FaultKind {
  const u = rng.next();
  let acc = 0;
  for (const kind of ['http500', 'http429', 'reset', 'malformed', 'stall'] as const) {
    acc += rates[kind] ?? 0;
    if (u < acc) return kind;
  }
  return 'none';
}

export class EngineServer {
  readonly server: Server;
  private readonly deps: ServerDeps;
  private readonly live = new Set<ResponseStream>();
  private readonly hooks: StreamHooks;
  private received = 0;
  private completed = 0;
  private events = 0;
  private idCounter = 0;
  private readonly idBase: string;
  private readonly acceptedModels: Set<string>;

  constructor(deps: ServerDeps) {
    this.deps = deps;
    this.idBase = (deps.options.seed >>> 0).toString(16).padStart(8, '0');
    this.acceptedModels = new Set(
      [deps.modelId, ...(deps.modelSpec ? [deps.modelSpec.id, ...deps.modelSpec.aliases] : [])].map((m) =>
        m.toLowerCase(),
      ),
    );
    const metrics = deps.metrics;
    this.hooks = {
      onFirstToken: (s) => {
        metrics.ttft.observe(Math.max(0, s.firstTokenMs - s.init.receivedMs) / 1000);
        metrics.promptTokens += s.init.promptTokens;
      },
      onFinished: (s) => {
        this.live.delete(s);
        this.completed += 1;
        metrics.generationTokens += s.emitted;
        metrics.countSuccess(s.init.finishReason);
        metrics.e2e.observe(Math.max(0, s.lastTokenMs - s.init.receivedMs) / 1000);
        if (s.emitted >= 2) metrics.tpot.observe((s.lastTokenMs - s.firstTokenMs) / (s.emitted - 1) / 1000);
        deps.driver.finished(s);
      },
      onGone: (s) => {
        this.live.delete(s);
        metrics.generationTokens += s.emitted;
        deps.driver.gone(s);
      },
      countEvents: (n) => {
        this.events += n;
      },
    };
    this.server = createServer((req, res) => {
      res.setHeader(ENGINE_ID_HEADER, ENGINE_ID);
      this.route(req, res).catch((error: unknown) => {
        if (res.headersSent) {
          res.destroy();
          return;
        }
        if (error instanceof HttpError) sendError(res, error.status, error.type, error.message);
        else
          sendError(res, 500, 'InternalServerError', error instanceof Error ? error.message : String(error));
      });
    });
    this.server.keepAliveTimeout = 30_000;
  }

  counters(): EngineCounters {
    return { requestsReceived: this.received, requestsCompleted: this.completed, eventsWritten: this.events };
  }

  listen(host: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException): void => {
        reject(
          new EngineError(
            `cannot listen on ${host}:${port}: ${error.code ?? error.message}`,
            error.code === 'EADDRINUSE' ? 'E_ENGINE_PORT_IN_USE' : 'E_ENGINE_LISTEN',
          ),
        );
      };
      this.server.once('error', onError);
      this.server.listen(port, host, () => {
        this.server.off('error', onError);
        resolve((this.server.address() as AddressInfo).port);
      });
    });
  }

  async close(): Promise<void> {
    this.deps.driver.close();
    for (const s of [...this.live]) s.abandon();
    this.live.clear();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q >= 0 ? url.slice(0, q) : url;
    const method = req.method ?? 'GET';
    if (method === 'POST' && path === '/v1/chat/completions') return this.completion(req, res, 'chat');
    if (method === 'POST' && path === '/v1/completions') return this.completion(req, res, 'completions');
    if (method === 'GET' && path === '/v1/models') return this.models(res);
    if (method === 'GET' && path === '/health') {
      res.writeHead(200);
      res.end();
      return;
    }
    if (method === 'GET' && path === '/version')
      return sendJson(res, { version: ENGINE_VERSION, engine: 'inferencebench-sim', simulated: true });
    if (method === 'GET' && path === '/metrics') {
      const text = this.deps.metrics.render(
        this.deps.driver.stats(),
        this.deps.driver.gpuReadings(),
        performance.now(),
      );
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
      res.end(text);
      return;
    }
    if (KNOWN_ROUTES.has(path))
      sendError(res, 405, 'MethodNotAllowed', `Method Not Allowed: ${method} ${path}`);
    else sendError(res, 404, 'NotFoundError', `Not Found: ${method} ${path}`);
  }

  private models(res: ServerResponse): void {
    const created = Math.floor(Date.now() / 1000);
    sendJson(res, {
      object: 'list',
      data: [
        {
          id: this.deps.modelId,
          object: 'model',
          created,
          owned_by: 'vllm',
          root: this.deps.modelId,
          parent: null,
          max_model_len: this.deps.contextLength,
          permission: [],
        },
      ],
    });
  }

  private async completion(
    req: IncomingMessage,
    res: ServerResponse,
    kind: 'chat' | 'completions',
  ): Promise<void> {
    const receivedMs = epochNowMs();
    this.received += 1;
    const text = await readBody(req);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new HttpError(400, 'BadRequestError', 'request body is not valid JSON');
    }
    if (!body || typeof body !== 'object' || Array.isArray(body)) {
      throw new HttpError(400, 'BadRequestError', 'request body must be a JSON object');
    }
    const b = body as Record<string, unknown>;
    if (
      b.model !== undefined &&
      (typeof b.model !== 'string' || !this.acceptedModels.has(b.model.toLowerCase()))
    ) {
      throw new HttpError(
        404,
        'NotFoundError',
        `The model \`${typeof b.model === 'string' ? b.model : JSON.stringify(b.model)}\` does not exist.`,
      );
    }
    const prompt = kind === 'chat' ? chatPrompt(b.messages) : completionPrompt(b.prompt);
    if (!prompt) {
      throw new HttpError(
        400,
        'BadRequestError',
        kind === 'chat' ? 'messages must be a non-empty array of {role, content}' : 'prompt must be a string',
      );
    }
    const { options } = this.deps;
    const window = Math.min(this.deps.contextLength, this.deps.maxSequenceTokens);
    if (prompt.tokens >= window) {
      throw new HttpError(
        400,
        'BadRequestError',
        `This model's maximum context length is ${window} tokens. However, you requested ${prompt.tokens} tokens in the messages.`,
      );
    }
    const judgeText = judgeReply(prompt.text);
    const judgeTokens = judgeText === null ? null : replyTokens(judgeText);
    const length =
      judgeTokens !== null
        ? { tokens: judgeTokens.length, finishReason: 'stop' as const }
        : chooseOutputTokens(b, options.defaultOutputTokens, this.deps.lengthRng, window - prompt.tokens);
    const header = req.headers['x-sim-fault'];
    let fault: FaultKind;
    if (typeof header === 'string' && header.length > 0) {
      if (!(FAULT_KINDS as readonly string[]).includes(header)) {
        throw new HttpError(400, 'BadRequestError', `x-sim-fault must be one of ${FAULT_KINDS.join('|')}`);
      }
      fault = header as FaultKind;
    } else fault = drawFault(options.faults, this.deps.faultRng);
    const requestIdHeader = req.headers['x-request-id'];
    const requestId =
      typeof requestIdHeader === 'string' && requestIdHeader.length > 0 ? requestIdHeader : null;
    this.idCounter += 1;
    const id = `${kind === 'chat' ? 'chatcmpl' : 'cmpl'}-${requestId ?? `${this.idBase}${this.idCounter.toString(16).padStart(8, '0')}`}`;
    if (fault === 'http500' || fault === 'http429') {
      this.deps.truth?.write({
        id,
        requestId,
        receivedMs,
        tokenWriteMs: [],
        tokens: [],
        promptTokens: prompt.tokens,
        completionTokens: 0,
        outcome: fault,
      });
      if (fault === 'http500') sendError(res, 500, 'InternalServerError', 'simulated internal server error');
      else sendError(res, 429, 'TooManyRequestsError', 'simulated rate limit: too many requests');
      return;
    }
    const streamOptions = b.stream_options as { include_usage?: unknown } | undefined;
    const stream = new ResponseStream({
      res,
      kind,
      id,
      requestId,
      created: Math.floor(Date.now() / 1000),
      model: typeof b.model === 'string' ? b.model : this.deps.modelId,
      stream: b.stream === true,
      includeUsage: b.stream === true && streamOptions?.include_usage === true,
      promptTokens: prompt.tokens,
      outputTokens: length.tokens,
      reasoningTokens: kind === 'chat' && judgeTokens === null ? options.reasoningTokens : 0,
      finishReason: length.finishReason,
      fault,
      receivedMs,
      truth: this.deps.truth,
      hooks: this.hooks,
      ...(judgeTokens !== null ? { text: judgeTokens } : {}),
    });
    this.live.add(stream);
    stream.begin();
    this.deps.driver.submit(stream, {
      promptTokens: prompt.tokens,
      blockHashes: options.prefixCaching ? blockHashes(prompt.text, prompt.tokens, this.deps.blockSize) : [],
    });
  }
}
