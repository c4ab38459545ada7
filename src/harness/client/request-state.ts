// Per-request accumulation of one streamed response: the SSE sink. One instance per request; the
// hot path (onEvent) pushes a stamp and a size and touches a few fields — no closures, no arrays.
import type { ChunkTokensSource, EndpointType, ErrorCode, RequestRecord, UsageCounts } from '../types.js';
import { ChunkTemplate } from './chunk-template.js';
import { DEFAULT_MAX_EVENT_CHARS, SseParser, type SseSink } from './sse.js';

/** Live counters a client exposes (O(1) updates; read by the recorder for live rates). */
export interface LiveCounters {
  eventsReceived: number;
  /**
   * Output tokens so far: exact with per-chunk usage; otherwise each event counts the learned
   * tokens-per-event of finished requests, and each request's total is corrected to its final
   * token count when it finishes — so the live rate matches the envelope's on multi-token streams.
   */
  tokensReceived: number;
  /** Learned mean tokens per event of finished requests (1 until one finished with usage). */
  tokensPerEvent?: number;
}

/** Weight of the newest finished request in the live tokens-per-event estimate. */
const TOKENS_PER_EVENT_ALPHA = 0.2;

export class RequestState implements SseSink {
  readonly parser: SseParser;
  readonly eventTimesMs: number[] = [];
  /** Characters per token-bearing event until finalize() turns them into token counts. */
  readonly eventTokens: number[] = [];
  /** When undici wrote the request to its socket (t_send); NaN until it does. */
  tWriteMs = Number.NaN;
  tFirstMs: number | null = null;
  tFirstOutMs: number | null = null;
  tLastMs: number | null = null;
  usage: UsageCounts | null = null;
  finishReason: string | null = null;
  sawDone = false;
  errorCode: ErrorCode | null = null;
  errorDetail: string | undefined;
  text: string | undefined;
  /** True once a chunk carried both choices and usage (vLLM continuous_usage_stats). */
  private perChunkUsage = false;
  /** Mid-stream chunks read without JSON.parse once one has been parsed (see chunk-template.ts). */
  private template: ChunkTemplate | null = null;
  private templateAttempts = 0;
  private lastCompletionTokens = 0;
  /** Set by finalizeTokens(): how eventTokens were known (the chunk-size histogram's source). */
  private chunkTokensSource: ChunkTokensSource = 'one_per_event';
  /** Tokens this request has added to live.tokensReceived (corrected once at finalisation). */
  private liveTokens = 0;
  private liveSettled = false;

  constructor(
    private readonly endpointType: EndpointType,
    collectText: boolean,
    private readonly live: LiveCounters,
    maxEventChars: number = DEFAULT_MAX_EVENT_CHARS,
  ) {
    this.parser = new SseParser(this, maxEventChars);
    if (collectText) this.text = '';
  }

  fail(code: ErrorCode, detail?: string): void {
    if (this.errorCode !== null) return;
    this.errorCode = code;
    if (detail !== undefined) this.errorDetail = detail;
    this.parser.stop();
  }

  onTooLarge(limitChars: number): void {
    this.fail('event_too_large', `an SSE event exceeded ${limitChars} characters (--max-event-bytes)`);
  }

