// `bench engine serve`: runs the embedded simulated engine standalone until SIGINT/SIGTERM.
import type { Command } from 'commander';
import { Option } from 'commander';
import { startEngine, type EngineOptions } from '../../engine/index.js';
import { UsageError } from '../errors.js';
import { isClusterWorker, serveAsClusterWorker, startEngineCluster } from './engine-cluster.js';

interface ServeFlags {
  port: string;
  host: string;
  model?: string;
  hardware?: string;
  quant?: string;
  tp: string;
  timing: 'sim' | 'fixed' | 'nodelay';
  ttftMs?: string;
  ttftJitterMs?: string;
  itlMs?: string;
  itlJitterMs?: string;
  seed: string;
  outputTokens?: string;
  reasoningTokens?: string;
  tokensPerChunk?: string;
  fault500?: string;
  fault429?: string;
  faultReset?: string;
  faultMalformed?: string;
  faultStall?: string;
  prefixCaching: boolean;
  maxNumSeqs?: string;
  maxNumBatchedTokens?: string;
  gpuMemoryUtilization?: string;
  numGpuBlocksOverride?: string;
  catalog?: string[];
  truthLog?: string;
  processes?: string;
}

function num(
  flag: string,
  value: string | undefined,
  check: (n: number) => boolean,
  what: string,
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || !check(n)) {
    throw new UsageError(`${flag} must be ${what} (got '${value}')`);
  }
  return n;
}

const isInt =
  (lo: number, hi = Number.MAX_SAFE_INTEGER) =>
  (n: number) =>
    Number.isInteger(n) && n >= lo && n <= hi;
const isRate = (n: number): boolean => n >= 0 && n <= 1;
const nonNeg = (n: number): boolean => n >= 0;

export function serveOptions(f: ServeFlags): Partial<EngineOptions> {
  const fixed = {
    ...(f.ttftMs !== undefined ? { ttftMs: num('--ttft-ms', f.ttftMs, nonNeg, 'a number ≥ 0') } : {}),
    ...(f.ttftJitterMs !== undefined
      ? { ttftJitterMs: num('--ttft-jitter-ms', f.ttftJitterMs, nonNeg, 'a number ≥ 0') }
      : {}),
    ...(f.itlMs !== undefined ? { itlMs: num('--itl-ms', f.itlMs, nonNeg, 'a number ≥ 0') } : {}),
    ...(f.itlJitterMs !== undefined
      ? { itlJitterMs: num('--itl-jitter-ms', f.itlJitterMs, nonNeg, 'a number ≥ 0') }
      : {}),
  } as Partial<EngineOptions['fixed']>;
  const faults: Record<string, number> = {};
  const rates: Array<[string, string | undefined, string]> = [
    ['http500', f.fault500, '--fault-500'],
    ['http429', f.fault429, '--fault-429'],
    ['reset', f.faultReset, '--fault-reset'],
    ['malformed', f.faultMalformed, '--fault-malformed'],
    ['stall', f.faultStall, '--fault-stall'],
  ];
  for (const [key, value, flag] of rates) {
    const rate = num(flag, value, isRate, 'a rate in [0, 1]');
    if (rate !== undefined) faults[key] = rate;
  }
  const scheduler = {
    ...(f.maxNumSeqs !== undefined
      ? { maxNumSeqs: num('--max-num-seqs', f.maxNumSeqs, isInt(1), 'an integer ≥ 1') }
      : {}),
    ...(f.maxNumBatchedTokens !== undefined
      ? {
          maxNumBatchedTokens: num(
            '--max-num-batched-tokens',
            f.maxNumBatchedTokens,
            isInt(1),
            'an integer ≥ 1',
          ),
        }
      : {}),
    ...(f.gpuMemoryUtilization !== undefined
      ? {
          gpuMemoryUtilization: num(
            '--gpu-memory-utilization',
            f.gpuMemoryUtilization,
            (n) => n > 0 && n <= 1,
            'in (0, 1]',
          ),
        }
      : {}),
    ...(f.numGpuBlocksOverride !== undefined
      ? { numBlocks: num('--num-gpu-blocks-override', f.numGpuBlocksOverride, isInt(1), 'an integer ≥ 1') }
      : {}),
  } as EngineOptions['scheduler'];
  const out: Record<string, unknown> = {
    host: f.host,
    port: num('--port', f.port, isInt(0, 65535), 'a port 0..65535'),
    seed: num('--seed', f.seed, isInt(0), 'an integer ≥ 0'),
    timing: f.timing,
    tensorParallel: num('--tp', f.tp, isInt(1, 64), 'an integer 1..64'),
    prefixCaching: f.prefixCaching,
    fixed,
    faults,
    scheduler,
  };
  if (f.model !== undefined) out.model = f.model;
  if (f.hardware !== undefined) out.hardware = f.hardware;
  if (f.quant !== undefined) out.quant = f.quant;
  const outputTokens = num('--output-tokens', f.outputTokens, isInt(1), 'an integer ≥ 1');
  if (outputTokens !== undefined) out.defaultOutputTokens = outputTokens;
  const reasoning = num('--reasoning-tokens', f.reasoningTokens, isInt(0), 'an integer ≥ 0');
  if (reasoning !== undefined) out.reasoningTokens = reasoning;
  const perChunk = num('--tokens-per-chunk', f.tokensPerChunk, isInt(1, 64), 'an integer 1..64');
  if (perChunk !== undefined) out.tokensPerChunk = perChunk;
  if (f.catalog !== undefined) out.catalogPaths = f.catalog;
  if (f.truthLog !== undefined) out.truthLogPath = f.truthLog;
  return out;
}

