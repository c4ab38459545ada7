// Resolves what %SoL needs from names: model bytes (engine catalog or --model-bytes), the GPU's
// ceilings (ceilings file), and the measured quantities of one point.
import { builtinCatalog, type Catalog, type ModelSpec, type QuantSpec } from '../../engine/catalog.js';
import { computeCeiling, findCeilingEntry, memoryCeiling, type Ceilings } from './ceilings.js';
import type { ModelBytes, SolInputs } from './sol.js';

function findBy<T extends { id: string; aliases: string[] }>(
  entries: readonly T[],
  name: string,
): T | undefined {
  const lower = name.toLowerCase();
  return entries.find(
    (e) => e.id.toLowerCase() === lower || e.aliases.some((a) => a.toLowerCase() === lower),
  );
}

export function kvBytesPerToken(model: ModelSpec, quant: QuantSpec): number {
  const perLayer = model.kvDimPerLayer ?? 2 * model.kvHeads * model.headDim;
  return model.layers * perLayer * quant.kvBytes;
}

export interface ModelBytesResult {
  readonly bytes: ModelBytes | null;
  readonly reason?: string;
  /** `catalog:<id>@<quant>` or `--model-bytes`. */
  readonly source?: string;
}

/**
 * Weight bytes = params × bytes/param of the quantisation; KV bytes per token = layers × KV width ×
 * KV element bytes. `--model-bytes` replaces the weight bytes; without a catalog entry the KV term
 * is then left out (said in the source) and active params follow from the weight bytes.
 */
export function resolveModelBytes(
  modelId: string,
  quantFormat: string,
  modelBytesFlag?: number,
  catalog: Catalog = builtinCatalog(),
): ModelBytesResult {
  const model = findBy(catalog.models, modelId);
  const quant = findBy(catalog.quant, quantFormat);
  if (modelBytesFlag !== undefined) {
    if (model && quant)
      return {
        bytes: {
          weightBytes: modelBytesFlag,
          kvBytesPerToken: kvBytesPerToken(model, quant),
          activeParams: model.paramsActive,
        },
        source: '--model-bytes',
      };
    const bytesPerParam = quant?.bytesPerParam ?? 2;
    return {
      bytes: {
        weightBytes: modelBytesFlag,
        kvBytesPerToken: 0,
        activeParams: modelBytesFlag / bytesPerParam,
      },
      source: `--model-bytes (KV bytes not counted: '${modelId}' not in the catalog)`,
    };
  }
  if (!model) return { bytes: null, reason: `model '${modelId}' not in the catalog (pass --model-bytes)` };
  if (!quant)
    return { bytes: null, reason: `quantization '${quantFormat}' not in the catalog (pass --model-bytes)` };
  return {
    bytes: {
      weightBytes: model.paramsTotal * quant.bytesPerParam,
      kvBytesPerToken: kvBytesPerToken(model, quant),
      activeParams: model.paramsActive,
    },
    source: `catalog:${model.id}@${quant.id}`,
  };
}

export interface HardwareCeilings {
  readonly hbm: SolInputs['hbm'];
  readonly compute: SolInputs['compute'];
  readonly reason?: string;
}

/** HBM and tensor ceilings (bytes/s, FLOP/s per GPU) for a hardware class and quantisation. */
export function resolveHardwareCeilings(
  ceilings: Ceilings,
  hardware: string | undefined,
  quantFormat: string,
  catalog: Catalog = builtinCatalog(),
): HardwareCeilings {
  if (hardware === undefined || hardware === '')
    return { hbm: null, compute: null, reason: 'hardware unknown (no ceiling)' };
  let entry = findCeilingEntry(ceilings, hardware);
  if (!entry) {
    // A GPU name as NVML reports it ("NVIDIA H100 80GB HBM3") → the catalog id → the ceiling entry.
    const hw = findBy(catalog.hardware, hardware);
    if (hw) entry = findCeilingEntry(ceilings, hw.id);
  }
  if (!entry)
    return { hbm: null, compute: null, reason: `no ceilings for hardware '${hardware}' (pass --ceilings)` };
  const quant = findBy(catalog.quant, quantFormat);
  const mem = memoryCeiling(entry);
  const flops = computeCeiling(entry, quant?.compute ?? 'bf16');
  return {
    hbm: mem ? { key: mem.key, bytesPerS: mem.value * 1e12 } : null,
    compute: flops ? { key: flops.key, flopsPerS: flops.value * 1e12 } : null,
    ...(mem && flops ? {} : { reason: `ceilings for '${entry.name}' lack a *_tbps or *_tflops key` }),
  };
}
