// The performance model of one deployment: catalog entries + scheduler limits + roofline + frontend delay.
import { builtinCatalog, findHardware, findModel, findQuant, type Catalog } from './catalog.js';
import { EngineError } from './errors.js';
import {
  kvCapacity,
  stepCost,
  stepPowerW,
  type Deployment,
  type KvCapacity,
  type StepCost,
} from './roofline.js';
import { defaultSchedulerLimits, type SchedulerLimits, type StepPlan } from './scheduler.js';

export interface SimModelOptions {
  readonly model: string;
  readonly hardware: string;
  readonly quant: string;
  readonly tensorParallel: number;
  readonly catalog?: Catalog;
  readonly prefixCaching?: boolean;
  readonly tokensPerStep?: number;
  readonly maxNumSeqs?: number;
  readonly maxNumBatchedTokens?: number;
  readonly blockSize?: number;
  /** vLLM --gpu-memory-utilization (default 0.9). */
  readonly gpuMemoryUtilization?: number;
  /** Override the KV block count (tests that want preemption). */
  readonly numBlocks?: number;
}

export interface SimModel {
  readonly deployment: Deployment;
  readonly limits: SchedulerLimits;
  readonly capacity: KvCapacity;
  /** Time of one step for a planned batch. */
  stepCost(plan: StepPlan): StepCost;
  /** Per-GPU power while that step runs. */
  stepPowerW(cost: StepCost): number;
  /** API-server delay before a request reaches the scheduler, given the streams already active. */
  frontendDelayMs(activeStreams: number): number;
}

export function buildSimModel(options: SimModelOptions): SimModel {
  const catalog = options.catalog ?? builtinCatalog();
  const tp = options.tensorParallel;
  if (!Number.isInteger(tp) || tp < 1 || tp > 64) {
    throw new EngineError(`tensor-parallel degree must be an integer 1..64 (got ${tp})`, 'E_ENGINE_TP');
  }
  const deployment: Deployment = {
    model: findModel(catalog, options.model),
    hardware: findHardware(catalog, options.hardware),
    quant: findQuant(catalog, options.quant),
    tensorParallel: tp,
  };
  const blockSize = options.blockSize ?? defaultSchedulerLimits.blockSize;
  const capacity = kvCapacity(deployment, {
    gpuMemoryUtilization: options.gpuMemoryUtilization ?? 0.9,
    blockSize,
    activationReserveGB: 2,
  });
  const limits: SchedulerLimits = {
    maxNumSeqs: options.maxNumSeqs ?? defaultSchedulerLimits.maxNumSeqs,
    maxNumBatchedTokens: options.maxNumBatchedTokens ?? defaultSchedulerLimits.maxNumBatchedTokens,
    blockSize,
    numBlocks: options.numBlocks ?? capacity.numBlocks,
    prefixCaching: options.prefixCaching ?? true,
    tokensPerStep: Math.max(1, Math.floor(options.tokensPerStep ?? 1)),
  };
  const hw = deployment.hardware;
  return {
    deployment,
    limits,
    capacity,
    stepCost: (plan) => stepCost(deployment, plan.seqs),
    stepPowerW: (cost) => stepPowerW(hw, cost),
    frontendDelayMs: (active) => hw.frontendBaseMs + hw.frontendPerStreamMs * Math.max(0, active),
  };
}
