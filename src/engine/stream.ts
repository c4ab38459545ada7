// One response of the embedded engine: turns "k tokens are ready now" into vLLM-shaped SSE events (or one
// JSON body), applies the request's fault, counts events and records the truth-log stamps.
import type { ServerResponse } from 'node:http';
import { tokenText } from './text.js';
import { epochNowMs, type TruthEntry, type TruthLog } from './truthlog.js';

export type FaultKind = 'http500' | 'http429' | 'reset' | 'malformed' | 'stall' | 'none';
export const FAULT_KINDS: readonly FaultKind[] = [
  'http500',
  'http429',
  'reset',
  'malformed',
  'stall',
  'none',
];

export interface StreamHooks {
  onFirstToken(stream: ResponseStream): void;
  onFinished(stream: ResponseStream): void;
  /** The response ended without finishing (client gone, reset, stall, engine closing). */
  onGone(stream: ResponseStream): void;
  countEvents(n: number): void;
}

export interface StreamInit {
  readonly res: ServerResponse;
  readonly kind: 'chat' | 'completions';
  readonly id: string;
  readonly requestId: string | null;
  readonly created: number;
  readonly model: string;
  readonly stream: boolean;
  readonly includeUsage: boolean;
  readonly promptTokens: number;
  readonly outputTokens: number;
  readonly reasoningTokens: number;
  readonly finishReason: 'stop' | 'length';
  readonly fault: FaultKind;
  readonly receivedMs: number;
  readonly truth: TruthLog | null;
  readonly hooks: StreamHooks;
  /** Fixed reply, one entry per token (judge prompts); default: the generated word stream. */
  readonly text?: readonly string[];
}

/** Token count after which reset / malformed / stall strike: a few tokens in, never after the last. */
export function faultAtToken(outputTokens: number): number {
  return Math.max(1, Math.min(3, Math.floor(outputTokens / 2)));
}

export class ResponseStream {
  readonly init: StreamInit;
  /** Driver-owned slot (e.g. the scheduler id). */
  simId = -1;
  emitted = 0;
  firstTokenMs = Number.NaN;
  lastTokenMs = Number.NaN;
  state: 'open' | 'done' | 'dead' | 'stalled' = 'open';
  /** False when the socket buffer is full: wait for 'drain' before writing more. */
  writable = true;
  private readonly faultAt: number;
  private faultDone = false;
  private readonly reasoning: number;
  private readonly contentPrefix: string;
  private readonly reasoningPrefix: string;
  private readonly tokenSuffix: string;
  private readonly base: string;
  private readonly tokenWriteMs: number[] | null;
  private readonly tokensPerEvent: number[] | null;
  private logged = false;
  private bodyReasoning = '';
  private bodyContent = '';

  constructor(init: StreamInit) {
    this.init = init;
    this.faultAt = faultAtToken(init.outputTokens);
    this.reasoning =
      init.reasoningTokens > 0 ? Math.min(init.reasoningTokens, Math.max(0, init.outputTokens - 1)) : 0;
    const object = init.kind === 'chat' ? 'chat.completion.chunk' : 'text_completion';
    this.base = `{"id":"${init.id}","object":"${object}","created":${init.created},"model":${JSON.stringify(init.model)}`;
    if (init.kind === 'chat') {
      this.contentPrefix = `data: ${this.base},"choices":[{"index":0,"delta":{"content":"`;
      this.reasoningPrefix = `data: ${this.base},"choices":[{"index":0,"delta":{"reasoning_content":"`;
      this.tokenSuffix = `"},"logprobs":null,"finish_reason":null}]}\n\n`;
    } else {
      this.contentPrefix = `data: ${this.base},"choices":[{"index":0,"text":"`;
      this.reasoningPrefix = this.contentPrefix;
      this.tokenSuffix = `","logprobs":null,"finish_reason":null,"stop_reason":null}]}\n\n`;
    }
    this.tokenWriteMs = init.truth ? [] : null;
    this.tokensPerEvent = init.truth ? [] : null;
    init.res.on('close', () => this.end(this.state === 'stalled' ? 'stall' : 'client_closed'));
    init.res.on('drain', () => {
      this.writable = true;
    });
  }

