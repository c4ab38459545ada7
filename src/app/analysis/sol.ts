// Speed-of-light framing (seed 003): how close a measured point is to what the hardware could do.
// All three are fractions of a ceiling cited by key path; a missing input gives n/a with a reason,
// never a guess.
//
//   decode MBU      = (weight bytes + KV bytes read per step) × steps/s ÷ (GPUs × HBM bandwidth)
//   prefill MFU     = 2 × active params × prompt tokens/s ÷ (GPUs × peak tensor FLOP/s)   (time-averaged)
//   workload %SoL   = output tok/s per GPU ÷ (HBM bandwidth ÷ per-token footprint)
//   per-token footprint = weight bytes ÷ batch + KV bytes per token × mean context   (bytes read per output token)

export type SolValue =
  | { readonly ok: true; readonly fraction: number; readonly ceilingKey: string }
  | { readonly ok: false; readonly reason: string; readonly ceilingKey?: string };

export interface ModelBytes {
  /** All weights in bytes (what a decode step streams, dense). */
  readonly weightBytes: number;
  /** KV-cache bytes per token of context, whole model (all layers). */
  readonly kvBytesPerToken: number;
  /** Parameters used per token (MoE: active); for FLOPs. */
  readonly activeParams: number;
}

export interface SolInputs {
  readonly model: ModelBytes | null;
  /** Why `model` is null (unknown model and no --model-bytes). */
  readonly modelReason?: string;
  readonly gpuCount: number;
  /** Bytes/s and FLOP/s ceilings per GPU, with their key paths; null when the hardware is unknown. */
  readonly hbm: { readonly key: string; readonly bytesPerS: number } | null;
  readonly compute: { readonly key: string; readonly flopsPerS: number } | null;
  readonly hardwareReason?: string;
  /** Measured. */
  readonly outputTokPerS: number | null;
  readonly promptTokPerS: number | null;
  /** Mean sequences per decode step (concurrency in closed loop, the server's running mean otherwise). */
  readonly batch: number | null;
  readonly islMean: number | null;
  readonly oslMean: number | null;
  /** Mean time between decode steps as a stream sees it (TPOT mean), ms. */
  readonly stepMs: number | null;
}

const na = (reason: string, ceilingKey?: string): SolValue => ({
  ok: false,
  reason,
  ...(ceilingKey !== undefined ? { ceilingKey } : {}),
});

function positive(value: number | null | undefined): value is number {
  return value !== null && value !== undefined && Number.isFinite(value) && value > 0;
}

/** Mean context a decode step attends over: the prompt plus half the output. */
export function meanContextTokens(islMean: number, oslMean: number): number {
  return islMean + oslMean / 2;
}

/** Bytes read per output token: the weights are shared by the batch, each token reads its own KV. */
export function perTokenFootprintBytes(model: ModelBytes, batch: number, contextTokens: number): number {
  return model.weightBytes / batch + model.kvBytesPerToken * contextTokens;
}

export function decodeMbu(i: SolInputs): SolValue {
  if (!i.hbm) return na(i.hardwareReason ?? 'hardware unknown: no HBM ceiling');
  if (!i.model) return na(i.modelReason ?? 'model bytes unknown (pass --model-bytes)', i.hbm.key);
  if (!positive(i.stepMs)) return na('no decode step time (TPOT) measured', i.hbm.key);
  if (!positive(i.batch)) return na('batch size unknown', i.hbm.key);
  if (i.islMean === null || i.oslMean === null) return na('ISL/OSL unknown', i.hbm.key);
  const kvPerStep = i.batch * i.model.kvBytesPerToken * meanContextTokens(i.islMean, i.oslMean);
  const stepsPerS = 1000 / i.stepMs;
  const fraction = ((i.model.weightBytes + kvPerStep) * stepsPerS) / (i.gpuCount * i.hbm.bytesPerS);
  return { ok: true, fraction, ceilingKey: i.hbm.key };
}

export function prefillMfu(i: SolInputs): SolValue {
  if (!i.compute) return na(i.hardwareReason ?? 'hardware unknown: no tensor ceiling');
  if (!i.model) return na(i.modelReason ?? 'model bytes unknown (pass --model-bytes)', i.compute.key);
  if (!positive(i.promptTokPerS)) return na('no prompt-token rate measured', i.compute.key);
  const fraction = (2 * i.model.activeParams * i.promptTokPerS) / (i.gpuCount * i.compute.flopsPerS);
  return { ok: true, fraction, ceilingKey: i.compute.key };
}

export function workloadSol(i: SolInputs): SolValue {
  if (!i.hbm) return na(i.hardwareReason ?? 'hardware unknown: no HBM ceiling');
  if (!i.model) return na(i.modelReason ?? 'model bytes unknown (pass --model-bytes)', i.hbm.key);
  if (!positive(i.outputTokPerS)) return na('no output throughput measured', i.hbm.key);
  if (!positive(i.batch)) return na('batch size unknown', i.hbm.key);
  if (i.islMean === null || i.oslMean === null) return na('ISL/OSL unknown', i.hbm.key);
  const footprint = perTokenFootprintBytes(i.model, i.batch, meanContextTokens(i.islMean, i.oslMean));
  const ceilingTokPerSPerGpu = i.hbm.bytesPerS / footprint;
  const fraction = i.outputTokPerS / i.gpuCount / ceilingTokPerSPerGpu;
  return { ok: true, fraction, ceilingKey: i.hbm.key };
}

/** `42.1% of h100_sxm.hbm3_tbps` or `n/a (reason)`. */
export function formatSol(value: SolValue, digits = 1): string {
  if (!value.ok) return `n/a (${value.reason})`;
  return `${(value.fraction * 100).toFixed(digits)}% of ${value.ceilingKey}`;
}

/** Table cell: `42.1%` or `n/a`. */
export function solCell(value: SolValue, digits = 1): string {
  return value.ok ? `${(value.fraction * 100).toFixed(digits)}%` : 'n/a';
}
