// The defaults of `bench run` and the small rules every run path shares (run, trials, replay,
// profile, calibrate): one definition each. The flag table (flags.ts) shows these in --help.
import { defaultEngineOptions } from '../../engine/defaults.js';
import type { SigningOptions } from '../../envelope/index.js';

export const DEFAULTS = {
  suiteId: 'llm.inference',
  engine: 'vllm',
  hardware: 'h100',
  quant: 'fp16',
  durationS: 300,
  seed: 42,
  outputDir: './results',
  sloTemplate: 'llm.standard',
  signingMode: 'dev',
  devKeyPath: 'cosign.key',
  apiKeyEnv: 'OPENAI_API_KEY',
  warmupRequests: 3,
  gate: { enabled: true, targetCov: 0.05, window: 30, timeoutS: 60 },
  requestTimeoutS: 600,
  idleTimeoutS: 30,
  /** Per-event cap of the SSE parser (1 MiB): past it a request fails with event_too_large. */
  maxEventBytes: 1024 * 1024,
  drainGraceS: 30,
  /** The model the embedded engine serves when --model is not given (the engine's own default). */
  embeddedModel: defaultEngineOptions.model,
} as const;

/** A point whose ok_rate is below this fails the run (exit 1). */
export const OK_RATE_FLOOR = 0.95;

/** Did every request rate of these metrics clear the ok-rate floor? (missing/non-numeric: no) */
export function meetsOkRateFloor(okRate: unknown): boolean {
  return typeof okRate === 'number' && okRate >= OK_RATE_FLOOR;
}

/**
 * Why a run exits 1 on the ok-rate floor: every point below it, with its ok rate (`what` names the
 * number: "mean ok_rate" for trials).
 */
export function okRateFloorFailure(
  failing: readonly { point: { label: string }; metrics: Readonly<Record<string, unknown>> }[],
  what = 'ok_rate',
): string {
  const list = failing
    .map((r) => {
      const ok = r.metrics.ok_rate;
      return `${r.point.label} ${what} ${typeof ok === 'number' ? ok.toFixed(3) : 'n/a (nothing measured)'}`;
    })
    .join(', ');
  return `${failing.length} point(s) below the ok-rate floor ${OK_RATE_FLOOR}: ${list}`;
}

/** The signing options of a run's --signing-mode / --dev-key. */
export function signingOptionsOf(config: {
  readonly signingMode: 'dev' | 'keyless';
  readonly devKeyPath: string;
}): SigningOptions {
  return config.signingMode === 'dev' ? { mode: 'dev', keyPath: config.devKeyPath } : { mode: 'keyless' };
}

/** The engine's Prometheus /metrics: --metrics-url, else the OpenAI base with /v1 replaced. */
export function metricsUrlOf(metricsUrl: string | null, baseUrl: string): string {
  return metricsUrl ?? baseUrl.replace(/\/v1$/, '/metrics');
}
