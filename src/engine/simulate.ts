// Drives the scheduler + roofline at simulated time (no sleeping): a closed-loop client population of
// `concurrency` users, each sending its next request as soon as the previous one finished.
import type { SimModel } from './model.js';
import { PowerMeter } from './power.js';
import { createEngineRng, type Rng } from '../lib/rng.js';
import { Scheduler, type StepPlan, type StepResult } from './scheduler.js';
import { percentile } from './stats.js';

export interface ClosedLoopSpec {
  readonly concurrency: number;
  /** Requests measured (after warm-up). */
  readonly numRequests: number;
  /** Completed requests discarded first (default 2 × concurrency). */
  readonly warmupRequests?: number;
  readonly seed?: number;
  readonly promptTokens: (rng: Rng, index: number) => number;
  readonly outputTokens: (rng: Rng, index: number) => number;
  readonly blockHashes?: (index: number, promptTokens: number) => readonly number[];
  /** Client turnaround between one response ending and the next request leaving (ms). */
  readonly clientGapMs?: number;
  /** Called after every step (tests check invariants here). */
  readonly onStep?: (step: {
    plan: StepPlan;
    result: StepResult;
    scheduler: Scheduler;
    nowMs: number;
  }) => void;
}

export interface SimRequestRecord {
  readonly index: number;
  readonly promptTokens: number;
  readonly outputTokens: number;
  readonly sendMs: number;
  readonly firstTokenMs: number;
  readonly lastTokenMs: number;
  readonly queueMs: number;
  readonly preemptions: number;
}

export interface SimMetrics {
  readonly throughputTokPerS: number;
  readonly reqPerS: number;
  readonly ttftP50Ms: number;
  readonly ttftP99Ms: number;
  readonly tpotP50Ms: number;
  readonly tpotP99Ms: number;
  readonly e2eP50Ms: number;
  readonly powerAvgW: number;
  readonly joulesPerToken: number;
}

export interface SimResult {
  readonly records: readonly SimRequestRecord[];
  readonly windowMs: number;
  readonly steps: number;
  readonly maxKvUsage: number;
  readonly preemptions: number;
  readonly prefixHitRate: number;
  readonly metrics: SimMetrics;
}

interface Inflight {
  index: number;
  promptTokens: number;
  outputTokens: number;
  sendMs: number;
  readyMs: number;
  scheduledMs: number;
  firstTokenMs: number;
  lastTokenMs: number;
}

