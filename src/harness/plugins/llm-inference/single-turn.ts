// Builds a SingleTurnWorkload from a list of items: the seed picks the order (a permutation), the
// hash covers the items in that order, and request(i) cycles through them (i ≥ size wraps).
import type { ChatMessage, RequestSpec } from '../../types.js';
import { hashItems } from '../hash.js';
import { createLabelledRng, permutation } from '../../../lib/rng.js';
import type { SingleTurnWorkload } from '../types.js';

export interface PromptItem {
  readonly messages?: readonly ChatMessage[];
  readonly prompt?: string;
  readonly maxTokens: number;
  readonly inputTokens?: number;
  readonly extraBody?: Readonly<Record<string, unknown>>;
}

export interface SingleTurnOptions {
  readonly datasetId: string;
  readonly seed: number;
  /** Keep the given order instead of a seeded permutation (synthetic data is already seeded). */
  readonly keepOrder?: boolean;
  readonly endpointType: 'chat' | 'completions';
}

/** Flattens messages into one prompt for the completions endpoint. */
export function messagesToPrompt(messages: readonly ChatMessage[]): string {
  if (messages.length === 1 && messages[0]!.role === 'user') return messages[0]!.content;
  return messages.map((m) => `${m.role}: ${m.content}`).join('\n') + '\nassistant:';
}

function toSpec(item: PromptItem, endpointType: 'chat' | 'completions'): RequestSpec {
  const base: {
    maxTokens: number;
    inputTokens?: number;
    extraBody?: Readonly<Record<string, unknown>>;
  } = { maxTokens: item.maxTokens };
  if (item.inputTokens !== undefined) base.inputTokens = item.inputTokens;
  if (item.extraBody !== undefined) base.extraBody = item.extraBody;
  if (endpointType === 'chat') {
    const messages = item.messages ?? [{ role: 'user', content: item.prompt ?? '' }];
    return Object.freeze({ ...base, messages });
  }
  const prompt = item.prompt ?? messagesToPrompt(item.messages ?? []);
  return Object.freeze({ ...base, prompt });
}

export function buildSingleTurnWorkload(
  items: readonly PromptItem[],
  options: SingleTurnOptions,
): SingleTurnWorkload {
  if (items.length === 0) throw new Error(`dataset ${options.datasetId} is empty`);
  const order = options.keepOrder
    ? items.map((_, i) => i)
    : permutation(items.length, createLabelledRng(options.seed, `order:${options.datasetId}`));
  const specs = order.map((index) => toSpec(items[index]!, options.endpointType));
  const datasetHash = hashItems(
    specs.map((spec) => ({
      messages: spec.messages,
      prompt: spec.prompt,
      max_tokens: spec.maxTokens,
      extra: spec.extraBody,
    })),
  );
  return {
    kind: 'single-turn',
    datasetId: options.datasetId,
    datasetHash,
    size: specs.length,
    request(index: number): RequestSpec {
      if (!Number.isInteger(index) || index < 0) throw new RangeError(`bad request index ${index}`);
      return specs[index % specs.length]!;
    },
  };
}
