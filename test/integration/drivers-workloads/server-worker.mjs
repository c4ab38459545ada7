// The loopback OpenAI-style streaming server in a worker thread (plain JS: workers load no TS
// loader), so that a test's event loop only carries the client side. Replies with `words` tokens
// after `delayMs`.
import { Buffer } from 'node:buffer';
import { createServer } from 'node:http';
import process from 'node:process';
import { setTimeout } from 'node:timers';
import { parentPort, workerData } from 'node:worker_threads';

let received = 0;
const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    const n = received++;
    setTimeout(() => reply(res, body, n), workerData.delayMs);
  });
});

function reply(res, body, n) {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  const words = Math.min(workerData.words, body.max_tokens);
  for (let i = 0; i < words; i++) {
    const text = i === 0 ? `reply${n}` : ` w${i}`;
    res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: text } }] })}\n\n`);
  }
  res.end('data: [DONE]\n\n');
}

server.listen(0, '127.0.0.1', () => {
  parentPort.postMessage({ baseUrl: `http://127.0.0.1:${server.address().port}/v1` });
});
parentPort.on('message', (message) => {
  if (message === 'count') parentPort.postMessage({ count: received });
  if (message === 'close') {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  }
});
