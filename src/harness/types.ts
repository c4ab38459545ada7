// Contracts shared by the harness, the app and (as types only) the envelope.
// Times are monotonic milliseconds from performance.now() unless the name says otherwise.

export type EndpointType = 'chat' | 'completions';

export interface ChatMessage {
  readonly role: 'system' | 'user' | 'assistant';
  readonly content: string;
}

/** One request the workload wants sent. Exactly one of `messages` / `prompt` is set. */
export interface RequestSpec {
  readonly messages?: readonly ChatMessage[];
  readonly prompt?: string;
  readonly maxTokens: number;
  /** Client-counted input tokens, when the workload knows them. */
  readonly inputTokens?: number;
  /** Multi-turn workloads: which session and turn this request belongs to. */
  readonly sessionId?: number;
  readonly turn?: number;
  /** Keep the generated text on the record (multi-turn needs it for the next turn's history). */
  readonly collectText?: boolean;
  /** Workload's own label for the request, copied onto the record (judge-qa: the question id). */
  readonly tag?: string;
  /** Extra JSON body fields (e.g. ignore_eos, min_tokens) merged into the request. */
  readonly extraBody?: Readonly<Record<string, unknown>>;
}

/**
 * Error codes are stable strings; `http_<status>` for non-2xx responses.
 * Every request ends either ok (errorCode null) or with exactly one code.
 */
export type ErrorCode =
  | `http_${number}`
  | 'connect_error' // could not connect / request could not be written
  | 'reset' // connection reset or closed mid-stream
  | 'malformed_event' // an SSE data line that is not valid JSON
  | 'stall' // no bytes for longer than the idle timeout
  | 'timeout' // overall request deadline exceeded
  | 'no_done' // stream ended without [DONE]
  | 'server_error' // an `error` object inside the stream
  | 'empty_response' // 200 and [DONE] but no generated token
  | 'event_too_large' // one SSE event (or line) longer than the per-event cap
  | 'aborted' // cancelled by the driver (stop / drain timeout)
  | 'cancelled'; // cut mid-stream on purpose by --cancel-rate (never a server error)

/** How a record's per-event token counts were known (docs/metrics.md "chunk_tokens"). */
export type ChunkTokensSource = 'usage_per_chunk' | 'usage_spread' | 'one_per_event';

export interface UsageCounts {
  readonly promptTokens: number | null;
  readonly completionTokens: number | null;
  readonly reasoningTokens: number | null;
}

/** Everything measured about one request. Written to the journal as one JSON line. */
export interface RequestRecord {
  readonly id: number;
  readonly worker: number;
  readonly sessionId?: number;
  readonly turn?: number;
  /** Intended send time (open loop: from the arrival process; closed loop: = tSendMs). */
  readonly tSchedMs: number;
  /** When the request was handed to the socket. */
  readonly tSendMs: number;
  /** First token-bearing event (content or reasoning). null when none arrived. */
  readonly tFirstMs: number | null;
  /** First non-reasoning content event. */
  readonly tFirstOutMs: number | null;
  /** Last token-bearing event. */
  readonly tLastMs: number | null;
  /** When the request finished (stream end, error or abort). */
  readonly tDoneMs: number;
  /** Arrival time of every token-bearing event, and the tokens it carried (same length). */
  readonly eventTimesMs: readonly number[];
  readonly eventTokens: readonly number[];
  readonly usage: UsageCounts | null;
  /** Output sequence length used for tpot/throughput, and where it came from. */
  readonly oslTokens: number;
  readonly oslSource: 'usage' | 'counted';
  /** How eventTokens were known: per-chunk usage (exact), usage spread over events, or 1 each. */
  readonly chunkTokensSource?: ChunkTokensSource;
  readonly inputTokens: number | null;
  readonly finishReason: string | null;
  readonly httpStatus: number | null;
  readonly errorCode: ErrorCode | null;
  /** Short human detail for errors (status body excerpt, exception message). Never the API key. */
  readonly errorDetail?: string;
  /** A 429/503 answer's Retry-After, in ms (uncapped; the closed-loop driver caps it). */
  readonly retryAfterMs?: number;
  readonly outputText?: string;
  /** The request spec's tag (RequestSpec.tag). */
  readonly tag?: string;
  /** Discarded by the warm-up rule. */
  readonly warmup: boolean;
}

export type Phase = 'starting' | 'warmup' | 'gate' | 'measuring' | 'draining' | 'done';

export type GateStatus = 'disabled' | 'waiting' | 'converged' | 'gave_up';

/** What opened the gate: the per-request decode-rate window, or the token-rate interval window. */
export type GateBasis = 'requests' | 'intervals';

export interface GateState {
  readonly status: GateStatus;
  /** Coefficient of variation of per-request output token rate over the last `window` requests. */
  readonly cov: number | null;
  readonly n: number;
  readonly window: number;
  readonly targetCov: number;
  /** Which signal converged (null until one did). */
  readonly basis?: GateBasis | null;
  /** CoV and drift of the output token rate over the last `intervals` intervals. */
  readonly intervalCov?: number | null;
  readonly intervalDrift?: number | null;
  readonly intervalN?: number;
  readonly intervals?: number;
  /** Seconds since the gate started, and its time bound. */
  readonly waitedS?: number;
  readonly maxWaitS?: number;
}

/** Pre-binned, display-ready histogram (log-scaled bucket edges). */
export interface HistogramView {
  /** Bucket i covers [edgesMs[i], edgesMs[i+1]); length = counts.length + 1. */
  readonly edgesMs: readonly number[];
  readonly counts: readonly number[];
  readonly n: number;
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
}

export interface ClientHealth {
  readonly eventLoopDelayP99Ms: number | null;
  /** Worst load-worker thread's event-loop delay p99; null without workers. */
  readonly workerEventLoopDelayP99Ms?: number | null;
  readonly pacerLagP99Ms: number | null;
  readonly cpuPercent: number | null;
  /** True when any budget is exceeded: the client may have distorted the numbers. */
  readonly distorted: boolean;
  readonly reasons: readonly string[];
}

export interface PointLabel {
  /** 0-based index of the point in a sweep; 0 for single runs. */
  readonly index: number;
  readonly total: number;
  /** e.g. "c16", "r2.5", "c1". */
  readonly label: string;
}

/** Frozen, display-ready state of the harness. Built every 250 ms; the only thing the UI sees. */
export interface HarnessSnapshot {
  readonly seq: number;
  readonly phase: Phase;
  readonly elapsedS: number;
  readonly durationS: number | null;
  /** Seconds into the measurement window (null before it opens); compare with durationS. */
  readonly windowElapsedS?: number | null;
  readonly point: PointLabel;
  readonly inFlight: number;
  readonly sent: number;
  readonly done: number;
  readonly ok: number;
  readonly failed: number;
  readonly errorsByCode: Readonly<Record<string, number>>;
  readonly tokPerS: number;
  readonly reqPerS: number;
  /** Last ≤ 120 one-second samples. */
  readonly tokPerSSeries: readonly number[];
  readonly reqPerSSeries: readonly number[];
  readonly ttft: HistogramView;
  readonly tpot: HistogramView;
  readonly gate: GateState;
  readonly client: ClientHealth;
}
