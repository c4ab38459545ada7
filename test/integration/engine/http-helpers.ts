// Test helper: a raw node:http client that stamps every SSE event on arrival (epoch ms, the truth log's clock).
import { request } from 'node:http';
import { performance } from 'node:perf_hooks';

export interface SseResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Raw `data:` payloads in order. */
  data: string[];
  /** Arrival stamp of each data payload. */
  arrivalMs: number[];
  /** Non-SSE body (errors, non-streaming). */
  body: string;
  error?: string;
}

export function post(
  baseUrl: string,
  path: string,
  payload: unknown,
  headers: Record<string, string> = {},
  opts: { abortAfterMs?: number; raw?: string } = {},
): Promise<SseResult> {
  const url = new URL(`${baseUrl}${path}`);
  const text = opts.raw ?? JSON.stringify(payload);
  return new Promise((resolve) => {
    const out: SseResult = { status: 0, headers: {}, data: [], arrivalMs: [], body: '' };
    let buffer = '';
    let settled = false;
    const finish = (error?: string): void => {
      if (settled) return;
      settled = true;
      if (error) out.error = error;
      resolve(out);
    };
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(text),
          ...headers,
        },
      },
      (res) => {
        out.status = res.statusCode ?? 0;
        out.headers = res.headers;
        const sse = String(res.headers['content-type'] ?? '').startsWith('text/event-stream');
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          const now = performance.timeOrigin + performance.now();
          if (!sse) {
            out.body += chunk;
            return;
          }
          buffer += chunk;
          let at: number;
          while ((at = buffer.indexOf('\n\n')) >= 0) {
            const event = buffer.slice(0, at);
            buffer = buffer.slice(at + 2);
            if (event.startsWith('data: ')) {
              out.data.push(event.slice(6));
              out.arrivalMs.push(now);
            }
          }
        });
        res.on('end', () => finish());
        res.on('error', (e) => finish(e.message));
        res.on('aborted', () => finish('aborted'));
        res.on('close', () => finish(res.complete ? undefined : 'closed'));
      },
    );
    req.on('error', (e) => finish((e as NodeJS.ErrnoException).code ?? e.message));
    if (opts.abortAfterMs !== undefined) {
      setTimeout(() => {
        if (!settled) {
          req.destroy();
          finish('client-timeout');
        }
      }, opts.abortAfterMs);
    }
    req.end(text);
  });
}

export async function get(baseUrl: string, path: string): Promise<{ status: number; body: string }> {
  const res = await fetch(`${baseUrl}${path}`);
  return { status: res.status, body: await res.text() };
}

export const chatBody = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  model: 'meta-llama/Llama-3.1-8B-Instruct',
  messages: [{ role: 'user', content: 'Tell me about the sea.' }],
  stream: true,
  stream_options: { include_usage: true },
  max_tokens: 8,
  ...over,
});
