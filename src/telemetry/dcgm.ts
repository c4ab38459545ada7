// GPU telemetry from a Prometheus endpoint with DCGM exporter names (dcgm-exporter on the GPU host,
// or the embedded engine's /metrics): DCGM_FI_DEV_POWER_USAGE (W), DCGM_FI_DEV_GPU_UTIL (%),
// DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION (mJ since driver load), per `gpu` label.
import { scrapePrometheus, samplesOf } from './prometheus.js';
import type { PromExposition } from './prometheus.js';
import type { GpuTick } from './gpu-store.js';
import type { GpuSample } from './types.js';

export interface DcgmGpu {
  readonly id: string;
  readonly name: string;
  readonly uuid: string | null;
  /** The series come from the embedded engine's model (label `simulated="true"`), not a real board. */
  readonly simulated: boolean;
}

/** The embedded engine labels its DCGM series `simulated="true"` (and `Hostname="inferencebench-sim"`). */
function isSimulatedSeries(labels: Readonly<Record<string, string>>): boolean {
  return labels.simulated === 'true' || labels.Hostname === 'inferencebench-sim';
}

/** GPUs present in an exposition (by `gpu` label, numeric order). Empty when no power metric. */
export function dcgmGpus(expo: PromExposition): DcgmGpu[] {
  const byId = new Map<string, DcgmGpu>();
  for (const s of samplesOf(expo, 'DCGM_FI_DEV_POWER_USAGE')) {
    const id = s.labels.gpu ?? String(byId.size);
    if (!byId.has(id))
      byId.set(id, {
        id,
        name: s.labels.modelName ?? `GPU ${id}`,
        uuid: s.labels.UUID ?? s.labels.uuid ?? null,
        simulated: isSimulatedSeries(s.labels),
      });
  }
  return [...byId.values()].sort((a, b) => Number(a.id) - Number(b.id) || a.id.localeCompare(b.id));
}

function valueFor(expo: PromExposition, metric: string, gpu: string): number | null {
  const s = samplesOf(expo, metric).find((x) => (x.labels.gpu ?? '0') === gpu);
  return s && Number.isFinite(s.value) ? s.value : null;
}

/** One tick from one scrape; null when a GPU lacks power or utilisation. */
export function dcgmTick(expo: PromExposition, gpus: readonly DcgmGpu[], tMs: number): GpuTick | null {
  const samples: GpuSample[] = [];
  let energyFresh = true;
  for (const g of gpus) {
    const powerW = valueFor(expo, 'DCGM_FI_DEV_POWER_USAGE', g.id);
    const util = valueFor(expo, 'DCGM_FI_DEV_GPU_UTIL', g.id);
    if (powerW === null || util === null) return null;
    const energyMj = valueFor(expo, 'DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION', g.id);
    if (energyMj === null) energyFresh = false;
    samples.push({
      tMs,
      powerW,
      energyMj,
      utilGpuPct: util,
      utilMemPct: valueFor(expo, 'DCGM_FI_DEV_MEM_COPY_UTIL', g.id) ?? 0,
      memUsedMiB: valueFor(expo, 'DCGM_FI_DEV_FB_USED', g.id) ?? 0,
      smClockMhz: valueFor(expo, 'DCGM_FI_DEV_SM_CLOCK', g.id),
      tempC: valueFor(expo, 'DCGM_FI_DEV_GPU_TEMP', g.id),
    });
  }
  return { tMs, gpus: samples, energyFresh };
}

export interface DcgmSampler {
  readonly gpus: readonly DcgmGpu[];
  readonly intervalMs: number;
  readonly faults: () => { count: number; last: string | null };
  stop(): Promise<void>;
}

export interface DcgmSamplerOptions {
  readonly url: string;
  readonly intervalMs?: number;
  readonly timeoutMs?: number;
  readonly now?: () => number;
}

/** First scrape decides availability (and the GPU set); then scrapes every intervalMs. */
export async function startDcgmSampler(
  opts: DcgmSamplerOptions,
  onTicks: (ticks: GpuTick[]) => void,
): Promise<DcgmSampler | { available: false; reason: string }> {
  const intervalMs = opts.intervalMs ?? 1000;
  const timeoutMs = opts.timeoutMs ?? Math.min(5000, Math.max(500, intervalMs));
  const now = opts.now ?? (() => performance.now());
  let expo: PromExposition;
  try {
    expo = await scrapePrometheus(opts.url, { timeoutMs });
  } catch (e) {
    return {
      available: false,
      reason: `DCGM metrics unavailable: ${e instanceof Error ? e.message : String(e)}`,
    };
  }
  const gpus = dcgmGpus(expo);
  if (gpus.length === 0)
    return {
      available: false,
      reason: 'DCGM metrics unavailable: the endpoint has no DCGM_FI_DEV_POWER_USAGE',
    };
  let faults = 0;
  let last: string | null = null;
  const first = dcgmTick(expo, gpus, now());
  if (first) onTicks([first]);
  let inFlight: Promise<void> | null = null;
  const timer = setInterval(() => {
    if (inFlight) return;
    inFlight = scrapePrometheus(opts.url, { timeoutMs })
      .then((e) => {
        const t = dcgmTick(e, gpus, now());
        if (t) onTicks([t]);
        else {
          faults++;
          last = 'scrape lacked power or utilisation for a GPU';
        }
      })
      .catch((e: unknown) => {
        faults++;
        last = e instanceof Error ? e.message : String(e);
      })
      .finally(() => {
        inFlight = null;
      });
  }, intervalMs);
  timer.unref();
  return {
    gpus,
    intervalMs,
    faults: () => ({ count: faults, last }),
    async stop() {
      clearInterval(timer);
      if (inFlight) await inFlight;
    },
  };
}