  onEvent(data: string, stampMs: number): void {
    this.live.eventsReceived++;
    if (this.template !== null) {
      const text = this.template.match(data);
      if (text !== null) {
        this.onDelta(text, null, null, stampMs);
        return;
      }
    }
    if (data === '[DONE]') {
      this.sawDone = true;
      return;
    }
    let chunk: ChunkShape;
    try {
      chunk = JSON.parse(data) as ChunkShape;
    } catch {
      this.fail('malformed_event', `invalid JSON in SSE event: ${excerpt(data, 120)}`);
      return;
    }
    if (chunk === null || typeof chunk !== 'object') {
      this.fail('malformed_event', `SSE event is not a JSON object: ${excerpt(data, 120)}`);
      return;
    }
    if (chunk.error !== undefined && chunk.error !== null) {
      const message =
        typeof chunk.error === 'object' && typeof chunk.error.message === 'string'
          ? chunk.error.message
          : JSON.stringify(chunk.error);
      this.fail('server_error', excerpt(message, 200));
      return;
    }
    const usage = chunk.usage;
    const choices = chunk.choices;
    const choice = Array.isArray(choices) && choices.length > 0 ? choices[0] : undefined;
    let usageCompletionTokens: number | null = null;
    if (usage !== undefined && usage !== null) {
      this.usage = {
        promptTokens: numberOrNull(usage.prompt_tokens),
        completionTokens: numberOrNull(usage.completion_tokens),
        reasoningTokens: numberOrNull(
          usage.completion_tokens_details?.reasoning_tokens ?? usage.reasoning_tokens,
        ),
      };
      usageCompletionTokens = this.usage.completionTokens;
    }
    if (choice === undefined || choice === null) return;
    if (typeof choice.finish_reason === 'string') this.finishReason = choice.finish_reason;
    let content: unknown;
    let reasoning: unknown;
    if (this.endpointType === 'chat') {
      const delta = choice.delta;
      if (delta !== undefined && delta !== null) {
        content = delta.content;
        reasoning = delta.reasoning_content ?? delta.reasoning;
      }
    } else {
      content = choice.text;
    }
    // From the second plain text chunk on, try (a few times) to learn this stream's template.
    if (
      this.template === null &&
      this.templateAttempts < MAX_TEMPLATE_ATTEMPTS &&
      this.eventTimesMs.length > 0 &&
      typeof content === 'string' &&
      content.length > 0 &&
      typeof reasoning !== 'string' &&
      usage == null &&
      typeof choice.finish_reason !== 'string'
    ) {
      this.learnTemplate(data);
    }
    this.onDelta(
      typeof content === 'string' ? content : null,
      typeof reasoning === 'string' ? reasoning : null,
      usageCompletionTokens,
      stampMs,
    );
  }

  private learnTemplate(data: string): void {
    this.templateAttempts++;
    const chat = this.endpointType === 'chat';
    const template = new ChunkTemplate(chat ? 'content' : 'text');
    const plain = (parsed: unknown, probe: string): boolean => {
      if (parsed === null || typeof parsed !== 'object') return false;
      const chunk = parsed as ChunkShape;
      if (chunk.error != null || chunk.usage != null || !Array.isArray(chunk.choices)) return false;
      const choice = chunk.choices[0];
      if (choice == null || typeof choice.finish_reason === 'string') return false;
      if (!chat) return choice.text === probe;
      const delta = choice.delta;
      return (
        delta != null &&
        delta.content === probe &&
        typeof (delta.reasoning_content ?? delta.reasoning) !== 'string'
      );
    };
    if (template.learn(data, plain)) this.template = template;
  }

  /** One choice delta: a token-bearing event when it carries any answer or reasoning text. */
  private onDelta(
    content: string | null,
    reasoning: string | null,
    usageCompletionTokens: number | null,
    stampMs: number,
  ): void {
    const contentLength = content === null ? 0 : content.length;
    const reasoningLength = reasoning === null ? 0 : reasoning.length;
    if (contentLength + reasoningLength === 0) return; // role-only / empty delta: not a token
    let tokens = contentLength + reasoningLength;
    if (usageCompletionTokens !== null) {
      // Per-chunk usage (vLLM continuous_usage_stats): exact token count of this event.
      this.perChunkUsage = true;
      tokens = Math.max(1, usageCompletionTokens - this.lastCompletionTokens);
      this.lastCompletionTokens = usageCompletionTokens;
    }
    this.eventTimesMs.push(stampMs);
    this.eventTokens.push(tokens);
    const liveTokens = this.perChunkUsage ? tokens : (this.live.tokensPerEvent ?? 1);
    this.live.tokensReceived += liveTokens;
    this.liveTokens += liveTokens;
    if (this.tFirstMs === null) this.tFirstMs = stampMs;
    if (contentLength > 0 && this.tFirstOutMs === null) this.tFirstOutMs = stampMs;
    this.tLastMs = stampMs;
    if (this.text !== undefined && content !== null) this.text += content;
  }

  /**
   * Turns the per-event sizes into token counts and picks the output length:
   * usage.completion_tokens when the server sent it, else one token per event.
   * When usage says more tokens than events (multi-token chunks), the surplus is spread over the
   * events in proportion to their text length (largest remainder, every event ≥ 1).
   */
  finalizeTokens(): { oslTokens: number; oslSource: 'usage' | 'counted' } {
    const events = this.eventTokens.length;
    const usageTokens = this.usage?.completionTokens ?? null;
    if (this.perChunkUsage) this.chunkTokensSource = 'usage_per_chunk';
    else if (usageTokens !== null && usageTokens > events && events > 0) {
      distribute(this.eventTokens, usageTokens);
      this.chunkTokensSource = 'usage_spread';
    } else {
      for (let i = 0; i < events; i++) this.eventTokens[i] = 1;
    }
    let sum = 0;
    for (let i = 0; i < events; i++) sum += this.eventTokens[i] ?? 0;
    this.settleLive(sum, events);
    if (usageTokens !== null) return { oslTokens: usageTokens, oslSource: 'usage' };
    return { oslTokens: sum, oslSource: 'counted' };
  }

