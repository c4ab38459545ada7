// Public API of the telemetry layer (imports nothing internal from other src folders).
export type * from './types.js';
export {
  openNvml,
  queryGpuHealth,
  decodeThrottleReasons,
  formatCudaVersion,
  nvmlLibPath,
  THROTTLE_REASON_BITS,
  DEFAULT_NVML_LIB,
} from './nvml.js';
export type {
  NvmlHandle,
  NvmlUnavailable,
  GpuHealth,
  NvmlDeviceInfo,
  NvmlProcess,
  NvmlRawSample,
} from './nvml.js';
export { startNvmlSampler } from './nvml-worker.js';
export type { NvmlSampler, NvmlSamplerOptions } from './nvml-worker.js';
export { GpuStore, UNDER_LOAD_UTIL_PCT } from './gpu-store.js';
export type { GpuEnergyDetail, GpuTick, GpuWindowSummary } from './gpu-store.js';
export { startTelemetry, measureIdleBaseline } from './session.js';
export type { TelemetryOptions, TelemetrySession, IdleBaseline } from './session.js';
export { discoverRapl, raplDeltaUj, RaplSampler, DEFAULT_POWERCAP_ROOT } from './rapl.js';
export type { RaplZone, RaplDiscovery, RaplOptions, RaplSamplerOptions, RaplWindowSummary } from './rapl.js';
export {
  parsePrometheusText,
  scrapePrometheus,
  samplesOf,
  sumOf,
  counterValue,
  histogramOf,
  histogramDelta,
  histogramMean,
  histogramQuantile,
  metricsUrlFromBaseUrl,
  PrometheusParseError,
  PrometheusScrapeError,
} from './prometheus.js';
export type { PromFamily, PromSample, PromExposition, MetricType, HistogramData } from './prometheus.js';
export {
  ServerMetricsRecorder,
  readServerMetrics,
  deltaOf,
  detectFlavor,
  canonicalOf,
} from './server-metrics.js';
export type {
  ServerMetricsReading,
  ServerMetricsDelta,
  ServerMetricsDuring,
  ServerMetricsResult,
  CanonicalServerMetrics,
  EngineFlavor,
} from './server-metrics.js';
export { startDcgmSampler, dcgmGpus, dcgmTick } from './dcgm.js';
export { probeEngineIdentity, identityFromHeader, ENGINE_ID_HEADER } from './engine-identity.js';
export type { EngineIdentity } from './engine-identity.js';
export type { DcgmGpu, DcgmSampler } from './dcgm.js';
export { collectFingerprintParts, MEMORY_PLACEHOLDER } from './fingerprint.js';
export type { HardwareFingerprintParts, FingerprintGpu } from './fingerprint.js';
export {
  collectProvenance,
  probeEngineVersion,
  gitCommit,
  nvidiaSmiQHash,
  sha256Hex,
  EMPTY_SHA256,
  ZERO_COMMIT,
} from './provenance.js';
export type { SoftwareProvenance, EngineVersion } from './provenance.js';
export {
  readCpuInfo,
  readNumaNodes,
  readCpuGovernors,
  readSwapTotalKb,
  readTransparentHugepages,
  parseCpuList,
} from './host.js';
export type { CpuInfo, NumaNode } from './host.js';