async function serveCluster(flags: ServeFlags, processes: number): Promise<void> {
  if (flags.timing === 'sim') {
    throw new UsageError(
      "--processes needs --timing nodelay or fixed: the 'sim' engine's batch lives in one process",
    );
  }
  if (flags.truthLog !== undefined) {
    throw new UsageError('--truth-log needs a single process (drop --processes)');
  }
  const handle = await startEngineCluster(processes);
  process.stdout.write(`${handle.baseUrl}\n`);
  process.stderr.write(
    `engine: serving ${handle.modelId} (${flags.timing}) on ${handle.baseUrl} from ${processes} processes; Ctrl-C to stop\n`,
  );
  const signal = await waitForSignal();
  const c = await handle.close();
  process.stderr.write(
    `engine: ${signal}: stopped after ${c.requestsReceived} requests (${c.requestsCompleted} completed, ${c.eventsWritten} token events) over ${processes} processes\n`,
  );
}

function waitForSignal(): Promise<string> {
  return new Promise((resolve) => {
    const done = (signal: string): void => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      resolve(signal);
    };
    const onInt = (): void => done('SIGINT');
    const onTerm = (): void => done('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
  });
}

export function register(program: Command): void {
  const engine = program
    .command('engine')
    .summary('the embedded simulated engine')
    .description(
      'The embedded OpenAI-compatible engine with a simulated continuous-batching GPU (docs/engine.md).',
    );
  engine
    .command('serve')
    .summary('serve the simulated engine until Ctrl-C')
    .description(
      'Serve /v1/chat/completions, /v1/completions, /v1/models, /health, /version and /metrics (vLLM and DCGM ' +
        'names) from a simulated GPU. Prints the base URL on stdout; runs until SIGINT/SIGTERM.',
    )
    .option('--port <port>', 'TCP port (0 = ephemeral)', '8000')
    .option('--host <host>', 'interface to bind', '127.0.0.1')
    .option('--model <id>', 'catalog model id or alias (default: meta-llama/Llama-3.1-8B-Instruct)')
    .option(
      '--hardware <class>',
      'catalog hardware class: h100, h200, b200, a100, l40s, mi300x (default: h100)',
    )
    .option('--quant <format>', 'fp16, bf16, fp8, nvfp4, awq-int4 (default: fp16)')
    .option('--tp <n>', 'tensor-parallel degree (simulated GPUs)', '1')
    .addOption(
      new Option(
        '--timing <mode>',
        'sim: batching model; fixed: --ttft-ms/--itl-ms; nodelay: as fast as possible',
      )
        .choices(['sim', 'fixed', 'nodelay'])
        .default('sim'),
    )
    .option('--ttft-ms <ms>', 'fixed timing: mean time to first token')
    .option('--ttft-jitter-ms <ms>', 'fixed timing: TTFT standard deviation')
    .option('--itl-ms <ms>', 'fixed timing: mean inter-token latency')
    .option('--itl-jitter-ms <ms>', 'fixed timing: ITL standard deviation')
    .option('--seed <n>', 'seed for output lengths, faults and jitter', '42')
    .option('--output-tokens <n>', 'mean output length when the request does not force one (default: 128)')
    .option('--reasoning-tokens <n>', 'emit this many reasoning_content tokens before the answer (chat)')
    .option('--tokens-per-chunk <k>', 'tokens per SSE event (speculative-decoding style)')
    .option('--fault-500 <rate>', 'fraction of requests answered HTTP 500')
    .option('--fault-429 <rate>', 'fraction of requests answered HTTP 429')
    .option('--fault-reset <rate>', 'fraction of streams whose connection is reset after a few tokens')
    .option('--fault-malformed <rate>', 'fraction of streams with one non-JSON data: line')
    .option('--fault-stall <rate>', 'fraction of streams that stop sending but stay open')
    .option('--no-prefix-caching', 'disable prefix caching (sim)')
    .option('--max-num-seqs <n>', 'sim: max running sequences, as vLLM --max-num-seqs (default: 256)')
    .option('--max-num-batched-tokens <n>', 'sim: token budget per step (default: 8192)')
    .option('--gpu-memory-utilization <f>', 'sim: HBM fraction for weights + KV cache (default: 0.9)')
    .option(
      '--num-gpu-blocks-override <n>',
      'sim: KV blocks of 16 tokens instead of what HBM allows (forces preemption)',
    )
    .option('--catalog <path...>', 'extra catalog YAML files (models / hardware / quant)')
    .option(
      '--truth-log <path>',
      'append one JSON line per request: receive and token-write stamps (epoch ms)',
    )
    .option(
      '--processes <n>',
      'nodelay/fixed: serve from n processes behind one port (node:cluster), for clients faster than one engine process',
      '1',
    )
    .action(async (flags: ServeFlags) => {
      const options = serveOptions(flags);
      if (isClusterWorker()) return serveAsClusterWorker(options);
      const processes = num(
        '--processes',
        flags.processes ?? '1',
        isInt(1, 64),
        'an integer 1..64',
      ) as number;
      if (processes > 1) return serveCluster(flags, processes);
      const handle = await startEngine(options);
      process.stdout.write(`${handle.baseUrl}\n`);
      process.stderr.write(
        `engine: serving ${handle.modelId} (${flags.timing}) on ${handle.baseUrl}; Ctrl-C to stop\n`,
      );
      const signal = await waitForSignal();
      await handle.close();
      const c = handle.counters();
      process.stderr.write(
        `engine: ${signal}: stopped after ${c.requestsReceived} requests (${c.requestsCompleted} completed, ${c.eventsWritten} token events)\n`,
      );
    });
}
