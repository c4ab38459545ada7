// The embedded engine's defaults, in a module of their own: `bench run` reads the default model
// before its first frame without loading the engine (catalog, zod schemas).
import type { EngineOptions } from './types.js';

export const defaultEngineOptions: EngineOptions = {
  host: '127.0.0.1',
  port: 0,
  seed: 42,
  timing: 'sim',
  fixed: { ttftMs: 20, ttftJitterMs: 2, itlMs: 8, itlJitterMs: 0.5 },
  model: 'meta-llama/Llama-3.1-8B-Instruct',
  hardware: 'h100',
  quant: 'fp16',
  tensorParallel: 1,
  defaultOutputTokens: 128,
  reasoningTokens: 0,
  tokensPerChunk: 1,
  faults: {},
  prefixCaching: true,
};
