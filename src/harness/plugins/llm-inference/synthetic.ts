// llm.inference.synthetic and long-context: prompts of exact input token counts (built with the
// tokenizer) and exact output lengths (max_tokens = min_tokens = osl, ignore_eos), lengths drawn from
// distributions; optional shared-prefix pools (--prefix-tokens, --num-prefixes) for prefix-cache studies.
import type { TokenCounter } from '../../tokenizer/types.js';
import { exactTokenText, fastTokenText } from '../../tokenizer/exact.js';
import { PluginError } from '../errors.js';
import { createLabelledRng } from '../../../lib/rng.js';
import type { RequestSpec } from '../../types.js';
import { hashItems } from '../hash.js';
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
  const lengths = createLabelledRng(context.seed, `lengths:${options.datasetId}`);
  const text = createLabelledRng(context.seed, `text:${options.datasetId}`);
  const prefixes: string[] = [];
  if (options.prefixTokens > 0)
    for (let p = 0; p < Math.max(1, options.numPrefixes); p++)
      prefixes.push(exactTokenText(tokenizer, options.prefixTokens, text).text);
  const prefixCounts = new Map<string, number>();
  const prefixOf = (i: number): { text: string; tokens: number } => {
    const text = prefixes.length > 0 ? prefixes[i % prefixes.length]! + '\n' : (options.preamble ?? '');
    let tokens = text ? prefixCounts.get(text) : 0;
    if (tokens === undefined) {
      tokens = tokenizer.count(text);
      prefixCounts.set(text, tokens);
    }
    return { text, tokens };
  };
  const item = (
    isl: number,
    osl: number,
    prefix: { text: string; tokens: number },
    body: { text: string; tokens: number },
  ): PromptItem => ({
    prompt: prefix.text + body.text,
    maxTokens: osl,
    inputTokens: prefix.tokens + body.tokens,
    ...(options.ignoreEos ? { extraBody: { ignore_eos: true, min_tokens: osl } } : {}),
  });
  // The pool: numPrompts prompts built and verified up front (they define the dataset hash).
  const items: PromptItem[] = [];
  for (let i = 0; i < options.numPrompts; i++) {
    const isl = sampleLength(options.input, lengths);
    const osl = sampleLength(options.output, lengths);
    const prefix = prefixOf(i);
    // exactTokenText verifies count(prefix + body) − count(prefix), so the total is known exactly.
    const body = exactTokenText(tokenizer, Math.max(1, isl - prefix.tokens), text, prefix.text);
    items.push(item(isl, osl, prefix, body));
  }
  const pool = buildSingleTurnWorkload(items, {
    datasetId: options.datasetId,
    seed: context.seed,
    keepOrder: true,
    endpointType: context.endpointType,
  });
  // Past the pool, every request is a fresh prompt from the same distributions (seeded per index),
  // so long runs never re-send a prompt and a prefix cache only ever sees the intended sharing.
  // Built without encoding where the tokenizer is additive (checked once), else verified.
  const generated = (index: number): PromptItem => {
    const lengthRng = createLabelledRng(context.seed, `lengths:${options.datasetId}:${index}`);
    const textRng = createLabelledRng(context.seed, `text:${options.datasetId}:${index}`);
    const isl = sampleLength(options.input, lengthRng);
    const osl = sampleLength(options.output, lengthRng);
    const prefix = prefixOf(index);
    const bodyTokens = Math.max(1, isl - prefix.tokens);
    const fast = fastTokenText(tokenizer, bodyTokens, textRng, prefix.text !== '');
    const body =
      fast !== null
        ? { text: fast, tokens: bodyTokens }
        : exactTokenText(tokenizer, bodyTokens, textRng, prefix.text);
    return item(isl, osl, prefix, body);
  };
  const toSpec = (entry: PromptItem): RequestSpec => {
    const { prompt, ...rest } = entry;
    return Object.freeze(
      context.endpointType === 'chat'
        ? { ...rest, messages: [{ role: 'user' as const, content: prompt ?? '' }] }
        : { ...rest, prompt: prompt ?? '' },
    );
  };
  return {
    ...pool,
    // The hash covers the pool in order plus everything that determines the generated requests.
    datasetHash: hashItems([
      {
        generator: 'synthetic-v1',
        input: describeDistribution(options.input),
        output: describeDistribution(options.output),
        prefix_tokens: options.prefixTokens,
        num_prefixes: options.numPrefixes,
        ignore_eos: options.ignoreEos,
        tokenizer: tokenizer.name,
        pool_hash: pool.datasetHash,
      },
    ]),
    request: (index: number): RequestSpec => {
      if (!Number.isInteger(index) || index < 0) throw new RangeError(`bad request index ${index}`);
      return index < options.numPrompts ? pool.request(index) : toSpec(generated(index));
    },
  };
}
