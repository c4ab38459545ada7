// NVML sampling in a worker thread. The worker is built from a code string (`eval: true`) that
// embeds bindNvml's source, so it runs the same way from the TS sources (tsx, vitest) and from the
// esbuild single-file bundle (koffi stays external and is loaded by absolute path).
import { Worker } from 'node:worker_threads';
import { bindNvml } from './nvml-binding.js';
import type { NvmlDeviceInfo } from './nvml-binding.js';
import { formatCudaVersion, nvmlLibPath, resolveKoffiPath } from './nvml.js';
import type { NvmlUnavailable } from './nvml.js';
import type { GpuTick } from './gpu-store.js';
import type { GpuSample } from './types.js';

/** Values per GPU in a tick row after [tMs, energyFresh, energyTMs]. */
const PER_GPU = 7;
const HEAD = 3;

export interface NvmlSamplerOptions {
  readonly libPath?: string;
  readonly intervalMs: number;
  /** Energy-counter read period (each read costs ~4 ms per H100). Default max(intervalMs, 100). */
  readonly energyIntervalMs?: number;
  /** How often the worker posts its batch of samples. Default max(intervalMs, 50). */
  readonly batchMs?: number;
}

export interface NvmlSampler {
  readonly devices: readonly NvmlDeviceInfo[];
  readonly driverVersion: string;
  readonly cudaVersion: string;
  readonly intervalMs: number;
  readonly energyIntervalMs: number;
  /** Ticks whose NVML calls failed (the tick is skipped); lastFault says why. */
  readonly faults: () => { count: number; last: string | null };
  stop(): Promise<void>;
}

// esbuild helpers that transpiled code may reference (keepNames / class fields).
const ESBUILD_HELPERS = `
var __defProp = Object.defineProperty;
var __name = (target, value) => __defProp(target, "name", { value, configurable: true });
var __defNormalProp = (obj, key, value) => key in obj ? __defProp(obj, key, { enumerable: true, configurable: true, writable: true, value }) : obj[key] = value;
var __publicField = (obj, key, value) => __defNormalProp(obj, typeof key !== "symbol" ? key + "" : key, value);
`;

const WORKER_BODY = `
const { parentPort, workerData } = require('node:worker_threads');
(function main() {
const { koffiPath, libPath, intervalMs, energyIntervalMs, batchMs, mainTimeOrigin } = workerData;
const offsetMs = performance.timeOrigin - mainTimeOrigin; // worker clock -> main thread clock
let b;
try {
  b = bindNvml(require(koffiPath), libPath);
} catch (e) {
  parentPort.postMessage({ type: 'error', message: String(e && e.message || e) });
  parentPort.close();
  return;
}
const devices = [];
try {
  for (let i = 0; i < b.deviceCount; i++) devices.push(b.info(i));
} catch (e) {
  b.close();
  parentPort.postMessage({ type: 'error', message: String(e && e.message || e) });
  parentPort.close();
  return;
}
parentPort.postMessage({ type: 'ready', devices, driverVersion: b.driverVersion, cudaDriverVersion: b.cudaDriverVersion });
const G = devices.length;
const stride = ${HEAD} + ${PER_GPU} * G;
let batch = [];
let lastFlush = performance.now();
let lastEnergy = -Infinity;
const ctrl = new Int32Array(workerData.ctrl); // [0] = 1 asks the loop to stop
const nn = (v) => (v === null || v === undefined ? NaN : v);
function flush() {
  if (batch.length === 0) return;
  const data = Float64Array.from(batch);
  batch = [];
  parentPort.postMessage({ type: 'samples', stride, data }, [data.buffer]);
}
// Drift-free schedule on this thread's own clock. Atomics.wait sleeps with sub-ms precision
// (setTimeout truncates to whole ms); slots missed while busy are skipped, not bunched.
const start = performance.now();
let k = 0;
let faults = 0;
let lastFaultMessage = '';
let lastFaultPost = -Infinity;
while (Atomics.load(ctrl, 0) === 0) {
  const now = performance.now();
  const withEnergy = now - lastEnergy >= energyIntervalMs - intervalMs / 2;
  try {
    // energy reads take ~4 ms each: stamp them at the mean midpoint of the reads, not the tick start
    const row = [now + offsetMs, withEnergy ? 1 : 0, 0];
    let energyT = 0;
    for (let g = 0; g < G; g++) {
      const before = performance.now();
      const s = b.sample(g, withEnergy);
      energyT += (before + performance.now()) / 2;
      row.push(s.powerMw / 1000, nn(s.energyMj), s.utilGpuPct, s.utilMemPct, s.memUsedB / 1048576, nn(s.smClockMhz), nn(s.tempC));
    }
    row[2] = energyT / G + offsetMs;
    if (withEnergy) lastEnergy = now;
    for (const v of row) batch.push(v);
  } catch (e) {
    // a lost GPU fails every tick: report at most once a second, with the count
    faults++;
    lastFaultMessage = String(e && e.message || e);
    if (now - lastFaultPost >= 1000) {
      parentPort.postMessage({ type: 'fault', count: faults, message: lastFaultMessage });
      faults = 0;
      lastFaultPost = now;
    }
  }
  if (now - lastFlush >= batchMs) { flush(); lastFlush = now; }
  const after = performance.now();
  k = Math.max(k + 1, Math.ceil((after - start) / intervalMs));
  const waitMs = start + k * intervalMs - after;
  if (waitMs > 0) Atomics.wait(ctrl, 0, 0, waitMs);
}
flush();
if (faults > 0) parentPort.postMessage({ type: 'fault', count: faults, message: lastFaultMessage });
try { b.close(); } catch {}
parentPort.postMessage({ type: 'stopped' });
parentPort.close();
})();
`;

