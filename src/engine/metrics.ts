// The engine's /metrics: vLLM's metric names (v1 engine) plus DCGM-exporter-style GPU gauges.
import { monitorEventLoopDelay, PerformanceObserver, type IntervalHistogram } from 'node:perf_hooks';
import { Exposition, Histogram } from './prom.js';
import type { GpuReading } from './power.js';
import type { DriverStats } from './timing.js';

// Bucket edges as vLLM's v1 engine uses them.
const TTFT_BUCKETS_S = [
  0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0,
  80.0, 160.0, 640.0, 2560.0,
];
const TPOT_BUCKETS_S = [
  0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0,
];
const REQUEST_LATENCY_BUCKETS_S = [
  0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0, 40.0, 50.0, 60.0, 120.0, 240.0, 480.0,
  960.0, 1920.0, 7680.0,
];

/** Sampling period of the loop-delay monitor (ms); a sample is its interval minus this. */
const LOOP_RESOLUTION_MS = 1;

export interface LoopDelay {
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly samples: number;
}

/**
 * The engine process's own event-loop delay (perf_hooks.monitorEventLoopDelay at 1 ms: a finer
 * resolution than the client's 10 ms self-audit, whose floor is ~1 ms of timer granularity), so a
 * benchmark can tell how late the engine itself was to read requests and write tokens. Served in
 * /metrics with prom-client's names and semantics: the window is the time since the previous scrape.
 */
export class LoopHealth {
  private readonly delay: IntervalHistogram = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  private enabled = false;
  private gcObserver: PerformanceObserver | null = null;
  /** Garbage-collection pauses since start: how many, their total, the longest since the last take. */
  gcPauses = 0;
  gcPauseMs = 0;
  private gcMaxMs = 0;

  start(): void {
    if (this.enabled) return;
    this.enabled = true;
    this.delay.enable();
    this.gcObserver = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) this.addGcPause(entry.duration);
    });
    this.gcObserver.observe({ entryTypes: ['gc'] });
  }

  stop(): void {
    if (!this.enabled) return;
    this.enabled = false;
    this.delay.disable();
    this.gcObserver?.disconnect();
    this.gcObserver = null;
  }

  addGcPause(ms: number): void {
    this.gcPauses += 1;
    this.gcPauseMs += ms;
    if (ms > this.gcMaxMs) this.gcMaxMs = ms;
  }

  /** The longest GC pause since the previous call (ms), then starts over. */
  takeGcMaxMs(): number {
    const max = this.gcMaxMs;
    this.gcMaxMs = 0;
    return max;
  }

  /** The delay since the previous take() (or start), then starts over; null without samples. */
  take(): LoopDelay | null {
    const h = this.delay;
    const samples = h.count;
    const at = (ns: number): number => Math.max(0, ns / 1e6 - LOOP_RESOLUTION_MS);
    const result =
      samples === 0
        ? null
        : { p50Ms: at(h.percentile(50)), p99Ms: at(h.percentile(99)), maxMs: at(h.max), samples };
    h.reset();
    return result;
  }
}

export interface GpuIdentity {
  readonly modelName: string;
  readonly uuidPrefix: string;
}

export class EngineMetrics {
  readonly ttft = new Histogram(TTFT_BUCKETS_S);
  readonly tpot = new Histogram(TPOT_BUCKETS_S);
  readonly e2e = new Histogram(REQUEST_LATENCY_BUCKETS_S);
  readonly queueTime = new Histogram(REQUEST_LATENCY_BUCKETS_S);
  promptTokens = 0;
  generationTokens = 0;
  readonly success = new Map<string, number>();
  readonly loop = new LoopHealth();
  private lastGenTokens = 0;
  private lastGenAtMs: number;
  private genRate = 0;

  constructor(
    private readonly modelName: string,
    private readonly gpu: GpuIdentity,
    startMs: number,
  ) {
    this.lastGenAtMs = startMs;
  }

  countSuccess(reason: string): void {
    this.success.set(reason, (this.success.get(reason) ?? 0) + 1);
  }