  /** Corrects the live token count to this request's final one; learns tokens per event. */
  private settleLive(finalTokens: number, events: number): void {
    if (this.liveSettled) return;
    this.liveSettled = true;
    this.live.tokensReceived += finalTokens - this.liveTokens;
    this.liveTokens = finalTokens;
    if (events > 0 && this.errorCode === null) {
      const ratio = finalTokens / events;
      const prev = this.live.tokensPerEvent;
      this.live.tokensPerEvent = prev === undefined ? ratio : prev + TOKENS_PER_EVENT_ALPHA * (ratio - prev);
    }
  }

  toRecord(base: {
    id: number;
    worker: number;
    tSchedMs: number;
    tSendMs: number;
    tDoneMs: number;
    httpStatus: number | null;
    inputTokens: number | null;
    warmup: boolean;
    sessionId: number | undefined;
    turn: number | undefined;
    tag?: string | undefined;
  }): RequestRecord {
    const { oslTokens, oslSource } = this.finalizeTokens();
    const record: {
      -readonly [K in keyof RequestRecord]: RequestRecord[K];
    } = {
      id: base.id,
      worker: base.worker,
      tSchedMs: base.tSchedMs,
      tSendMs: base.tSendMs,
      tFirstMs: this.tFirstMs,
      tFirstOutMs: this.tFirstOutMs,
      tLastMs: this.tLastMs,
      tDoneMs: base.tDoneMs,
      eventTimesMs: this.eventTimesMs,
      eventTokens: this.eventTokens,
      usage: this.usage,
      oslTokens,
      oslSource,
      chunkTokensSource: this.chunkTokensSource,
      inputTokens: base.inputTokens ?? this.usage?.promptTokens ?? null,
      finishReason: this.finishReason,
      httpStatus: base.httpStatus,
      errorCode: this.errorCode,
      warmup: base.warmup,
    };
    if (base.sessionId !== undefined) record.sessionId = base.sessionId;
    if (base.turn !== undefined) record.turn = base.turn;
    if (this.errorDetail !== undefined) record.errorDetail = this.errorDetail;
    if (this.text !== undefined) record.outputText = this.text;
    if (base.tag !== undefined) record.tag = base.tag;
    return record;
  }
}

const MAX_TEMPLATE_ATTEMPTS = 3;

/** Largest-remainder split of `total` tokens over events weighted by their sizes (each ≥ 1). */
function distribute(sizes: number[], total: number): void {
  const n = sizes.length;
  let weightSum = 0;
  for (let i = 0; i < n; i++) weightSum += sizes[i] ?? 0;
  const surplus = total - n;
  let assigned = 0;
  const remainders: { index: number; fraction: number }[] = [];
  for (let i = 0; i < n; i++) {
    const exact = weightSum > 0 ? (surplus * (sizes[i] ?? 0)) / weightSum : surplus / n;
    const whole = Math.floor(exact);
    sizes[i] = 1 + whole;
    assigned += whole;
    remainders.push({ index: i, fraction: exact - whole });
  }
  remainders.sort((a, b) => b.fraction - a.fraction || a.index - b.index);
  for (let r = 0; r < surplus - assigned; r++) {
    const slot = remainders[r % n];
    if (slot !== undefined) sizes[slot.index] = (sizes[slot.index] ?? 1) + 1;
  }
}

function numberOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

export function excerpt(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

interface ChunkShape {
  error?: { message?: unknown } | string | null;
  usage?: {
    prompt_tokens?: unknown;
    completion_tokens?: unknown;
    reasoning_tokens?: unknown;
    completion_tokens_details?: { reasoning_tokens?: unknown } | null;
  } | null;
  choices?: ({
    delta?: { content?: unknown; reasoning_content?: unknown; reasoning?: unknown } | null;
    text?: unknown;
    finish_reason?: unknown;
  } | null)[];
}
