// Public contract of the embedded engine (src/engine). The app and the tests depend on this only.

export interface FaultRates {
  /** Probabilities in [0, 1] per request, drawn from the engine's seeded RNG. */
  readonly http500?: number;
  readonly http429?: number;
  /** Close the socket after some tokens, without [DONE]. */
  readonly reset?: number;
  /** Emit one `data:` line that is not JSON. */
  readonly malformed?: number;
  /** Stop sending (keep the socket open) after some tokens. */
  readonly stall?: number;
}

export interface FixedTiming {
  readonly ttftMs: number;
  readonly ttftJitterMs: number;
  readonly itlMs: number;
  readonly itlJitterMs: number;
}

export interface EngineOptions {
  readonly host: string; // default 127.0.0.1
  readonly port: number; // 0 = ephemeral
  readonly seed: number;
  /**
   * 'sim': continuous-batching simulation (model × hardware roofline);
   * 'fixed': per-request TTFT/ITL drawn from `fixed`;
   * 'nodelay': stream as fast as possible (client-ceiling benchmarks).
   */
  readonly timing: 'sim' | 'fixed' | 'nodelay';
  readonly fixed: FixedTiming;
  /** Catalog entries: model id (or alias) and hardware class. */
  readonly model: string;
  readonly hardware: string;
  readonly quant: string;
  readonly tensorParallel: number;
  /** Output length when the request does not force one (the engine honours max_tokens as the cap). */
  readonly defaultOutputTokens: number;
  /** Emit reasoning_content deltas before the answer (this many tokens). 0 = off. */
  readonly reasoningTokens: number;
  /** Tokens per SSE event (speculative decoding style multi-token chunks). */
  readonly tokensPerChunk: number;
  readonly faults: FaultRates;
  readonly prefixCaching: boolean;
  /** When set, one JSON line per request: receive time and the write time of every token event. */
  readonly truthLogPath?: string;
  /** Extra catalog YAML files (models / hardware / quant entries added to or replacing the built-ins). */
  readonly catalogPaths?: readonly string[];
  /** 'sim' scheduler knobs (vLLM's names): defaults 256 seqs, 8192 tokens, 0.9, 16; numBlocks from HBM. */
  readonly scheduler?: {
    readonly maxNumSeqs?: number;
    readonly maxNumBatchedTokens?: number;
    readonly gpuMemoryUtilization?: number;
    readonly blockSize?: number;
    readonly numBlocks?: number;
  };
}

export interface EngineCounters {
  readonly requestsReceived: number;
  readonly requestsCompleted: number;
  readonly eventsWritten: number;
}

export interface EngineHandle {
  /** e.g. http://127.0.0.1:41234/v1 */
  readonly baseUrl: string;
  readonly port: number;
  /** Model id the engine serves (what /v1/models reports). */
  readonly modelId: string;
  counters(): EngineCounters;
  close(): Promise<void>;
}