/** The worker's source text (exported for tests that check it is self-contained). */
export function nvmlWorkerSource(): string {
  return `'use strict';\n${ESBUILD_HELPERS}\nconst bindNvml = ${bindNvml.toString()};\n${WORKER_BODY}`;
}

export function decodeTickRows(data: Float64Array, stride: number): GpuTick[] {
  const out: GpuTick[] = [];
  const gpus = (stride - HEAD) / PER_GPU;
  const nul = (v: number | undefined): number | null => (v === undefined || Number.isNaN(v) ? null : v);
  for (let o = 0; o + stride <= data.length; o += stride) {
    const tMs = data[o] ?? NaN;
    const samples: GpuSample[] = [];
    for (let g = 0; g < gpus; g++) {
      const b = o + HEAD + g * PER_GPU;
      samples.push({
        tMs,
        powerW: data[b] ?? NaN,
        energyMj: nul(data[b + 1]),
        utilGpuPct: data[b + 2] ?? NaN,
        utilMemPct: data[b + 3] ?? NaN,
        memUsedMiB: data[b + 4] ?? NaN,
        smClockMhz: nul(data[b + 5]),
        tempC: nul(data[b + 6]),
      });
    }
    const energyFresh = data[o + 1] === 1;
    out.push({ tMs, gpus: samples, energyFresh, ...(energyFresh ? { energyTMs: data[o + 2] ?? tMs } : {}) });
  }
  return out;
}

interface ReadyMessage {
  type: 'ready';
  devices: NvmlDeviceInfo[];
  driverVersion: string;
  cudaDriverVersion: number | null;
}
type WorkerMessage =
  | ReadyMessage
  | { type: 'error'; message: string }
  | { type: 'fault'; count: number; message: string }
  | { type: 'samples'; stride: number; data: Float64Array }
  | { type: 'stopped' };

/**
 * Starts the NVML sampler worker. Resolves once NVML is open in the worker (or with
 * {available: false, reason}); each batch of ticks is handed to onTicks on the main thread.
 */
export function startNvmlSampler(
  opts: NvmlSamplerOptions,
  onTicks: (ticks: GpuTick[]) => void,
): Promise<NvmlSampler | NvmlUnavailable> {
  const intervalMs = Math.max(1, opts.intervalMs);
  const energyIntervalMs = opts.energyIntervalMs ?? Math.max(intervalMs, 100);
  let koffiPath: string;
  try {
    koffiPath = resolveKoffiPath();
  } catch (e) {
    return Promise.resolve({
      available: false,
      reason: `koffi (FFI) could not be found: ${e instanceof Error ? e.message : String(e)}`,
    });
  }
  const libPath = nvmlLibPath(opts.libPath);
  const ctrl = new SharedArrayBuffer(4);
  return new Promise((resolve) => {
    let worker: Worker;
    try {
      worker = new Worker(nvmlWorkerSource(), {
        eval: true,
        workerData: {
          ctrl,
          koffiPath,
          libPath,
          intervalMs,
          energyIntervalMs,
          batchMs: opts.batchMs ?? Math.max(intervalMs, 50),
          mainTimeOrigin: performance.timeOrigin,
        },
      });
    } catch (e) {
      resolve({ available: false, reason: `NVML sampler worker failed to start: ${String(e)}` });
      return;
    }
    worker.unref();
    const ctrlView = new Int32Array(ctrl);
    let settled = false;
    let faultCount = 0;
    let lastFault: string | null = null;
    let stopping: Promise<void> | null = null;
    const exited = new Promise<void>((r) => worker.once('exit', () => r()));
    worker.on('error', (e) => {
      if (!settled) {
        settled = true;
        resolve({ available: false, reason: `NVML sampler worker failed: ${e.message}` });
      } else {
        faultCount++;
        lastFault = e.message;
      }
    });
    worker.on('exit', (code) => {
      if (!settled) {
        settled = true;
        resolve({ available: false, reason: `NVML sampler worker exited (code ${code}) before NVML opened` });
      }
    });
    worker.on('message', (m: WorkerMessage) => {
      switch (m.type) {
        case 'ready': {
          settled = true;
          if (m.devices.length === 0) {
            void worker.terminate();
            resolve({ available: false, reason: 'NVML reports no GPUs' });
            return;
          }
          resolve({
            devices: m.devices,
            driverVersion: m.driverVersion,
            cudaVersion: formatCudaVersion(m.cudaDriverVersion),
            intervalMs,
            energyIntervalMs,
            faults: () => ({ count: faultCount, last: lastFault }),
            stop(): Promise<void> {
              stopping ??= (async () => {
                const timeout = setTimeout(() => void worker.terminate(), 2000);
                Atomics.store(ctrlView, 0, 1);
                Atomics.notify(ctrlView, 0);
                await exited;
                clearTimeout(timeout);
              })();
              return stopping;
            },
          });
          return;
        }
        case 'error':
          if (!settled) {
            settled = true;
            const msg = m.message;
            resolve({
              available: false,
              reason: /Failed to load shared library/i.test(msg)
                ? `NVML library ${libPath} could not be loaded (${msg.replace(/^Failed to load shared library:\s*/i, '')})`
                : `NVML initialisation failed: ${msg}`,
            });
          }
          return;
        case 'fault':
          faultCount += m.count;
          lastFault = m.message;
          return;
        case 'samples':
          onTicks(decodeTickRows(m.data, m.stride));
          return;
        case 'stopped':
          return;
      }
    });
  });
}
