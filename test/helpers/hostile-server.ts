// A loopback HTTP server whose every response is written by the test: for hostile-server cases
// (huge or endless SSE lines, compressed streams, 429 storms…). Tracks sockets so close() is prompt.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type HostileHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  body: string,
) => void | Promise<void>;

export interface HostileServer {
  readonly baseUrl: string;
  readonly origin: string;
  /** Request headers seen, in order. */
  readonly requests: IncomingMessage['headers'][];
  close(): Promise<void>;
}

export async function startHostileServer(handler: HostileHandler): Promise<HostileServer> {
  const sockets = new Set<Socket>();
  const requests: IncomingMessage['headers'][] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (part: Buffer) => (body += part.toString('utf8')));
    req.on('end', () => {
      requests.push(req.headers);
      Promise.resolve(handler(req, res, body)).catch(() => res.destroy());
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    baseUrl: `${origin}/v1`,
    origin,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** One OpenAI chat chunk carrying `content`. */
export function chatEvent(content: string, finish: string | null = null): string {
  return `data: ${JSON.stringify({
    id: 'chatcmpl-h',
    object: 'chat.completion.chunk',
    created: 0,
    model: 'm',
    choices: [{ index: 0, delta: { content }, logprobs: null, finish_reason: finish }],
  })}\n\n`;
}

/** A complete, well-formed stream of `tokens` content events, a usage chunk and [DONE]. */
export function chatStream(tokens: number): string {
  let text = chatEvent('', null).replace('"content":""', '"role":"assistant","content":""');
  for (let i = 0; i < tokens; i++) text += chatEvent(` t${i}`);
  text += chatEvent('', 'stop');
  text += `data: ${JSON.stringify({ id: 'chatcmpl-h', choices: [], usage: { prompt_tokens: 3, completion_tokens: tokens } })}\n\n`;
  return `${text}data: [DONE]\n\n`;
}
