// A tiny, real node:http SSE server for client tests. Each request picks its stream shape or fault
// with the `x-test-scenario` header: `name;tokens=5;delayMs=2`. Deterministic: no randomness.
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface TestServer {
  readonly baseUrl: string;
  readonly port: number;
  readonly requests: { scenario: string; authorization: string | undefined; body: Record<string, unknown> }[];
  eventsWritten: number;
  close(): Promise<void>;
}

export interface ScenarioParams {
  tokens: number;
  delayMs: number;
}

export function scenario(name: string, params: Partial<ScenarioParams> = {}): Record<string, string> {
  const parts = [name];
  for (const [key, value] of Object.entries(params)) parts.push(`${key}=${value}`);
  return { 'x-test-scenario': parts.join(';') };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const hang = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms).unref());

function chatChunk(delta: Record<string, unknown>, finish: string | null = null): string {
  return JSON.stringify({
    id: 'chatcmpl-test',
    object: 'chat.completion.chunk',
    created: 0,
    model: 'test-model',
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
  });
}

function completionChunk(text: string, finish: string | null = null): string {
  return JSON.stringify({
    id: 'cmpl-test',
    object: 'text_completion',
    created: 0,
    model: 'test-model',
    choices: [{ index: 0, text, logprobs: null, finish_reason: finish }],
  });
}

function usageChunk(prompt: number, completion: number, reasoning?: number): string {
  const usage: Record<string, unknown> = {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
  };
  if (reasoning !== undefined) usage.completion_tokens_details = { reasoning_tokens: reasoning };
  return JSON.stringify({ id: 'chatcmpl-test', object: 'chat.completion.chunk', choices: [], usage });
}

const ev = (data: string, eol = '\n'): string => `data: ${data}${eol}${eol}`;

