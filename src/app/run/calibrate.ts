// `bench doctor --calibrate`: this host's client ceiling — how many req/s and tok/s one bench process
// can drive and ingest — measured against the embedded engine in no-delay mode, in another process
// (so the engine's work is not charged to the client's event loop).
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { createStreamClient, resolvePointConfig, runPoint } from '../../harness/index.js';
import type { ClientCeiling } from './calibration.js';
import { UsageError } from '../errors.js';

export const CALIBRATION_CONCURRENCY = 256;
export const CALIBRATION_OUTPUT_TOKENS = 256;
export const CALIBRATION_DURATION_S = 8;

async function startEngineProcess(): Promise<{ child: ChildProcess; baseUrl: string }> {
  const entry = process.argv[1];
  if (!entry) throw new UsageError('cannot locate the bench entry script to start the engine', 'E_CALIBRATE');
  const child = spawn(
    process.execPath,
    [...process.execArgv, entry, 'engine', 'serve', '--timing', 'nodelay', '--port', '0'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout });
  const baseUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new UsageError('the calibration engine did not start in 15 s', 'E_CALIBRATE')),
      15_000,
    );
    lines.on('line', (line) => {
      const match = /(http:\/\/\S+\/v1)/.exec(line);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new UsageError(`the calibration engine exited (code ${code})`, 'E_CALIBRATE'));
    });
  });
  return { child, baseUrl };
}

export async function measureClientCeiling(onProgress: (line: string) => void): Promise<ClientCeiling> {
  onProgress(
    `calibrating: closed loop at concurrency ${CALIBRATION_CONCURRENCY}, ${CALIBRATION_OUTPUT_TOKENS} tokens per request, ` +
      `${CALIBRATION_DURATION_S} s, against a no-delay engine in another process`,
  );
  const { child, baseUrl } = await startEngineProcess();
  const client = createStreamClient({
    baseUrl,
    endpointType: 'chat',
    model: 'meta-llama/Llama-3.1-8B-Instruct',
    connections: CALIBRATION_CONCURRENCY,
  });
  try {
    const result = await runPoint(
      resolvePointConfig({
        mode: 'closed',
        concurrency: CALIBRATION_CONCURRENCY,
        durationS: CALIBRATION_DURATION_S,
        warmupRequests: 16,
        gate: { enabled: false },
        drainGraceS: 5,
        seed: 1,
        sloTemplate: null,
      }),
      {
        client,
        workload: {
          request: (i) => ({
            messages: [{ role: 'user', content: `calibration request ${i}` }],
            maxTokens: CALIBRATION_OUTPUT_TOKENS,
            extraBody: { ignore_eos: true },
          }),
        },
      },
    );
    const reqPerS = result.detail.reqPerSAll ?? 0;
    const tokPerS = result.detail.throughputTokPerS ?? 0;
    onProgress(`client ceiling: ${reqPerS.toFixed(1)} req/s, ${tokPerS.toFixed(0)} tok/s`);
    return { reqPerS, tokPerS, concurrency: CALIBRATION_CONCURRENCY, durationS: result.window.durationS };
  } finally {
    await client.close();
    child.kill('SIGTERM');
  }
}
