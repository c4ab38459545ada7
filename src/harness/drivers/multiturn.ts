// Multi-turn sessions: turn k re-sends the whole history (earlier user turns and the assistant's
// actual replies, taken from record.outputText) plus the new user message, after the turn's think
// time. Open loop: sessions arrive as a seeded Poisson process at sessionRatePerS. Closed loop:
// `concurrency` sessions run at once, each worker starting the next session when one ends.
import type { ChatMessage, RequestRecord, RequestSpec } from '../types.js';
import type { MultiTurnWorkload, SessionTurn } from '../plugins/types.js';
import type { Driver, DriverContext } from './types.js';

export interface MultiTurnDriverOptions {
  /** Open loop: new sessions per second (Poisson arrivals). Takes precedence over concurrency. */
  readonly sessionRatePerS?: number;
  /** Closed loop: sessions in flight at once (default 1). */
  readonly concurrency?: number;
}

/** Deterministic exponential inter-arrivals from the run seed (mulberry32). */
function exponentialSampler(seed: number, ratePerS: number): () => number {
  let state = (seed ^ 0x5eed5e55) >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const u = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    return (-Math.log(1 - u) / ratePerS) * 1000;
  };
}

function stopped(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

/** The request for turn `turn` of a session given the history so far (exported for tests). */
export function turnRequest(
  history: readonly ChatMessage[],
  turn: SessionTurn,
  sessionId: number,
  turnIndex: number,
): RequestSpec {
  return {
    messages: [...history, { role: 'user', content: turn.userMessage }],
    maxTokens: turn.maxTokens,
    sessionId,
    turn: turnIndex,
    collectText: true,
  };
}

async function runSession(
  context: DriverContext,
  turns: readonly SessionTurn[],
  sessionId: number,
  firstSchedMs: number,
): Promise<void> {
  const history: ChatMessage[] = [];
  for (let k = 0; k < turns.length; k++) {
    const turn = turns[k]!;
    let tSchedMs = firstSchedMs;
    if (k > 0) {
      tSchedMs = context.now() + turn.thinkMs;
      if (turn.thinkMs > 0) await context.sleepUntil(tSchedMs);
    }
    if (context.stopSignal.aborted) return;
    const spec = turnRequest(history, turn, sessionId, k);
    const record = await context.send(spec, tSchedMs);
    // A failed turn has no reply to build on: the session ends there.
    if (record.errorCode !== null) return;
    history.push({ role: 'user', content: turn.userMessage });
    history.push({ role: 'assistant', content: record.outputText ?? '' });
  }
}

export function createMultiTurnDriver(
  workload: MultiTurnWorkload,
  options: MultiTurnDriverOptions = {},
): Driver {
  const sessions = workload.sessions;
  if (sessions.length === 0)
    throw new RangeError(`multi-turn workload ${workload.datasetId} has no sessions`);
  const sessionAt = (i: number) => sessions[i % sessions.length]!;

  if (options.sessionRatePerS !== undefined && options.sessionRatePerS > 0) {
    const rate = options.sessionRatePerS;
    return async (context) => {
      const next = exponentialSampler(context.seed, rate);
      let arrivalMs = context.now();
      for (let i = 0; !context.stopSignal.aborted; i++) {
        arrivalMs += next();
        await context.sleepUntil(arrivalMs);
        if (context.stopSignal.aborted) break;
        // Sessions run on their own; they stop issuing turns once stopSignal aborts, and their
        // in-flight turns are drained by the runner.
        void runSession(context, sessionAt(i), i, arrivalMs);
      }
    };
  }

  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 1));
  return async (context) => {
    let nextSession = 0;
    const worker = async (): Promise<void> => {
      while (!context.stopSignal.aborted) {
        const id = nextSession++;
        await runSession(context, sessionAt(id), id, context.now());
      }
    };
    const workers = Promise.all(Array.from({ length: concurrency }, worker));
    // Resolve as soon as the run stops issuing: in-flight turns are the runner's to drain.
    await Promise.race([workers, stopped(context.stopSignal)]);
  };
}

export interface TurnTtftStats {
  readonly turn: number;
  readonly n: number;
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
}

function percentileOf(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/**
 * TTFT (first token − send) per turn index over successful, non-warm-up multi-turn records:
 * how the time to first token changes as the history (and the prefix cache) grows.
 */
export function perTurnTtft(
  records: Iterable<Pick<RequestRecord, 'turn' | 'tSendMs' | 'tFirstMs' | 'errorCode' | 'warmup'>>,
): TurnTtftStats[] {
  const byTurn = new Map<number, number[]>();
  for (const r of records) {
    if (r.turn === undefined || r.errorCode !== null || r.warmup || r.tFirstMs === null) continue;
    const list = byTurn.get(r.turn) ?? [];
    list.push(r.tFirstMs - r.tSendMs);
    byTurn.set(r.turn, list);
  }
  return [...byTurn.entries()]
    .sort(([a], [b]) => a - b)
    .map(([turn, values]) => {
      const sorted = values.sort((a, b) => a - b);
      return { turn, n: sorted.length, p50Ms: percentileOf(sorted, 0.5), p99Ms: percentileOf(sorted, 0.99) };
    });
}
