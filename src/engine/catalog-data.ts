// The built-in engine catalog, embedded in the bundle (no file lookup at run time). Edit the YAML
// text here; user catalogs (--catalog FILE) use the same shape. Keys: see docs/engine.md.

export const BUILTIN_CATALOG_YAML: Readonly<Record<'models' | 'hardware' | 'quant', string>> = {
  models: `# Model catalog for the embedded engine's performance model (bench engine serve, bench run without --base-url).
# Facts are from each model's Hugging Face config.json / model card. Add your own entries here, or in a
# file passed with --catalog; ids are matched exactly, then case-insensitively, then through \`aliases\`.
#
# fields:
#   paramsTotal     all weights (what must sit in HBM)
#   paramsActive    weights used per token (MoE: shared + routed experts per token); = paramsTotal for dense
#   layers, hidden, heads, kvHeads, headDim   transformer shape (attention FLOPs, KV cache size, all-reduce size)
#   kvDimPerLayer   elements cached per token per layer; default 2 × kvHeads × headDim (MLA models set it)
#   contextLength   max model length
models:
  - id: meta-llama/Llama-3.1-8B-Instruct
    aliases: [llama-3.1-8b, llama-3.1-8b-instruct, meta-llama/Llama-3.1-8B, meta-llama/Meta-Llama-3.1-8B-Instruct]
    paramsTotal: 8.03e9
    paramsActive: 8.03e9
    layers: 32
    hidden: 4096
    heads: 32
    kvHeads: 8
    headDim: 128
    contextLength: 131072

  - id: meta-llama/Llama-3.1-70B-Instruct
    aliases: [llama-3.1-70b, llama-3.1-70b-instruct, meta-llama/Llama-3.1-70B, meta-llama/Meta-Llama-3.1-70B-Instruct]
    paramsTotal: 70.6e9
    paramsActive: 70.6e9
    layers: 80
    hidden: 8192
    heads: 64
    kvHeads: 8
    headDim: 128
    contextLength: 131072

  - id: meta-llama/Llama-4-Maverick-17B-128E-Instruct
    aliases: [llama-4-maverick, maverick, meta-llama/Llama-4-Maverick-17B-128E-Instruct-FP8]
    paramsTotal: 400e9
    paramsActive: 17e9
    layers: 48
    hidden: 5120
    heads: 40
    kvHeads: 8
    headDim: 128
    contextLength: 1048576

  - id: Qwen/Qwen2.5-7B-Instruct
    aliases: [qwen2.5-7b, qwen2.5-7b-instruct, Qwen/Qwen2.5-7B]
    paramsTotal: 7.62e9
    paramsActive: 7.62e9
    layers: 28
    hidden: 3584
    heads: 28
    kvHeads: 4
    headDim: 128
    contextLength: 32768

  - id: Qwen/Qwen2.5-72B-Instruct
    aliases: [qwen2.5-72b, qwen2.5-72b-instruct, Qwen/Qwen2.5-72B]
    paramsTotal: 72.7e9
    paramsActive: 72.7e9
    layers: 80
    hidden: 8192
    heads: 64
    kvHeads: 8
    headDim: 128
    contextLength: 32768

  - id: mistralai/Mistral-7B-Instruct-v0.3
    aliases: [mistral-7b, mistral-7b-instruct, mistralai/Mistral-7B-v0.3]
    paramsTotal: 7.25e9
    paramsActive: 7.25e9
    layers: 32
    hidden: 4096
    heads: 32
    kvHeads: 8
    headDim: 128
    contextLength: 32768

  - id: deepseek-ai/DeepSeek-V3
    aliases: [deepseek-v3, deepseek-ai/DeepSeek-V3-0324]
    paramsTotal: 671e9
    paramsActive: 37e9
    layers: 61
    hidden: 7168
    heads: 128
    kvHeads: 1
    headDim: 128
    # MLA caches the compressed latent (kv_lora_rank 512 + rope dim 64) per layer, not K and V per head.
    kvDimPerLayer: 576
    contextLength: 163840
`,
  hardware: `# Hardware classes for the embedded engine's roofline (per GPU). Vendor datasheet numbers: dense (no sparsity)
# tensor TFLOP/s, HBM capacity (bytes the framework can see) and bandwidth, board power (TDP) and idle draw.
# The efficiency and overhead fields are calibration constants (docs/engine.md shows the calibration table):
#   memEfficiency        achieved fraction of peak HBM bandwidth in decode (weights + KV streaming)
#   computeEfficiency    achieved fraction of peak tensor FLOP/s in prefill (MFU)
#   stepOverheadMs       fixed cost of one engine step (scheduling, kernel launches, sampling)
#   perSeqOverheadMs     cost per sequence in the batch per step (sampling, detokenisation, output processing)
#   frontendBaseMs       API-server cost before a request reaches the scheduler (parsing, tokenisation, IPC)
#   frontendPerStreamMs  extra frontend delay per stream already active (one Python event loop serves them all)
#   allReduceBaseUs / allReducePerPeerUs   latency of one all-reduce with tensor parallelism: base + per extra GPU
#   interconnectGBs      per-direction GPU-to-GPU bandwidth (NVLink / Infinity Fabric / PCIe)
#   fp4Tflops            null where the chip has no FP4 tensor cores (nvfp4 then computes at fp8 rate)
hardware:
  - id: h100
    aliases: [h100-sxm, h100-80gb, "NVIDIA H100 80GB HBM3"]
    gpuName: NVIDIA H100 80GB HBM3
    hbmGB: 80
    hbmBandwidthGBs: 3350
    bf16Tflops: 989
    fp8Tflops: 1979
    fp4Tflops: null
    tdpW: 700
    idleW: 70
    interconnectGBs: 450
    memEfficiency: 0.8
    computeEfficiency: 0.55
    stepOverheadMs: 0.4
    perSeqOverheadMs: 0.25
    frontendBaseMs: 7.5
    frontendPerStreamMs: 1.0
    allReduceBaseUs: 8
    allReducePerPeerUs: 6.5

  - id: h200
    aliases: [h200-sxm, h200-141gb, "NVIDIA H200"]
    gpuName: NVIDIA H200
    hbmGB: 141
    hbmBandwidthGBs: 4800
    bf16Tflops: 989
    fp8Tflops: 1979
    fp4Tflops: null
    tdpW: 700
    idleW: 75
    interconnectGBs: 450
    memEfficiency: 0.8
    computeEfficiency: 0.55
    stepOverheadMs: 0.4
    perSeqOverheadMs: 0.25
    frontendBaseMs: 7.5
    frontendPerStreamMs: 1.0
    allReduceBaseUs: 8
    allReducePerPeerUs: 6.5

  - id: b200
    aliases: [b200-sxm, "NVIDIA B200"]
    gpuName: NVIDIA B200
    hbmGB: 180
    hbmBandwidthGBs: 8000
    bf16Tflops: 2250
    fp8Tflops: 4500
    fp4Tflops: 9000
    tdpW: 1000
    idleW: 120
    interconnectGBs: 900
    memEfficiency: 0.75
    computeEfficiency: 0.5
    stepOverheadMs: 0.35
    perSeqOverheadMs: 0.18
    frontendBaseMs: 7.5
    frontendPerStreamMs: 1.0
    allReduceBaseUs: 7
    allReducePerPeerUs: 5

  - id: a100
    aliases: [a100-80gb, a100-sxm, "NVIDIA A100-SXM4-80GB"]
    gpuName: NVIDIA A100-SXM4-80GB
    hbmGB: 80
    hbmBandwidthGBs: 2039
    bf16Tflops: 312
    fp8Tflops: null
    fp4Tflops: null
    tdpW: 400
    idleW: 55
    interconnectGBs: 300
    memEfficiency: 0.8
    computeEfficiency: 0.6
    stepOverheadMs: 0.5
    perSeqOverheadMs: 0.25
    frontendBaseMs: 4.5
    frontendPerStreamMs: 1.3
    allReduceBaseUs: 10
    allReducePerPeerUs: 8

  - id: l40s
    aliases: ["NVIDIA L40S"]
    gpuName: NVIDIA L40S
    hbmGB: 48
    hbmBandwidthGBs: 864
    bf16Tflops: 362
    fp8Tflops: 733
    fp4Tflops: null
    tdpW: 350
    idleW: 35
    interconnectGBs: 32
    memEfficiency: 0.8
    computeEfficiency: 0.5
    stepOverheadMs: 0.5
    perSeqOverheadMs: 0.25
    frontendBaseMs: 4.5
    frontendPerStreamMs: 1.3
    allReduceBaseUs: 30
    allReducePerPeerUs: 20

  - id: mi300x
    aliases: ["AMD Instinct MI300X"]
    gpuName: AMD Instinct MI300X
    hbmGB: 192
    hbmBandwidthGBs: 5300
    bf16Tflops: 1307
    fp8Tflops: 2615
    fp4Tflops: null
    tdpW: 750
    idleW: 140
    interconnectGBs: 448
    memEfficiency: 0.65
    computeEfficiency: 0.4
    stepOverheadMs: 0.6
    perSeqOverheadMs: 0.25
    frontendBaseMs: 4.5
    frontendPerStreamMs: 1.3
    allReduceBaseUs: 12
    allReducePerPeerUs: 9
`,
  quant: `# Bytes per weight and the tensor-core rate used for each quantisation format.
#   bytesPerParam   including group scales (4-bit formats: 0.5 + one 16-bit scale per group of 32 ≈ 0.5625)
#   compute         which peak applies to matmuls: bf16 (weight-only formats dequantise), fp8, fp4
#   kvBytes         bytes per cached K/V element (vLLM's kv-cache-dtype "auto" keeps the activation dtype)
quant:
  - id: fp16
    bytesPerParam: 2
    compute: bf16
    kvBytes: 2
  - id: bf16
    bytesPerParam: 2
    compute: bf16
    kvBytes: 2
  - id: fp8
    aliases: [fp8-e4m3, w8a8-fp8]
    bytesPerParam: 1
    compute: fp8
    kvBytes: 2
  - id: nvfp4
    aliases: [fp4, nvfp4-w4a4]
    bytesPerParam: 0.5625
    compute: fp4
    kvBytes: 2
  - id: awq-int4
    aliases: [awq, int4, w4a16]
    bytesPerParam: 0.5625
    compute: bf16
    kvBytes: 2
`,
};
