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
  /** The part of `overheadMs` that scales with the batch (per-sequence kernels: attention, sampling). */
  readonly perSeqMs: number;
  /** Sequences in the step. */
  readonly seqs: number;
  readonly stepMs: number;
  /** Achieved share of the GPU's peak tensor FLOP/s over the whole step (MFU), 0..1. */
  readonly tensorUtil: number;
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
      perSeqMs: 0,
      seqs: 0,
      stepMs: 0,
      tensorUtil: 0,
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
  const perSeqMs = hw.perSeqOverheadMs * seqs.length;
  const overheadMs = hw.stepOverheadMs + perSeqMs;
  const stepMs = Math.max(memMs, computeMs) + arMs + overheadMs;
  const tensorUtil = Math.min(1, flopsPerGpu / (peakFlopsPerGpu(d) * (stepMs / 1000)));
  return {
    memMs,
    computeMs,
    allReduceMs: arMs,
    overheadMs,
    perSeqMs,
    seqs: seqs.length,
    stepMs,
    bytesPerGpu,
    flopsPerGpu,
    tensorUtil,
  };
}

/**
 * Power model constants (docs/engine.md "Power"), fitted to measured H100 boards: the Qwen2.5-72B TP 8
 * InferenceBench envelopes (264/273/286 W per GPU at c1/c4/c16), the seed-001 Llama-3.1-8B sweep
 * (≈395/456/479 W) and a matmul-saturated H100 (697 W, fixtures/h100-runs).
 */
export const POWER_MODEL = {
  /** Headroom share drawn while kernels run at batch 1 (memory-bound decode). */
  busyBase: 0.5,
  /** Extra headroom share as the batch fills more SMs: × (1 − e^(−seqs / batchScale)). */
  batchGain: 0.15,
  batchScale: 1.5,
  /** Headroom share while the step waits on all-reduces (NCCL kernels mostly wait on the link). */
  allReduce: 0.05,
  /** Headroom share per unit of achieved tensor utilisation (MFU). */
  tensor: 0.8,
} as const;

/**
 * Power of one GPU during a step: idle + (TDP − idle) × intensity, where the intensity grows with the
 * share of the step the GPU runs kernels (roofline-bound time plus per-sequence work), with how many
 * sequences the batch spreads over the SMs, and with achieved tensor throughput. Fixed CPU-side step
 * overhead draws idle power, so busier steps (bigger batches, prefill) always draw more.
 */
export function stepPowerW(hw: HardwareSpec, cost: StepCost): number {
  if (cost.stepMs <= 0) return hw.idleW;
  const k = POWER_MODEL;
  const busyShare = Math.min(1, (Math.max(cost.memMs, cost.computeMs) + cost.perSeqMs) / cost.stepMs);
  const batch = k.busyBase + k.batchGain * (1 - Math.exp(-cost.seqs / k.batchScale));
  const intensity = Math.min(
    1,
    busyShare * batch + k.allReduce * (cost.allReduceMs / cost.stepMs) + k.tensor * cost.tensorUtil,
  );
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
