// Step-time roofline: the time one engine step takes for a given batch on a model × hardware × quant × TP.
import type { HardwareSpec, ModelSpec, QuantSpec } from './catalog.js';
import { EngineError } from './errors.js';

export interface Deployment {
  readonly model: ModelSpec;
  readonly hardware: HardwareSpec;
  readonly quant: QuantSpec;
  readonly tensorParallel: number;
}

/** One sequence's share of a step: `newTokens` computed on top of `contextTokens` already in the KV cache. */
export interface StepSeq {
  readonly newTokens: number;
  readonly contextTokens: number;
}

export interface StepCost {
  readonly memMs: number;
  readonly computeMs: number;
  readonly allReduceMs: number;
  readonly overheadMs: number;
  readonly stepMs: number;
  /** Bytes read from HBM per GPU and FLOPs per GPU in this step. */
  readonly bytesPerGpu: number;
  readonly flopsPerGpu: number;
}

export function weightBytesPerGpu(d: Deployment): number {
  return (d.model.paramsTotal * d.quant.bytesPerParam) / d.tensorParallel;
}

/** KV-cache bytes per token on one GPU (heads are sharded by TP; MLA latents and lone KV heads replicate). */
export function kvBytesPerTokenPerGpu(d: Deployment): number {
  const m = d.model;
  if (m.kvDimPerLayer !== undefined) return m.layers * m.kvDimPerLayer * d.quant.kvBytes;
  const headsPerGpu = Math.max(1, Math.ceil(m.kvHeads / d.tensorParallel));
  return m.layers * 2 * headsPerGpu * m.headDim * d.quant.kvBytes;
}

/** Peak dense tensor FLOP/s of one GPU for the quantisation's compute type (falls back to the next wider type). */
export function peakFlopsPerGpu(d: Deployment): number {
  const hw = d.hardware;
  const tflops =
    d.quant.compute === 'fp4'
      ? (hw.fp4Tflops ?? hw.fp8Tflops ?? hw.bf16Tflops)
      : d.quant.compute === 'fp8'
        ? (hw.fp8Tflops ?? hw.bf16Tflops)
        : hw.bf16Tflops;
  return tflops * 1e12;
}

/** Latency of one all-reduce across the TP group (µs → ms), plus its bandwidth term for `bytes`. */
export function allReduceMs(d: Deployment, bytes: number): number {
  const tp = d.tensorParallel;
  if (tp <= 1) return 0;
  const hw = d.hardware;
  const latencyMs = (hw.allReduceBaseUs + hw.allReducePerPeerUs * (tp - 1)) / 1000;
  const ringBytes = (2 * (tp - 1) * bytes) / tp;
  return latencyMs + (ringBytes / (hw.interconnectGBs * 1e9)) * 1000;
}

/** Fraction of the weights read in a step of `tokens` tokens (MoE: experts touched by any token). */
export function weightReadFraction(model: ModelSpec, tokens: number): number {
  if (model.paramsActive >= model.paramsTotal) return 1;
  const active = model.paramsActive / model.paramsTotal;
  return active + (1 - active) * (1 - Math.pow(1 - active, Math.max(1, tokens)));
}

export function stepCost(d: Deployment, seqs: readonly StepSeq[]): StepCost {
  const m = d.model;
  const hw = d.hardware;
  const tp = d.tensorParallel;
  let tokens = 0;
  let attnPairs = 0;
  let kvTokensRead = 0;
  for (const s of seqs) {
    tokens += s.newTokens;
    attnPairs += s.newTokens * s.contextTokens + (s.newTokens * (s.newTokens + 1)) / 2;
    kvTokensRead += s.contextTokens + s.newTokens;
  }
  if (tokens === 0) {
    return {
      memMs: 0,
      computeMs: 0,
      allReduceMs: 0,
      overheadMs: 0,
      stepMs: 0,
      bytesPerGpu: 0,
      flopsPerGpu: 0,
    };
  }
  const linearFlops = 2 * m.paramsActive * tokens;
  const attnFlops = 4 * m.layers * m.heads * m.headDim * attnPairs;
  const flopsPerGpu = (linearFlops + attnFlops) / tp;
  const bytesPerGpu =
    weightBytesPerGpu(d) * weightReadFraction(m, tokens) + kvTokensRead * kvBytesPerTokenPerGpu(d);
  const memMs = (bytesPerGpu / (hw.hbmBandwidthGBs * 1e9 * hw.memEfficiency)) * 1000;
  const computeMs = (flopsPerGpu / (peakFlopsPerGpu(d) * hw.computeEfficiency)) * 1000;
  // Two all-reduces per layer (after attention and after the MLP) of the step's activations (bf16).
  const arMs = tp > 1 ? 2 * m.layers * allReduceMs(d, tokens * m.hidden * 2) : 0;
  const overheadMs = hw.stepOverheadMs + hw.perSeqOverheadMs * seqs.length;
  const stepMs = Math.max(memMs, computeMs) + arMs + overheadMs;
  return { memMs, computeMs, allReduceMs: arMs, overheadMs, stepMs, bytesPerGpu, flopsPerGpu };
}

/** Power of one GPU during a step: idle → TDP with how hard the roofline-bound part drives the chip. */
export function stepPowerW(hw: HardwareSpec, cost: StepCost): number {
  if (cost.stepMs <= 0) return hw.idleW;
  const bound = Math.max(cost.memMs, cost.computeMs);
  const busy = bound / cost.stepMs;
  const computeShare = bound > 0 ? cost.computeMs / bound : 0;
  const intensity = Math.min(1, 0.2 + busy * (0.4 + 0.5 * computeShare));
  return hw.idleW + (hw.tdpW - hw.idleW) * intensity;
}

export interface KvCapacity {
  readonly weightBytesPerGpu: number;
  readonly kvBytesPerGpu: number;
  readonly kvBytesPerToken: number;
  readonly numBlocks: number;
}

/** KV blocks from the HBM left after weights and an activation reserve (vLLM's gpu_memory_utilization). */
export function kvCapacity(
  d: Deployment,
  opts: { gpuMemoryUtilization: number; blockSize: number; activationReserveGB: number },
): KvCapacity {
  const weights = weightBytesPerGpu(d);
  const budget = d.hardware.hbmGB * 1e9 * opts.gpuMemoryUtilization - opts.activationReserveGB * 1e9;
  const kvBytes = budget - weights;
  const perToken = kvBytesPerTokenPerGpu(d);
  const numBlocks = Math.floor(kvBytes / (perToken * opts.blockSize));
  if (numBlocks < 1) {
    const needGB = (weights / 1e9).toFixed(1);
    throw new EngineError(
      `${d.model.id} (${d.quant.id}) needs ${needGB} GB of weights per GPU at TP ${d.tensorParallel}; ` +
        `${d.hardware.id} has ${d.hardware.hbmGB} GB: raise --tp or choose a smaller --quant`,
      'E_ENGINE_DOES_NOT_FIT',
    );
  }
  return { weightBytesPerGpu: weights, kvBytesPerGpu: kvBytes, kvBytesPerToken: perToken, numBlocks };
}