  render(stats: DriverStats, gpus: readonly GpuReading[], nowMs: number): string {
    const labels = { engine: '0', model_name: this.modelName };
    // Rate over the last interval of at least 1 s between scrapes (the first one: since start).
    if (nowMs - this.lastGenAtMs >= 1000) {
      const dt = (nowMs - this.lastGenAtMs) / 1000;
      this.genRate = (this.generationTokens - this.lastGenTokens) / dt;
      this.lastGenTokens = this.generationTokens;
      this.lastGenAtMs = nowMs;
    }
    const hitRate = stats.prefixQueriesTokens > 0 ? stats.prefixHitsTokens / stats.prefixQueriesTokens : 0;
    const x = new Exposition()
      .family('vllm:num_requests_running', 'gauge', 'Number of requests in model execution batches.')
      .sample('vllm:num_requests_running', labels, stats.running)
      .family('vllm:num_requests_waiting', 'gauge', 'Number of requests waiting to be processed.')
      .sample('vllm:num_requests_waiting', labels, stats.waiting)
      .family('vllm:kv_cache_usage_perc', 'gauge', 'KV-cache usage. 1 means 100 percent usage.')
      .sample('vllm:kv_cache_usage_perc', labels, stats.kvUsage)
      .family(
        'vllm:gpu_cache_usage_perc',
        'gauge',
        'GPU KV-cache usage. 1 means 100 percent usage (legacy name).',
      )
      .sample('vllm:gpu_cache_usage_perc', labels, stats.kvUsage)
      .family(
        'vllm:prefix_cache_queries_total',
        'counter',
        'Prefix cache queries, in terms of number of queried tokens.',
      )
      .sample('vllm:prefix_cache_queries_total', labels, stats.prefixQueriesTokens)
      .family(
        'vllm:prefix_cache_hits_total',
        'counter',
        'Prefix cache hits, in terms of number of cached tokens.',
      )
      .sample('vllm:prefix_cache_hits_total', labels, stats.prefixHitsTokens)
      .family('vllm:prefix_cache_hit_rate', 'gauge', 'Prefix cache hit rate (hits / queries, tokens).')
      .sample('vllm:prefix_cache_hit_rate', labels, hitRate)
      .family('vllm:num_preemptions_total', 'counter', 'Cumulative number of preemptions from the engine.')
      .sample('vllm:num_preemptions_total', labels, stats.preemptions)
      .family('vllm:prompt_tokens_total', 'counter', 'Number of prefill tokens processed.')
      .sample('vllm:prompt_tokens_total', labels, this.promptTokens)
      .family('vllm:generation_tokens_total', 'counter', 'Number of generation tokens processed.')
      .sample('vllm:generation_tokens_total', labels, this.generationTokens)
      .family(
        'vllm:avg_generation_throughput_toks_per_s',
        'gauge',
        'Average generation throughput in tokens/s.',
      )
      .sample('vllm:avg_generation_throughput_toks_per_s', labels, Math.round(this.genRate * 10) / 10)
      .family('vllm:request_success_total', 'counter', 'Count of successfully processed requests.');
    for (const reason of ['stop', 'length']) {
      x.sample(
        'vllm:request_success_total',
        { ...labels, finished_reason: reason },
        this.success.get(reason) ?? 0,
      );
    }
    x.histogram(
      'vllm:time_to_first_token_seconds',
      'Histogram of time to first token in seconds.',
      labels,
      this.ttft,
    )
      .histogram(
        'vllm:time_per_output_token_seconds',
        'Histogram of time per output token in seconds.',
        labels,
        this.tpot,
      )
      .histogram(
        'vllm:e2e_request_latency_seconds',
        'Histogram of e2e request latency in seconds.',
        labels,
        this.e2e,
      )
      .histogram(
        'vllm:request_queue_time_seconds',
        'Histogram of time spent in WAITING phase for request.',
        labels,
        this.queueTime,
      );
    const gpuLabels = (g: number): Record<string, string> => ({
      gpu: String(g),
      UUID: `${this.gpu.uuidPrefix}-${String(g).padStart(4, '0')}`,
      device: `nvidia${g}`,
      modelName: this.gpu.modelName,
      Hostname: 'inferencebench-sim',
      // Simulated, not measured: telemetry readers mark these series (src/telemetry/dcgm.ts).
      simulated: 'true',
    });
    x.family('DCGM_FI_DEV_POWER_USAGE', 'gauge', 'Power draw (in W).');
    for (const r of gpus)
      x.sample('DCGM_FI_DEV_POWER_USAGE', gpuLabels(r.gpu), Math.round(r.powerW * 1000) / 1000);
    x.family('DCGM_FI_DEV_GPU_UTIL', 'gauge', 'GPU utilization (in %).');
    for (const r of gpus) x.sample('DCGM_FI_DEV_GPU_UTIL', gpuLabels(r.gpu), r.utilPct);
    x.family(
      'DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION',
      'counter',
      'Total energy consumption since boot (in mJ).',
    );
    for (const r of gpus) x.sample('DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION', gpuLabels(r.gpu), r.energyMj);
    // The engine process itself (prom-client's default names): is the timing reference healthy?
    const cpu = process.cpuUsage();
    x.family(
      'process_cpu_seconds_total',
      'counter',
      'Total user and system CPU time spent in seconds.',
    ).sample('process_cpu_seconds_total', {}, (cpu.user + cpu.system) / 1e6);
    const loop = this.loop.take();
    for (const [key, stat] of [
      ['p50', 'p50Ms'],
      ['p99', 'p99Ms'],
      ['max', 'maxMs'],
    ] as const) {
      const name = `nodejs_eventloop_lag_${key}_seconds`;
      x.family(name, 'gauge', `The ${key} of the event loop delay since the previous scrape.`).sample(
        name,
        {},
        loop === null ? 0 : loop[stat] / 1000,
      );
    }
    const loopHealth = this.loop;
    x.family('nodejs_gc_pauses_total', 'counter', 'Garbage-collection pauses since start.')
      .sample('nodejs_gc_pauses_total', {}, loopHealth.gcPauses)
      .family(
        'nodejs_gc_pause_seconds_total',
        'counter',
        'Time spent in garbage-collection pauses since start.',
      )
      .sample('nodejs_gc_pause_seconds_total', {}, loopHealth.gcPauseMs / 1000)
      .family(
        'nodejs_gc_pause_max_seconds',
        'gauge',
        'The longest garbage-collection pause since the previous scrape.',
      )
      .sample('nodejs_gc_pause_max_seconds', {}, loopHealth.takeGcMaxMs() / 1000);
    return x.text();
  }
}
