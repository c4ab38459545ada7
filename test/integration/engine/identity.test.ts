// The embedded engine names itself on every response, and a client pointed at it through a plain base
// URL can tell it is simulated: probe /version (header and body) and DCGM series marked simulated.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINE_VERSION, startEngine, type EngineHandle } from '../../../src/engine/index.js';
import {
  ENGINE_ID_HEADER,
  identityFromHeader,
  probeEngineIdentity,
  startTelemetry,
} from '../../../src/telemetry/index.js';

const chat = {
  model: 'meta-llama/Llama-3.1-8B-Instruct',
  messages: [{ role: 'user', content: 'hi' }],
  stream: true,
  max_tokens: 3,
};

describe('engine self-identification', () => {
  let engine: EngineHandle;
  let root: string;
  beforeAll(async () => {
    engine = await startEngine({ timing: 'nodelay' });
    root = engine.baseUrl.replace(/\/v1$/, '');
  });
  afterAll(async () => {
    await engine.close();
  });

  it('every response carries x-inferencebench-engine: sim/<version> (success, error, stream, metrics)', async () => {
    const want = `sim/${ENGINE_VERSION}`;
    const responses = await Promise.all([
      fetch(`${root}/version`),
      fetch(`${root}/health`),
      fetch(`${root}/metrics`),
      fetch(`${engine.baseUrl}/models`),
      fetch(`${root}/nope`),
      fetch(`${engine.baseUrl}/chat/completions`, { method: 'POST', body: 'not json' }),
      fetch(`${engine.baseUrl}/chat/completions`, { method: 'POST', body: JSON.stringify(chat) }),
      fetch(`${engine.baseUrl}/chat/completions`, {
        method: 'POST',
        body: JSON.stringify(chat),
        headers: { 'x-sim-fault': 'http500' },
      }),
    ]);
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 404, 400, 200, 500]);
    for (const r of responses) {
      expect(r.headers.get(ENGINE_ID_HEADER)).toBe(want);
      await r.text();
    }
    expect(ENGINE_VERSION).toBe('0.1.0-sim');
  });

  it('/version says simulated in the body too', async () => {
    const body = (await (await fetch(`${root}/version`)).json()) as Record<string, unknown>;
    expect(body).toEqual({ version: '0.1.0-sim', engine: 'inferencebench-sim', simulated: true });
  });

  it('probeEngineIdentity finds it from the base URL alone', async () => {
    expect(await probeEngineIdentity(engine.baseUrl)).toEqual({
      simulated: true,
      engineId: 'sim/0.1.0-sim',
      evidence: 'header',
    });
  });

  it('its DCGM series are marked simulated: telemetry reports the source as engine, not dcgm', async () => {
    const t = await startTelemetry({
      nvml: false,
      dcgmUrl: `${root}/metrics`,
      dcgmSource: 'dcgm',
      raplRoot: '/nonexistent',
    });
    try {
      expect(t.source).toBe('engine');
      expect(t.snapshot().source).toBe('engine');
      expect(t.gpuNames).toEqual(['NVIDIA H100 80GB HBM3']);
    } finally {
      await t.stop();
    }
  });
});

describe('a real-looking server is not mistaken for the simulator', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/version') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ version: '0.11.0' }));
      } else if (req.url === '/metrics') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end(
          'DCGM_FI_DEV_POWER_USAGE{gpu="0",modelName="NVIDIA H100 80GB HBM3",Hostname="node7"} 312.5\n' +
            'DCGM_FI_DEV_GPU_UTIL{gpu="0",modelName="NVIDIA H100 80GB HBM3",Hostname="node7"} 87\n',
        );
      } else {
        res.writeHead(404);
        res.end();
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('vLLM-like /version and a DCGM exporter stay real', async () => {
    expect(await probeEngineIdentity(`${base}/v1`)).toEqual({
      simulated: false,
      engineId: null,
      evidence: null,
    });
    const t = await startTelemetry({ nvml: false, dcgmUrl: `${base}/metrics`, raplRoot: '/nonexistent' });
    try {
      expect(t.source).toBe('dcgm');
    } finally {
      await t.stop();
    }
  });

  it('an unreachable endpoint is simply not identified', async () => {
    expect(await probeEngineIdentity('http://127.0.0.1:1/v1', { timeoutMs: 300 })).toEqual({
      simulated: false,
      engineId: null,
      evidence: null,
    });
    expect(identityFromHeader(['sim/9.9-sim'])).toEqual({
      simulated: true,
      engineId: 'sim/9.9-sim',
      evidence: 'header',
    });
    expect(identityFromHeader('vllm/0.11')).toEqual({
      simulated: false,
      engineId: 'vllm/0.11',
      evidence: 'header',
    });
    expect(identityFromHeader(undefined)).toBeNull();
  });
});
