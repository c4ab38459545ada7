// A continuous-batching scheduler in the shape of vLLM's v1 scheduler, at token granularity and with no
// notion of time: plan() chooses the next step's batch, commit() applies it once the step's time has passed.
import { KvCache, type SeqBlocks } from './kvcache.js';

export interface SchedulerLimits {
  /** vLLM --max-num-seqs. */
  readonly maxNumSeqs: number;
  /** vLLM --max-num-batched-tokens: token budget per step (chunked prefill splits longer prompts). */
  readonly maxNumBatchedTokens: number;
  /** Tokens per KV block. */
  readonly blockSize: number;
  readonly numBlocks: number;
  readonly prefixCaching: boolean;
  /** Tokens emitted per decode step per sequence (speculative decoding with full acceptance); 1 = normal. */
  readonly tokensPerStep: number;
}

export const defaultSchedulerLimits = {
  maxNumSeqs: 256,
  maxNumBatchedTokens: 8192,
  blockSize: 16,
  prefixCaching: true,
  tokensPerStep: 1,
} as const;

export interface SeqRequest {
  readonly id: number;
  readonly promptTokens: number;
  /** Tokens to generate (the engine decides the length up front). */
  readonly outputTokens: number;
  /** Chained hashes of the prompt's full blocks (prefix caching); omit to never hit. */
  readonly blockHashes?: readonly number[];
}

interface Seq extends SeqBlocks {
  readonly req: SeqRequest;
  computed: number;
  generated: number;
  state: 'waiting' | 'running' | 'done';
  preemptions: number;
  scheduledOnce: boolean;
  registered: boolean;
}

export interface PlannedSeq {
  readonly id: number;
  readonly newTokens: number;
  readonly contextTokens: number;
  readonly prefill: boolean;
}

export interface StepPlan {
  readonly seqs: readonly PlannedSeq[];
  readonly preempted: readonly number[];
  /** Requests scheduled for the first time in this step (queue time ends here). */
  readonly firstScheduled: readonly number[];
  readonly tokens: number;
}

export interface Emission {
  readonly id: number;
  readonly tokens: number;
  readonly first: boolean;
  readonly finished: boolean;
}

export interface StepResult {
  readonly emissions: readonly Emission[];
  readonly prefillTokens: number;
  readonly decodeTokens: number;
}

export interface SchedulerStats {
  readonly running: number;
  readonly waiting: number;
  readonly kvUsage: number;
  readonly prefixQueriesTokens: number;
  readonly prefixHitsTokens: number;
  readonly preemptions: number;
}

export class Scheduler {
  readonly limits: SchedulerLimits;
  readonly kv: KvCache;
  private readonly waiting: Seq[] = [];
  private readonly running: Seq[] = [];
  private readonly byId = new Map<number, Seq>();
  private prefixQueries = 0;
  private prefixHits = 0;
  private preemptionCount = 0;

  constructor(limits: SchedulerLimits) {
    this.limits = limits;
    this.kv = new KvCache(limits.numBlocks);
  }

  /** Largest prompt + output that can ever be resident (longer requests must be rejected up front). */
  maxSequenceTokens(): number {
    return this.limits.numBlocks * this.limits.blockSize;
  }

  add(req: SeqRequest): void {
    if (req.promptTokens + req.outputTokens > this.maxSequenceTokens()) {
      throw new RangeError(`request ${req.id} needs more KV than the cache holds`);
    }
    const seq: Seq = {
      req,
      computed: 0,
      generated: 0,
      state: 'waiting',
      preemptions: 0,
      scheduledOnce: false,
      registered: false,
      anon: 0,
      refs: [],
    };
    this.byId.set(req.id, seq);
    this.waiting.push(seq);
  }

  /** Removes a request wherever it is (client went away); its blocks return to the pool. */
  abort(id: number): void {
    const seq = this.byId.get(id);
    if (!seq) return;
    this.byId.delete(id);
    this.kv.release(seq);
    seq.state = 'done';
    removeFrom(this.waiting, seq);
    removeFrom(this.running, seq);
  }

  hasWork(): boolean {
    return this.running.length > 0 || this.waiting.length > 0;
  }

  stats(): SchedulerStats {
    return {
      running: this.running.length,
      waiting: this.waiting.length,
      kvUsage: this.kv.used / this.kv.totalBlocks,
      prefixQueriesTokens: this.prefixQueries,
      prefixHitsTokens: this.prefixHits,
      preemptions: this.preemptionCount,
    };
  }

  preemptionsOf(id: number): number {
    return this.byId.get(id)?.preemptions ?? 0;
  }

