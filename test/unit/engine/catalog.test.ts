import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  builtinCatalog,
  findHardware,
  findModel,
  findQuant,
  loadCatalog,
} from '../../../src/engine/index.js';

describe('catalog', () => {
  const catalog = builtinCatalog();

  it('ships the models, hardware classes and quant formats the issue lists', () => {
    const models = catalog.models.map((m) => m.id);
    for (const id of [
      'meta-llama/Llama-3.1-8B-Instruct',
      'meta-llama/Llama-3.1-70B-Instruct',
      'meta-llama/Llama-4-Maverick-17B-128E-Instruct',
      'Qwen/Qwen2.5-7B-Instruct',
      'Qwen/Qwen2.5-72B-Instruct',
      'mistralai/Mistral-7B-Instruct-v0.3',
      'deepseek-ai/DeepSeek-V3',
    ]) {
      expect(models).toContain(id);
    }
    expect(catalog.hardware.map((h) => h.id)).toEqual(['h100', 'h200', 'b200', 'a100', 'l40s', 'mi300x']);
    expect(catalog.quant.map((q) => q.id)).toEqual(['fp16', 'bf16', 'fp8', 'nvfp4', 'awq-int4']);
  });

  it.each([
    ['meta-llama/Llama-3.1-8B-Instruct', 'meta-llama/Llama-3.1-8B-Instruct'],
    ['META-LLAMA/llama-3.1-8b-instruct', 'meta-llama/Llama-3.1-8B-Instruct'],
    ['llama-3.1-8b', 'meta-llama/Llama-3.1-8B-Instruct'],
    ['qwen2.5-72b', 'Qwen/Qwen2.5-72B-Instruct'],
    ['maverick', 'meta-llama/Llama-4-Maverick-17B-128E-Instruct'],
  ])('model %s resolves to %s', (name, id) => {
    expect(findModel(catalog, name).id).toBe(id);
  });

  it('hardware and quant aliases resolve', () => {
    expect(findHardware(catalog, 'NVIDIA H100 80GB HBM3').id).toBe('h100');
    expect(findHardware(catalog, 'H200').id).toBe('h200');
    expect(findQuant(catalog, 'awq').id).toBe('awq-int4');
  });

  it('unknown ids are coded usage errors that list the known ids', () => {
    expect(() => findModel(catalog, 'gpt-9')).toThrow(
      /unknown model 'gpt-9' \(known: meta-llama\/Llama-3.1-8B-Instruct, /,
    );
    expect(() => findModel(catalog, 'gpt-9')).toThrow(
      expect.objectContaining({ code: 'E_UNKNOWN_MODEL', exitCode: 2 }),
    );
    expect(() => findHardware(catalog, 'tpu-v5')).toThrow(
      /unknown hardware class 'tpu-v5' \(known: h100, h200, b200, a100, l40s, mi300x\)/,
    );
    expect(() => findQuant(catalog, 'int3')).toThrow(expect.objectContaining({ code: 'E_UNKNOWN_QUANT' }));
  });

  it('user catalog files add entries and replace built-ins with the same id', () => {
    const dir = mkdtempSync(join(tmpdir(), 'catalog-'));
    const path = join(dir, 'mine.yaml');
    writeFileSync(
      path,
      [
        'models:',
        '  - id: acme/Tiny-1B',
        '    aliases: [tiny]',
        '    paramsTotal: 1.0e9',
        '    paramsActive: 1.0e9',
        '    layers: 16',
        '    hidden: 2048',
        '    heads: 16',
        '    kvHeads: 4',
        '    headDim: 128',
        '    contextLength: 8192',
        'quant:',
        '  - id: fp8',
        '    bytesPerParam: 1.1',
        '    compute: fp8',
        '    kvBytes: 1',
      ].join('\n'),
    );
    const merged = loadCatalog([path]);
    expect(findModel(merged, 'tiny').paramsTotal).toBe(1e9);
    expect(findQuant(merged, 'fp8').bytesPerParam).toBe(1.1);
    expect(merged.models.length).toBe(catalog.models.length + 1);
  });

  it('a malformed catalog names the file and the field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'catalog-'));
    const path = join(dir, 'bad.yaml');
    writeFileSync(path, 'hardware:\n  - id: x\n    hbmGB: -1\n');
    expect(() => loadCatalog([path])).toThrow(expect.objectContaining({ code: 'E_CATALOG_INVALID' }));
    expect(() => loadCatalog([path])).toThrow(/bad\.yaml: hardware\.0\./);
    expect(() => loadCatalog([join(dir, 'missing.yaml')])).toThrow(
      expect.objectContaining({ code: 'E_CATALOG_READ' }),
    );
  });
});
