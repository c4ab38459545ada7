import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { assertValid, llmInferencePlugin } from '../../../src/harness/plugins/index.js';
import { ctx, DATASETS, spec } from './ctx.js';

const validate = (id: string, over: Parameters<typeof ctx>[0] = {}) =>
  llmInferencePlugin.validate(spec(id), ctx(over));

describe('llm.inference validate', () => {
  const saved = process.env.INFERENCEBENCH_CACHE_DIR;
  beforeEach(() => {
    process.env.INFERENCEBENCH_CACHE_DIR = join(DATASETS, 'no-such-cache');
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.INFERENCEBENCH_CACHE_DIR;
    else process.env.INFERENCEBENCH_CACHE_DIR = saved;
  });

  it('chatbot-short with defaults is clean', () => {
    expect(validate('chatbot-short')).toEqual({ warnings: [], errors: [] });
  });

  it('warns that the ShareGPT stand-in is in use (fatal under --strict)', () => {
    const result = validate('sharegpt-v3', {
      tokenizerPath: join(DATASETS, '..', 'tokenizer', 'tokenizer.json'),
    });
    expect(result.errors).toEqual([]);
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]).toMatch(/generated stand-in fixtures\/datasets\/sharegpt-v3-standin.json/);
    expect(() => assertValid(result, false)).not.toThrow();
    expect(() => assertValid(result, true)).toThrow(/--strict/);
  });

  it('flags max tokens above the model context', () => {
    const result = validate('chatbot-short', { maxTokens: 5000, extra: { maxModelLen: 4096 } });
    expect(result.errors).toEqual(['max tokens 5000 exceeds the model context of 4096 tokens']);
    expect(() => assertValid(result, false)).toThrow(/exceeds the model context/);
  });

  it('flags synthetic lengths that cannot fit the context, and bad distributions', () => {
    expect(validate('synthetic', { extra: { inputTokens: 'fixed:4000', maxModelLen: 4096 } }).errors).toEqual(
      ['input (4000) + output (128) tokens exceed the model context of 4096 tokens'],
    );
    expect(validate('synthetic', { extra: { inputTokens: 'lognormal:3' } }).errors[0]).toMatch(
      /--input-tokens "lognormal:3"/,
    );
    expect(validate('synthetic', { extra: { inputTokens: 'hist:/nope.jsonl' } }).errors[0]).toMatch(
      /histogram file not found/,
    );
  });

  it('missing dataset paths and required ones', () => {
    expect(validate('custom').errors).toEqual([]);
    expect(validate('custom').warnings[0]).toMatch(/built-in example/);
    expect(validate('custom', { datasetPath: '/nope.jsonl' }).errors).toEqual([
      '--dataset-path not found: /nope.jsonl',
    ]);
    expect(validate('trace').warnings[0]).toMatch(/generated 120-request sample trace/);
    expect(validate('sharegpt-v3', { tokenizerPath: '/nope/tokenizer.json' }).errors).toContain(
      '--tokenizer path not found: /nope/tokenizer.json',
    );
  });

  it('dataset overrides: single-turn benchmarks accept known ids only', () => {
    expect(validate('chatbot-short', { datasetId: 'sharegpt-v3' }).errors).toEqual([]);
    expect(validate('chatbot-short', { datasetId: 'squad' }).errors[0]).toMatch(
      /unknown dataset "squad".*known: builtin-chatbot-short-node/,
    );
    expect(validate('trace', { datasetId: 'x' }).errors[0]).toMatch(/reads its data from --dataset-path/);
    // the ids our own envelopes record are accepted back (bench replay passes them as --dataset)
    expect(validate('sharegpt-v3', { datasetId: 'sharegpt-v3-standin' }).errors).toEqual([]);
    expect(validate('trace', { datasetId: 'mooncake-trace-sample' }).errors).toEqual([]);
    expect(validate('multi-turn', { datasetId: 'multi-turn-jsonl' }).errors).toEqual([]);
    expect(validate('multi-turn', { datasetId: 'mooncake-trace' }).errors[0]).toMatch(/reads its data/);
  });

  it("builtin-chatbot-short (our old id, InferenceBench's id for other prompts) runs ours with a warning", () => {
    const result = validate('chatbot-short', { datasetId: 'builtin-chatbot-short' });
    expect(result.errors).toEqual([]);
    expect(result.warnings).toContain(
      "dataset builtin-chatbot-short is the old id of ours and InferenceBench's id for different prompts: running ours, builtin-chatbot-short-node",
    );
    expect(validate('chatbot-short').warnings.join('\n')).not.toMatch(/old id/);
  });

  it('warns about the fixture tokenizer only where lengths are built with it', () => {
    const tokenizerWarning = (id: string, over: Parameters<typeof ctx>[0] = {}) =>
      validate(id, over).warnings.some((w) => w.startsWith('no --tokenizer given'));
    expect(tokenizerWarning('synthetic')).toBe(true);
    expect(tokenizerWarning('trace')).toBe(true);
    expect(tokenizerWarning('synthetic', { model: 'gpt-4o' })).toBe(false);
    expect(tokenizerWarning('chatbot-short')).toBe(false);
    expect(tokenizerWarning('multi-turn')).toBe(false);
    expect(tokenizerWarning('custom')).toBe(false);
  });

  it('multi-turn needs the chat endpoint', () => {
    expect(validate('multi-turn', { endpointType: 'completions' }).errors[0]).toMatch(
      /needs the chat endpoint/,
    );
  });
});