export function simulateClosedLoop(model: SimModel, spec: ClosedLoopSpec): SimResult {
  const rng = createEngineRng(spec.seed ?? 42);
  const warmup = spec.warmupRequests ?? 2 * spec.concurrency;
  const target = warmup + spec.numRequests;
  const gap = spec.clientGapMs ?? 0.3;
  const scheduler = new Scheduler(model.limits);
  const gpus = model.deployment.tensorParallel;
  const meter = new PowerMeter(gpus, model.deployment.hardware.idleW, 0);
  const pending: Inflight[] = [];
  const inflight = new Map<number, Inflight>();
  const records: SimRequestRecord[] = [];
  let nextIndex = 0;
  let completed = 0;
  let now = 0;
  let steps = 0;
  let maxKv = 0;
  let windowStart = Number.NaN;
  let windowEnd = Number.NaN;
  let windowTokens = 0;
  let energyStartJ = 0;

  const send = (atMs: number): void => {
    if (nextIndex >= target + spec.concurrency) return;
    const index = nextIndex;
    nextIndex += 1;
    const promptTokens = Math.max(1, Math.round(spec.promptTokens(rng, index)));
    const outputTokens = Math.max(1, Math.round(spec.outputTokens(rng, index)));
    const readyMs = atMs + model.frontendDelayMs(inflight.size + pending.length);
    const req: Inflight = {
      index,
      promptTokens,
      outputTokens,
      sendMs: atMs,
      readyMs,
      scheduledMs: Number.NaN,
      firstTokenMs: Number.NaN,
      lastTokenMs: Number.NaN,
    };
    pending.push(req);
  };

  for (let c = 0; c < spec.concurrency; c += 1) send(0);

  while (completed < target) {
    for (let i = pending.length - 1; i >= 0; i -= 1) {
      const req = pending[i] as Inflight;
      if (req.readyMs <= now) {
        pending.splice(i, 1);
        inflight.set(req.index, req);
        const hashes = spec.blockHashes?.(req.index, req.promptTokens);
        scheduler.add({
          id: req.index,
          promptTokens: req.promptTokens,
          outputTokens: req.outputTokens,
          ...(hashes ? { blockHashes: hashes } : {}),
        });
      }
    }
    const plan = scheduler.plan();
    if (!plan) {
      if (pending.length === 0) break;
      const next = Math.min(...pending.map((p) => p.readyMs));
      meter.idle(now);
      now = Math.max(now, next);
      continue;
    }
    for (const id of plan.firstScheduled) {
      const req = inflight.get(id);
      if (req) req.scheduledMs = now;
    }
    const cost = model.stepCost(plan);
    meter.set(now, 1, model.stepPowerW(cost));
    now += cost.stepMs;
    steps += 1;
    const result = scheduler.commit(plan);
    maxKv = Math.max(maxKv, scheduler.kv.used / scheduler.kv.totalBlocks);
    spec.onStep?.({ plan, result, scheduler, nowMs: now });
    for (const e of result.emissions) {
      const req = inflight.get(e.id);
      if (!req) continue;
      if (e.first) req.firstTokenMs = now;
      req.lastTokenMs = now;
      if (!Number.isNaN(windowStart) && Number.isNaN(windowEnd)) windowTokens += e.tokens;
      if (!e.finished) continue;
      inflight.delete(e.id);
      completed += 1;
      if (completed === warmup) {
        windowStart = now;
        energyStartJ = meter.energyJoules(now);
      }
      if (completed > warmup && records.length < spec.numRequests) {
        records.push({
          index: req.index,
          promptTokens: req.promptTokens,
          outputTokens: req.outputTokens,
          sendMs: req.sendMs,
          firstTokenMs: req.firstTokenMs,
          lastTokenMs: req.lastTokenMs,
          queueMs: req.scheduledMs - req.readyMs,
          preemptions: scheduler.preemptionsOf(req.index),
        });
      }
      if (completed === target) windowEnd = now;
      send(now + gap);
    }
  }
  if (warmup === 0) windowStart = 0;
  if (Number.isNaN(windowEnd)) windowEnd = now;
  const windowMs = windowEnd - windowStart;
  const energyJ = (meter.energyJoules(windowEnd) - energyStartJ) * gpus;
  const ttft = records.map((r) => r.firstTokenMs - r.sendMs);
  const tpot = records
    .filter((r) => r.outputTokens >= 2)
    .map((r) => (r.lastTokenMs - r.firstTokenMs) / (r.outputTokens - 1));
  const stats = scheduler.stats();
  return {
    records,
    windowMs,
    steps,
    maxKvUsage: maxKv,
    preemptions: stats.preemptions,
    prefixHitRate: stats.prefixQueriesTokens > 0 ? stats.prefixHitsTokens / stats.prefixQueriesTokens : 0,
    metrics: {
      throughputTokPerS: windowMs > 0 ? (windowTokens / windowMs) * 1000 : 0,
      reqPerS: windowMs > 0 ? (records.length / windowMs) * 1000 : 0,
      ttftP50Ms: percentile(ttft, 50),
      ttftP99Ms: percentile(ttft, 99),
      tpotP50Ms: percentile(tpot, 50),
      tpotP99Ms: percentile(tpot, 99),
      e2eP50Ms: percentile(
        records.map((r) => r.lastTokenMs - r.sendMs),
        50,
      ),
      powerAvgW: windowMs > 0 ? (energyJ / windowMs) * 1000 : 0,
      joulesPerToken: windowTokens > 0 ? energyJ / windowTokens : 0,
    },
  };
}