  plan(): StepPlan | null {
    const { blockSize, maxNumBatchedTokens, maxNumSeqs, tokensPerStep } = this.limits;
    let budget = maxNumBatchedTokens;
    const planned: PlannedSeq[] = [];
    const preempted: number[] = [];
    const firstScheduled: number[] = [];
    const blocksFor = (seq: Seq, newTokens: number): number =>
      Math.ceil((seq.computed + newTokens) / blockSize) - (seq.anon + seq.refs.length);

    // 1. Running requests first, in arrival order; preempt from the back when KV runs out.
    for (let i = 0; i < this.running.length && budget > 0; i += 1) {
      const seq = this.running[i] as Seq;
      const known = seq.req.promptTokens + seq.generated;
      const decode = known - seq.computed === 1 && seq.generated > 0;
      const want = decode
        ? Math.min(tokensPerStep, seq.req.outputTokens - seq.generated)
        : known - seq.computed;
      const newTokens = Math.min(want, budget);
      let scheduled = true;
      while (!this.kv.allocate(seq, blocksFor(seq, newTokens))) {
        const victim = this.running[this.running.length - 1] as Seq;
        this.preempt(victim);
        preempted.push(victim.req.id);
        if (victim === seq) {
          scheduled = false;
          break;
        }
      }
      if (!scheduled) break;
      planned.push({ id: seq.req.id, newTokens, contextTokens: seq.computed, prefill: !decode });
      budget -= newTokens;
    }

    // 2. Waiting requests (FIFO; preempted ones sit at the front), only when nothing was preempted.
    if (preempted.length === 0) {
      while (this.waiting.length > 0 && this.running.length < maxNumSeqs && budget > 0) {
        const seq = this.waiting[0] as Seq;
        const known = seq.req.promptTokens + seq.generated;
        let hitBlocks = 0;
        if (this.limits.prefixCaching && seq.computed === 0 && seq.req.blockHashes) {
          hitBlocks = this.kv.countHits(seq.req.blockHashes, Math.floor((known - 1) / blockSize));
        }
        const computedAfterHits = hitBlocks * blockSize;
        const newTokens = Math.min(known - computedAfterHits, budget);
        const need = Math.ceil((computedAfterHits + newTokens) / blockSize) - hitBlocks;
        if (!this.kv.canAllocate(need + hitBlocks)) break;
        if (hitBlocks > 0 && seq.req.blockHashes) this.kv.acquire(seq, seq.req.blockHashes, hitBlocks);
        if (!this.kv.allocate(seq, need)) {
          this.kv.release(seq);
          break;
        }
        if (this.limits.prefixCaching && !seq.scheduledOnce) {
          this.prefixQueries += seq.req.promptTokens;
          this.prefixHits += computedAfterHits;
        }
        seq.computed = computedAfterHits;
        this.waiting.shift();
        seq.state = 'running';
        this.running.push(seq);
        if (!seq.scheduledOnce) {
          seq.scheduledOnce = true;
          firstScheduled.push(seq.req.id);
        }
        planned.push({ id: seq.req.id, newTokens, contextTokens: seq.computed, prefill: true });
        budget -= newTokens;
      }
    }

    if (planned.length === 0) return preempted.length > 0 ? this.plan() : null;
    return { seqs: planned, preempted, firstScheduled, tokens: maxNumBatchedTokens - budget };
  }

  commit(plan: StepPlan): StepResult {
    const emissions: Emission[] = [];
    let prefillTokens = 0;
    let decodeTokens = 0;
    for (const p of plan.seqs) {
      const seq = this.byId.get(p.id);
      if (!seq || seq.state !== 'running') continue; // aborted during the step
      const known = seq.req.promptTokens + seq.generated;
      if (p.prefill) prefillTokens += p.newTokens;
      else decodeTokens += p.newTokens;
      seq.computed += p.newTokens;
      if (seq.computed < known) continue; // partial (chunked) prefill: no token yet
      if (!seq.registered && seq.req.blockHashes && this.limits.prefixCaching) {
        this.kv.register(seq, seq.req.blockHashes, Math.floor(seq.req.promptTokens / this.limits.blockSize));
        seq.registered = true;
      }
      const remaining = seq.req.outputTokens - seq.generated;
      const tokens = Math.min(p.prefill ? 1 : p.newTokens, remaining);
      const first = seq.generated === 0;
      seq.generated += tokens;
      seq.computed = seq.req.promptTokens + seq.generated - 1;
      const finished = seq.generated >= seq.req.outputTokens;
      if (finished) {
        this.kv.release(seq);
        seq.state = 'done';
        removeFrom(this.running, seq);
        this.byId.delete(seq.req.id);
      }
      emissions.push({ id: p.id, tokens, first, finished });
    }
    return { emissions, prefillTokens, decodeTokens };
  }

  private preempt(seq: Seq): void {
    removeFrom(this.running, seq);
    this.kv.release(seq);
    seq.computed = 0;
    seq.registered = false;
    seq.state = 'waiting';
    seq.preemptions += 1;
    this.preemptionCount += 1;
    this.waiting.unshift(seq);
  }
}

function removeFrom(list: Seq[], seq: Seq): void {
  const at = list.indexOf(seq);
  if (at >= 0) list.splice(at, 1);
}
