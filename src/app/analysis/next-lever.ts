// "Next lever" (seed 003 Grind Mandate): at the end of `compare` and of a `--trials` run, name the
// regime furthest from its ceiling, the likely bound there, and the measurement that would
// confirm it. Rules, in order (docs/metrics.md):
//   host    the client was distorted, or the GPU was busy < 50 % of the time while far from SoL
//   queue   requests waited in the server's queue (waiting > 0, or queue time ≥ 10 % of TTFT)
//   HBM     decode MBU ≥ prefill MFU and ≥ 50 %
//   compute prefill MFU > MBU and ≥ 50 %
//   host    neither ceiling is near (< 50 %) while the GPU is busy: per-step overhead (launches, scheduling)

export interface LeverPoint {
  readonly label: string;
  /** Workload %SoL (fraction) or null when n/a. */
  readonly sol: number | null;
  readonly solKey: string | null;
  readonly mbu: number | null;
  readonly mfu: number | null;
  readonly gpuUtilPct: number | null;
  readonly queueTimeMeanMs: number | null;
  readonly waitingMax: number | null;
  readonly ttftP50Ms: number | null;
  readonly clientDistorted: boolean;
}

export type Bound = 'host' | 'queue' | 'HBM' | 'compute';

export interface NextLever {
  readonly label: string;
  readonly sol: number;
  readonly solKey: string | null;
  readonly bound: Bound;
  readonly why: string;
  readonly lever: string;
  readonly confirm: string;
}

const pct = (f: number): string => `${(f * 100).toFixed(1)}%`;

export function classifyBound(p: LeverPoint): { bound: Bound; why: string; lever: string; confirm: string } {
  if (p.clientDistorted)
    return {
      bound: 'host',
      why: 'the load generator itself was distorted',
      lever: 'more client workers (--workers) or a bigger client host',
      confirm: 're-run with --workers 2+: the self-audit clears and throughput moves',
    };
  if (p.gpuUtilPct !== null && p.gpuUtilPct < 50)
    return {
      bound: 'host',
      why: `GPU busy only ${p.gpuUtilPct.toFixed(0)}% of the time`,
      lever: 'feed the GPU: more concurrency, or relieve the engine front end (tokenisation, detokenisation)',
      confirm:
        'GPU utilisation rises toward 100% at the next concurrency point; engine CPU profile shows the front end',
    };
  const queueShare =
    p.queueTimeMeanMs !== null && p.ttftP50Ms !== null && p.ttftP50Ms > 0
      ? p.queueTimeMeanMs / p.ttftP50Ms
      : null;
  if ((p.waitingMax !== null && p.waitingMax > 0) || (queueShare !== null && queueShare >= 0.1))
    return {
      bound: 'queue',
      why:
        queueShare !== null
          ? `requests wait ${p.queueTimeMeanMs!.toFixed(1)} ms in the server queue (${pct(queueShare)} of TTFT p50)`
          : `up to ${p.waitingMax} requests waiting`,
      lever:
        'more batch capacity: max-num-seqs, KV-cache memory (gpu-memory-utilization, fp8 KV), or another replica',
      confirm: 'vllm:num_requests_waiting stays 0 and TTFT falls at the same load',
    };
  const mbu = p.mbu ?? 0;
  const mfu = p.mfu ?? 0;
  if (p.mbu !== null && mbu >= mfu && mbu >= 0.5)
    return {
      bound: 'HBM',
      why: `decode MBU ${pct(mbu)}`,
      lever:
        'fewer bytes per token: lower-precision weights/KV (fp8, nvfp4), or a larger batch to share the weight read',
      confirm: 'tok/s rises roughly with bytes saved; DCGM DRAM-active near 100%',
    };
  if (p.mfu !== null && mfu > mbu && mfu >= 0.5)
    return {
      bound: 'compute',
      why: `prefill MFU ${pct(mfu)}`,
      lever: 'cheaper FLOPs: fp8 compute, chunked prefill tuning, prefix caching for shared prompts',
      confirm: 'DCGM tensor-active near 100%; TTFT scales with ISL',
    };
  return {
    bound: 'host',
    why: `neither ceiling is near (MBU ${p.mbu === null ? 'n/a' : pct(mbu)}, MFU ${p.mfu === null ? 'n/a' : pct(mfu)}): per-step overhead`,
    lever: 'cut per-step overhead: CUDA graphs (no enforce_eager), async scheduling, a larger batch',
    confirm: '`bench profile` shows step time above the roofline; TPOT drops with CUDA graphs on',
  };
}

/** The point furthest from its ceiling (lowest %SoL), with its bound; null when no point has a %SoL. */
export function nextLever(points: readonly LeverPoint[]): NextLever | null {
  const graded = points.filter((p): p is LeverPoint & { sol: number } => p.sol !== null);
  if (graded.length === 0) return null;
  const worst = graded.reduce((a, b) => (b.sol < a.sol ? b : a));
  return { label: worst.label, sol: worst.sol, solKey: worst.solKey, ...classifyBound(worst) };
}

export function renderNextLever(lever: NextLever | null): string[] {
  if (lever === null) return ['next lever: n/a (no point has a %SoL: pass --ceilings / --model-bytes)'];
  return [
    `next lever: ${lever.label} is furthest from its ceiling (${pct(lever.sol)}${lever.solKey ? ` of ${lever.solKey}` : ''})`,
    `  likely bound  ${lever.bound} — ${lever.why}`,
    `  lever         ${lever.lever}`,
    `  confirm by    ${lever.confirm}`,
  ];
}