export async function startTestServer(): Promise<TestServer> {
  const requests: TestServer['requests'] = [];
  const sockets = new Set<Socket>();
  const state = { eventsWritten: 0, driftCount: 0 };

  const write = async (res: ServerResponse, text: string, delayMs: number): Promise<void> => {
    if (res.destroyed) return;
    if (!res.write(text)) await once(res, 'drain');
    if (delayMs > 0) await sleep(delayMs);
    else await new Promise((resolve) => setImmediate(resolve));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    let raw = '';
    for await (const part of req) raw += (part as Buffer).toString('utf8');
    const body = raw.length > 0 ? (JSON.parse(raw) as Record<string, unknown>) : {};
    const header = req.headers['x-test-scenario'];
    const spec = typeof header === 'string' ? header : 'ok';
    const [name = 'ok', ...kv] = spec.split(';');
    const params: ScenarioParams = { tokens: 5, delayMs: 0 };
    for (const pair of kv) {
      const [key, value] = pair.split('=');
      if (key === 'tokens' || key === 'delayMs') params[key] = Number(value);
    }
    requests.push({ scenario: name, authorization: req.headers.authorization, body });
    const completions = req.url?.endsWith('/completions') === true && req.url.includes('/chat/') === false;
    const content = (text: string): string =>
      completions ? completionChunk(text) : chatChunk({ content: text });
    const n = params.tokens;
    if (name === 'drift') {
      // Each request decodes slower than the previous one: a stream that never converges.
      state.driftCount++;
      params.delayMs = 1 + state.driftCount;
    }

    if (name === 'http500' || name === 'http429') {
      res.writeHead(name === 'http500' ? 500 : 429, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: `simulated ${name}`, type: 'server_error' } }));
      return;
    }
    if (name === 'echo_auth_401') {
      res.writeHead(401, { 'content-type': 'text/plain' });
      res.end(`bad key: ${req.headers.authorization ?? ''}`);
      return;
    }
    if (name === 'json_body') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ choices: [{ message: { content: 'not streamed' } }] }));
      return;
    }
    if (name === 'reset_before_headers') {
      req.socket.destroy();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const eol = name === 'crlf' ? '\r\n' : '\n';
    const send = async (data: string): Promise<void> => {
      state.eventsWritten++;
      await write(res, ev(data, eol), params.delayMs);
    };
    if (!completions) await send(chatChunk({ role: 'assistant', content: '' }));

    switch (name) {
      case 'ok':
      case 'drift':
      case 'crlf':
      case 'no_usage':
      case 'no_done':
      case 'slow':
      case 'stall_mid': {
        for (let i = 0; i < n; i++) {
          await send(content(`tok${i} `));
          if (name === 'stall_mid' && i === 1) {
            await hang(60_000);
            return;
          }
        }
        await send(completions ? completionChunk('', 'length') : chatChunk({}, 'length'));
        if (name !== 'no_usage') await send(usageChunk(7, n));
        if (name === 'no_done') {
          res.end();
          return;
        }
        break;
      }
      case 'comments': {
        await write(res, ': keep-alive\n\n', params.delayMs);
        for (let i = 0; i < n; i++) {
          await write(res, `: ping ${i}\n`, 0);
          await send(content(`tok${i} `));
        }
        await send(usageChunk(7, n));
        break;
      }
      case 'coalesced': {
        let text = '';
        for (let i = 0; i < n; i++) text += ev(content(`tok${i} `));
        text += ev(usageChunk(7, n)) + ev('[DONE]');
        state.eventsWritten += n + 2;
        res.end(text);
        return;
      }
      case 'split': {
        // Each event is written in 3 pieces with a pause, so it spans several socket reads.
        for (let i = 0; i < n; i++) {
          const text = ev(content(`tok${i} `));
          const a = Math.floor(text.length / 3);
          const b = Math.floor((2 * text.length) / 3);
          state.eventsWritten++;
          await write(res, text.slice(0, a), 3);
          await write(res, text.slice(a, b), 3);
          await write(res, text.slice(b), 3);
        }
        await send(usageChunk(7, n));
        break;
      }
      case 'reasoning':
      case 'reasoning_field': {
        const field = name === 'reasoning' ? 'reasoning_content' : 'reasoning';
        for (let i = 0; i < 3; i++) await send(chatChunk({ [field]: `think${i} ` }));
        for (let i = 0; i < n; i++) await send(chatChunk({ content: `tok${i} ` }));
        await send(usageChunk(7, n + 3, 3));
        break;
      }
      case 'multi': {
        // 3 tokens per event ("a b c"), usage reports the exact total.
        for (let i = 0; i < n; i++) await send(content(`a${i} b${i} c${i} `));
        await send(usageChunk(7, 3 * n));
        break;
      }
      case 'continuous_usage': {
        let total = 0;
        for (let i = 0; i < n; i++) {
          const k = (i % 3) + 1;
          total += k;
          const chunk = JSON.parse(chatChunk({ content: `x${i} `.repeat(k) })) as Record<string, unknown>;
          chunk.usage = { prompt_tokens: 7, completion_tokens: total, total_tokens: 7 + total };
          await send(JSON.stringify(chunk));
        }
        await send(usageChunk(7, total));
        break;
      }
      case 'echo_auth_stream': {
        await send(content(`you sent ${req.headers.authorization ?? ''}`));
        await write(res, `data: {broken ${req.headers.authorization ?? ''}\n\n`, 0);
        break;
      }
      case 'reset': {
        for (let i = 0; i < 2; i++) await send(content(`tok${i} `));
        res.socket?.destroy();
        return;
      }
      case 'malformed': {
        await send(content('tok0 '));
        await write(res, 'data: {not json\n\n', 0);
        await send(content('tok1 '));
        await send(usageChunk(7, 2));
        break;
      }
      case 'server_error': {
        await send(content('tok0 '));
        await send(JSON.stringify({ error: { message: 'engine overloaded', code: 503 } }));
        break;
      }
      case 'empty': {
        await send(chatChunk({}, 'stop'));
        await send(usageChunk(7, 0));
        break;
      }
      case 'stall': {
        await send(content('tok0 '));
        await hang(60_000);
        return;
      }
      default:
        break;
    }
    await send('[DONE]');
    res.end();
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  server.keepAliveTimeout = 30_000;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    port,
    requests,
    get eventsWritten() {
      return state.eventsWritten;
    },
    set eventsWritten(value: number) {
      state.eventsWritten = value;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, 'close').catch(() => undefined);
    },
  };
}
