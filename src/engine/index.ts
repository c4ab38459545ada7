// The embedded engine: an OpenAI-compatible server with a simulated continuous-batching GPU behind it.
import { performance } from 'node:perf_hooks';
import {
  builtinCatalog,
  findHardware,
  findModel,
  loadCatalog,
  type Catalog,
  type ModelSpec,
} from './catalog.js';
import { EngineError } from './errors.js';
import { EngineMetrics } from './metrics.js';
import { buildSimModel, type SimModel } from './model.js';
import { createEngineRng, deriveSeed } from '../lib/rng.js';
import { EngineServer } from './server.js';
import { FixedDriver, NoDelayDriver, SimDriver, type TimingDriver } from './timing.js';
import { TruthLog } from './truthlog.js';
import type { EngineHandle, EngineOptions } from './types.js';
import { defaultEngineOptions } from './defaults.js';

export type { EngineCounters, EngineHandle, EngineOptions, FaultRates, FixedTiming } from './types.js';
export {
  builtinCatalog,
  findHardware,
  findModel,
  findQuant,
  loadCatalog,
  type Catalog,
  type HardwareSpec,
  type ModelSpec,
  type QuantSpec,
} from './catalog.js';
export { EngineError } from './errors.js';
export { buildSimModel, type SimModel, type SimModelOptions } from './model.js';
export { simulateClosedLoop, type ClosedLoopSpec, type SimMetrics, type SimResult } from './simulate.js';
export {
  Scheduler,
  defaultSchedulerLimits,
  type SchedulerLimits,
  type SeqRequest,
  type StepPlan,
} from './scheduler.js';
export {
  stepCost,
  kvCapacity,
  kvBytesPerTokenPerGpu,
  weightBytesPerGpu,
  type Deployment,
  type StepCost,
} from './roofline.js';
export { ENGINE_VERSION } from './server.js';
export { epochNowMs } from './truthlog.js';
export type { TruthEntry } from './truthlog.js';
export { FAULT_KINDS, type FaultKind } from './stream.js';
export { defaultEngineOptions } from './defaults.js';

function validate(o: EngineOptions): void {
  const bad = (what: string): never => {
    throw new EngineError(what, 'E_ENGINE_OPTION');
  };
  if (!['sim', 'fixed', 'nodelay'].includes(o.timing))
    bad(`timing must be sim, fixed or nodelay (got ${o.timing})`);
  if (!Number.isInteger(o.port) || o.port < 0 || o.port > 65535) bad(`port must be 0..65535 (got ${o.port})`);
  if (!Number.isInteger(o.tokensPerChunk) || o.tokensPerChunk < 1)
    bad('tokensPerChunk must be an integer ≥ 1');
  if (!Number.isInteger(o.defaultOutputTokens) || o.defaultOutputTokens < 1) {
    bad('defaultOutputTokens must be an integer ≥ 1');
  }
  if (!Number.isInteger(o.reasoningTokens) || o.reasoningTokens < 0)
    bad('reasoningTokens must be an integer ≥ 0');
  let total = 0;
  for (const [name, rate] of Object.entries(o.faults)) {
    if (typeof rate !== 'number' || !(rate >= 0 && rate <= 1)) bad(`fault rate ${name} must be in [0, 1]`);
    total += rate as number;
  }
  if (total > 1) bad(`fault rates add up to ${total} > 1`);
  const f = o.fixed;
  for (const [name, v] of Object.entries(f)) {
    if (typeof v !== 'number' || !(v >= 0) || !Number.isFinite(v))
      bad(`fixed.${name} must be a finite number ≥ 0`);
  }
}

/** Starts the engine on host:port (port 0 = ephemeral) and resolves once it listens. */
export async function startEngine(options: Partial<EngineOptions> = {}): Promise<EngineHandle> {
  const o: EngineOptions = {
    ...defaultEngineOptions,
    ...options,
    fixed: { ...defaultEngineOptions.fixed, ...(options.fixed ?? {}) },
    faults: { ...(options.faults ?? {}) },
  };
  validate(o);
  const catalog: Catalog =
    o.catalogPaths && o.catalogPaths.length > 0 ? loadCatalog(o.catalogPaths) : builtinCatalog();
  const hardware = findHardware(catalog, o.hardware);
  let modelSpec: ModelSpec | null = null;
  let sim: SimModel | null = null;
  if (o.timing === 'sim') {
    sim = buildSimModel({
      catalog,
      model: o.model,
      hardware: o.hardware,
      quant: o.quant,
      tensorParallel: o.tensorParallel,
      prefixCaching: o.prefixCaching,
      tokensPerStep: o.tokensPerChunk,
      ...(o.scheduler ?? {}),
    });
    modelSpec = sim.deployment.model;
  } else {
    try {
      modelSpec = findModel(catalog, o.model);
    } catch {
      modelSpec = null; // fixed / nodelay serve any model name
    }
  }
  const modelId = modelSpec?.id ?? o.model;
  const metrics = new EngineMetrics(
    modelId,
    {
      modelName: hardware.gpuName,
      uuidPrefix: 'GPU-5133a0f0-sim0',
    },
    performance.now(),
  );
  const hooks = { onQueueTime: (s: number) => metrics.queueTime.observe(s) };
  const gpus = o.tensorParallel;
  const power = { gpus, idleW: hardware.idleW, tdpW: hardware.tdpW };
  let driver: TimingDriver;
  if (sim) driver = new SimDriver(sim, hooks);
  else if (o.timing === 'fixed') {
    driver = new FixedDriver(
      o.fixed,
      createEngineRng(deriveSeed(o.seed, 'fixed')),
      o.tokensPerChunk,
      power,
      hooks,
    );
  } else driver = new NoDelayDriver(o.tokensPerChunk, power, hooks);
  const truth = o.truthLogPath ? new TruthLog(o.truthLogPath) : null;
  const server = new EngineServer({
    options: o,
    modelId,
    modelSpec,
    contextLength: modelSpec?.contextLength ?? 131072,
    maxSequenceTokens: driver instanceof SimDriver ? driver.maxSequenceTokens() : Infinity,
    blockSize: sim?.limits.blockSize ?? 16,
    driver,
    metrics,
    truth,
    faultRng: createEngineRng(deriveSeed(o.seed, 'faults')),
    lengthRng: createEngineRng(deriveSeed(o.seed, 'lengths')),
  });
  let port: number;
  try {
    port = await server.listen(o.host, o.port);
  } catch (error) {
    driver.close();
    await truth?.close();
    throw error;
  }
  metrics.loop.start();
  const hostForUrl = o.host.includes(':') ? `[${o.host}]` : o.host;
  let closing: Promise<void> | undefined;
  return {
    baseUrl: `http://${hostForUrl}:${port}/v1`,
    port,
    modelId,
    counters: () => server.counters(),
    close: () => {
      closing ??= (async () => {
        metrics.loop.stop();
        await server.close();
        await truth?.close();
      })();
      return closing;
    },
  };
}
