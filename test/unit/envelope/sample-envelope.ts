// A valid unsigned envelope with tricky values (floats in every Python repr regime, -0, unicode,
// astral keys, nested arrays), built the way the app builds one.
import { buildHardwareFingerprint } from '../../../src/envelope/index.js';
import type { UnsignedEnvelope } from '../../../src/envelope/index.js';

export function sampleUnsignedEnvelope(): UnsignedEnvelope {
  return {
    envelope_version: 'v1',
    suite_id: 'llm.inference.chatbot-short',
    suite_version: '1.0.0',
    run_id: '019e3b45-8552-7705-ab62-1cb802fe5680',
    timestamp: '2026-05-18T13:27:52.402452Z',
    model: {
      id: 'meta-llama/Llama-3.1-8B-Instruct',
      revision: 'unknown',
      provider: 'openai-compatible',
      endpoint_hash: '0'.repeat(64),
    },
    engine: { name: 'sim', version: '0.1.0', config_hash: 'a'.repeat(64), image_digest: '' },
    quantization: { format: 'fp16', method: '' },
    hardware_fingerprint: buildHardwareFingerprint({
      dmi_uuid: 'unknown',
      gpus: [
        { model: 'NVIDIA H100 80GB HBM3', pci_id: '00000000:17:00.0', serial: '2', vbios: '96.00' },
        { model: 'NVIDIA H100 80GB HBM3', pci_id: '00000000:09:00.0', serial: '1', vbios: '96.00' },
      ],
      cpu: { model: 'AMD EPYC', microcode: '0xa0011d1' },
      memory: { channels: 8, speed_mts: 4800, ecc: true },
      bios: { version: '1.2', resizable_bar: false, above_4g: true },
      numa: { nodes: [{ id: 0, cpus: [0, 1, 2, 3], memory_mb: 515670 }] },
      driver: '580.126.09',
      cuda: '13.0',
      nccl: '',
    }),
    software_provenance: {
      image_digest: '',
      pip_freeze_hash: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      git_commit: '0'.repeat(40),
      nvidia_smi_q_hash: 'f'.repeat(64),
    },
    dataset: {
      id: 'builtin-chatbot-short',
      hash: '6f4b1f68fc3a813baa983cbe70cd9ef57f8c86e6b2e6ccc9aaa2a498e588d510',
    },
    seed: 42,
    driver_options: { concurrency: 4, warmup: 3, nested: [[1, 2.5], [], [[-0]]] },
    metrics: {
      ttft_p50_ms: 24.206295143812895,
      ttft_p99_ms: 0.1,
      tpot_p50_ms: 1e-7,
      total_p50_ms: 1e21,
      req_per_s_all: 1.5e16,
      ok_rate: 1,
      compliance_rate: 0.00001,
      energy_joules_total: 189335.1707960332,
      power_peak_w: -0,
      joules_per_token: null,
      slo_hardware_class: 'h100',
    },
    distributions: {},
    slo_template: 'llm.standard',
    warnings: ['simulated engine: results are not from a GPU', 'café ☕ naïve — 𝄞 "quoted" \\ tab\there'],
    signature: null,
    run_context: { tool: 'inferencebench', '\u{1F600}key': 1, ｚ: 2, a: 3 },
    metric_ci: { ttft_p50_ms: { lo: 23.9, hi: 24.5, n: 120, level: 0.95 } },
    histograms: { ttft_ms: { edges_ms: [0, 10, 20.5], counts: [3, 7] } },
  };
}