  get remaining(): number {
    return this.init.outputTokens - this.emitted;
  }

  /** Sends the status line, headers and (chat) the role-only first chunk. */
  begin(): void {
    const { res } = this.init;
    if (!this.init.stream) return;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      ...(this.init.requestId ? { 'x-request-id': this.init.requestId } : {}),
    });
    if (this.init.kind === 'chat') {
      res.write(
        `data: ${this.base},"choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]}\n\n`,
      );
    } else {
      res.flushHeaders();
    }
  }

  /**
   * Emits up to `events` events of `tokensPerEvent` tokens each, written in one socket write.
   * Returns false when the driver should stop feeding this stream (done, gone, faulted).
   */
  emit(tokensPerEvent: number, events = 1): boolean {
    if (this.state !== 'open') return false;
    const now = epochNowMs();
    const wasFirst = this.emitted === 0;
    let chunk = '';
    let eventsOut = 0;
    let e = 0;
    let carry = 0;
    while (e < events && this.remaining > 0) {
      let k = Math.min(carry > 0 ? carry : tokensPerEvent, this.remaining);
      // An event never mixes reasoning and answer tokens: a batch that crosses the boundary is written
      // as two events (the tokens still all go out now).
      const isReasoning = this.emitted < this.reasoning;
      if (isReasoning && this.emitted + k > this.reasoning) {
        carry = this.emitted + k - this.reasoning;
        k = this.reasoning - this.emitted;
      } else {
        carry = 0;
        e += 1;
      }
      const text = this.init.text
        ? JSON.stringify(this.init.text.slice(this.emitted, this.emitted + k).join('')).slice(1, -1)
        : tokenText(this.emitted, k);
      if (this.init.stream) {
        chunk += (isReasoning ? this.reasoningPrefix : this.contentPrefix) + text + this.tokenSuffix;
      } else if (isReasoning) this.bodyReasoning += text;
      else this.bodyContent += text;
      if (this.emitted === 0) this.firstTokenMs = now;
      this.lastTokenMs = now;
      this.emitted += k;
      eventsOut += 1;
      this.tokenWriteMs?.push(now);
      this.tokensPerEvent?.push(k);
      if (this.init.stream && !this.faultDone && this.emitted >= this.faultAt) {
        if (this.init.fault === 'malformed') {
          chunk += 'data: {not json\n\n';
          this.faultDone = true;
        } else if (this.init.fault === 'reset' || this.init.fault === 'stall') {
          break;
        }
      }
    }
    if (eventsOut === 0) return this.remaining > 0;
    if (chunk.length > 0) {
      // Out to the socket now, right after its stamp: node:http corks a chunked response's socket
      // on write and uncorks on the next tick, which for a driver writing many streams in one
      // callback would send every write of the batch only at its end (stamped early by that much).
      const { res } = this.init;
      res.cork();
      this.writable = res.write(chunk);
      res.uncork();
    }
    this.init.hooks.countEvents(eventsOut);
    if (wasFirst) this.init.hooks.onFirstToken(this);
    if (this.init.stream && !this.faultDone && this.emitted >= this.faultAt) {
      if (this.init.fault === 'reset') {
        this.faultDone = true;
        this.state = 'dead';
        this.log('reset');
        this.init.res.socket?.destroy();
        this.init.hooks.onGone(this);
        return false;
      }
      if (this.init.fault === 'stall') {
        this.faultDone = true;
        this.state = 'stalled';
        this.init.hooks.onGone(this);
        return false;
      }
    }
    return this.remaining > 0;
  }

  /** Finish chunk, usage chunk (when asked), [DONE]; or the whole JSON body when not streaming. */
  finish(): void {
    if (this.state !== 'open') return;
    const { res } = this.init;
    const usage = this.usageJson();
    if (!this.init.stream) {
      this.finishBody(usage);
      return;
    }
    let tail: string;
    if (this.init.kind === 'chat') {
      tail = `data: ${this.base},"choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"${this.init.finishReason}","stop_reason":null}]}\n\n`;
    } else {
      tail = `data: ${this.base},"choices":[{"index":0,"text":"","logprobs":null,"finish_reason":"${this.init.finishReason}","stop_reason":null}]}\n\n`;
    }
    if (this.init.includeUsage) tail += `data: ${this.base},"choices":[],"usage":${usage}}\n\n`;
    tail += 'data: [DONE]\n\n';
    this.state = 'done';
    res.end(tail);
    this.log(this.init.fault === 'malformed' && this.faultDone ? 'malformed' : 'ok');
    this.init.hooks.onFinished(this);
  }

  /** Ends a stalled/open response because the engine is shutting down. */
  abandon(): void {
    this.end(this.state === 'stalled' ? 'stall' : 'engine_closed');
  }

  /** The response is over without finishing. A stalled stream already reported itself gone. */
  private end(outcome: 'stall' | 'client_closed' | 'engine_closed'): void {
    if (this.state === 'open') {
      this.state = 'dead';
      this.log(outcome);
      this.init.hooks.onGone(this);
    } else if (this.state === 'stalled') {
      this.state = 'dead';
      this.log(outcome);
    }
  }

  private finishBody(usage: string): void {
    const { res, fault } = this.init;
    if (fault === 'reset') {
      this.state = 'dead';
      this.log('reset');
      res.socket?.destroy();
      this.init.hooks.onGone(this);
      return;
    }
    if (fault === 'stall') {
      this.state = 'stalled';
      this.init.hooks.onGone(this);
      return;
    }
    let body: string;
    if (fault === 'malformed') body = '{not json';
    else if (this.init.kind === 'chat') {
      const reasoning = this.reasoning > 0 ? JSON.stringify(this.bodyReasoning) : 'null';
      body =
        `{"id":"${this.init.id}","object":"chat.completion","created":${this.init.created},"model":${JSON.stringify(this.init.model)},` +
        `"choices":[{"index":0,"message":{"role":"assistant","content":${JSON.stringify(this.bodyContent)},"reasoning_content":${reasoning},"tool_calls":[]},` +
        `"logprobs":null,"finish_reason":"${this.init.finishReason}","stop_reason":null}],"usage":${usage}}`;
    } else {
      body =
        `{"id":"${this.init.id}","object":"text_completion","created":${this.init.created},"model":${JSON.stringify(this.init.model)},` +
        `"choices":[{"index":0,"text":${JSON.stringify(this.bodyContent)},"logprobs":null,"finish_reason":"${this.init.finishReason}","stop_reason":null}],"usage":${usage}}`;
    }
    this.state = 'done';
    res.writeHead(200, {
      'content-type': 'application/json',
      ...(this.init.requestId ? { 'x-request-id': this.init.requestId } : {}),
    });
    res.end(body);
    this.log(fault === 'malformed' ? 'malformed' : 'ok');
    this.init.hooks.onFinished(this);
  }

  private usageJson(): string {
    const p = this.init.promptTokens;
    const c = this.emitted;
    const details =
      this.reasoning > 0 ? `,"completion_tokens_details":{"reasoning_tokens":${this.reasoning}}` : '';
    return `{"prompt_tokens":${p},"total_tokens":${p + c},"completion_tokens":${c}${details}}`;
  }

  private log(outcome: TruthEntry['outcome']): void {
    if (this.logged || !this.init.truth) return;
    this.logged = true;
    this.init.truth.write({
      id: this.init.id,
      requestId: this.init.requestId,
      receivedMs: this.init.receivedMs,
      tokenWriteMs: this.tokenWriteMs ?? [],
      tokens: this.tokensPerEvent ?? [],
      promptTokens: this.init.promptTokens,
      completionTokens: this.emitted,
      outcome,
    });
  }
}
