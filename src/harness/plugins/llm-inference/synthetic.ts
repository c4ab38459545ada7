// llm.inference.synthetic and long-context: prompts of exact input token counts (built with the
// tokenizer) and exact output lengths (max_tokens = min_tokens = osl, ignore_eos), lengths drawn from
// distributions; optional shared-prefix pools (--prefix-tokens, --num-prefixes) for prefix-cache studies.
import type { TokenCounter } from '../../tokenizer/types.js';
import { exactTokenText } from '../../tokenizer/exact.js';
import { PluginError } from '../errors.js';
import { createRng } from '../random.js';
import type { PluginContext, SingleTurnWorkload } from '../types.js';
import { describeDistribution, minLength, sampleLength, type LengthDistribution } from './distributions.js';
import { buildSingleTurnWorkload, type PromptItem } from './single-turn.js';

export interface SyntheticOptions {
  readonly datasetId: string;
  readonly input: LengthDistribution;
  readonly output: LengthDistribution;
  readonly numPrompts: number;
  readonly prefixTokens: number;
  readonly numPrefixes: number;
  /** Ask the server to generate exactly osl tokens (ignore_eos + min_tokens). */
  readonly ignoreEos: boolean;
  /** Leading instruction for long-context prompts. */
  readonly preamble?: string;
}

export function syntheticWorkload(
  context: PluginContext,
  tokenizer: TokenCounter,
  options: SyntheticOptions,
): SingleTurnWorkload {
  if (options.prefixTokens > 0 && minLength(options.input) <= options.prefixTokens)
    throw new PluginError(
      `input length (${describeDistribution(options.input)}) must exceed --prefix-tokens ${options.prefixTokens}`,
      'E_DISTRIBUTION',
    );
  const lengths = createRng(context.seed, `lengths:${options.datasetId}`);
  const text = createRng(context.seed, `text:${options.datasetId}`);
  const prefixes: string[] = [];
  if (options.prefixTokens > 0)
    for (let p = 0; p < Math.max(1, options.numPrefixes); p++)
      prefixes.push(exactTokenText(tokenizer, options.prefixTokens, text).text);
  const items: PromptItem[] = [];
  const prefixCounts = new Map<string, number>();
  for (let i = 0; i < options.numPrompts; i++) {
    const isl = sampleLength(options.input, lengths);
    const osl = sampleLength(options.output, lengths);
    const prefix = prefixes.length > 0 ? prefixes[i % prefixes.length]! + '\n' : (options.preamble ?? '');
    let prefixTokens = prefix ? prefixCounts.get(prefix) : 0;
    if (prefixTokens === undefined) {
      prefixTokens = tokenizer.count(prefix);
      prefixCounts.set(prefix, prefixTokens);
    }
    const bodyTokens = Math.max(1, isl - prefixTokens);
    // exactTokenText verifies count(prefix + body) − count(prefix), so the total is known exactly.
    const body = exactTokenText(tokenizer, bodyTokens, text, prefix);
    const prompt = prefix + body.text;
    items.push({
      prompt,
      maxTokens: osl,
      inputTokens: prefixTokens + body.tokens,
      ...(options.ignoreEos ? { extraBody: { ignore_eos: true, min_tokens: osl } } : {}),
    });
  }
  return buildSingleTurnWorkload(items, {
    datasetId: options.datasetId,
    seed: context.seed,
    keepOrder: true,
    endpointType: context.endpointType,
  });
}
