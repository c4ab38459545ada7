// llm.inference.sharegpt-v3: ShareGPT V3 JSON (an array of {id, conversations: [{from, value}]}).
// A "turn" is a human message followed by the reply to it; the first N turns (10 000 by default)
// in file order form the canonical subset, and the seed picks the order they are sent in.
// The prompt is the human message; max_tokens is the recorded reply's token count (capped).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import standIn from '../../../../fixtures/datasets/sharegpt-v3-standin.json' with { type: 'json' };
import type { RequestSpec } from '../../types.js';
import type { TokenCounter } from '../../tokenizer/types.js';
import { DatasetFormatError } from '../errors.js';
import { hashItems } from '../hash.js';
import { createLabelledRng, permutation } from '../../../lib/rng.js';
import type { PluginContext, SingleTurnWorkload } from '../types.js';
import { datasetCacheDir, SHAREGPT_FILE_NAME } from './cache.js';
import { isRecord, streamJsonArray } from './files.js';
import { messagesToPrompt } from './single-turn.js';
import { DATASET_IDS } from './specs.js';

export const SHAREGPT_DEFAULT_TURNS = 10_000;
export const SHAREGPT_STANDIN_NAME = 'fixtures/datasets/sharegpt-v3-standin.json';

const HUMAN = new Set(['human', 'user']);

export interface ShareGptTurn {
  readonly prompt: string;
  readonly completion: string;
}

export interface ShareGptSource {
  /** The real file, or null for the shipped stand-in. */
  readonly path: string | null;
}

/** --dataset-path, else the cache dir's ShareGPT file, else the generated stand-in (null). */
export function locateShareGpt(context: PluginContext, env: NodeJS.ProcessEnv = process.env): ShareGptSource {
  if (context.datasetPath) return { path: context.datasetPath };
  const cached = join(datasetCacheDir(env), SHAREGPT_FILE_NAME);
  return { path: existsSync(cached) ? cached : null };
}

/** Appends the turns of one conversation element; throws DatasetFormatError on a bad shape. */
export function collectTurns(
  element: unknown,
  file: string,
  line: number | null,
  out: ShareGptTurn[],
  limit: number,
): void {
  if (!isRecord(element)) throw new DatasetFormatError(file, line, 'each element must be an object');
  const conversations = element.conversations;
  if (!Array.isArray(conversations))
    throw new DatasetFormatError(file, line, '"conversations" must be an array of {from, value}');
  for (let i = 0; i < conversations.length; i++) {
    const message = conversations[i] as unknown;
    if (!isRecord(message) || typeof message.from !== 'string' || typeof message.value !== 'string')
      throw new DatasetFormatError(
        file,
        line,
        `conversations[${i}] must be {"from": string, "value": string}`,
      );
  }
  const messages = conversations as { from: string; value: string }[];
  for (let i = 0; i + 1 < messages.length && out.length < limit; i++) {
    const human = messages[i]!;
    const reply = messages[i + 1]!;
    if (!HUMAN.has(human.from) || HUMAN.has(reply.from) || reply.from === 'system') continue;
    if (human.value.trim() === '' || reply.value.trim() === '') continue;
    out.push({ prompt: human.value, completion: reply.value });
    i++;
  }
}

export async function readShareGptTurns(source: ShareGptSource, limit: number): Promise<ShareGptTurn[]> {
  const turns: ShareGptTurn[] = [];
  if (source.path === null) {
    const elements = standIn as unknown;
    if (!Array.isArray(elements)) throw new DatasetFormatError(SHAREGPT_STANDIN_NAME, null, 'not an array');
    for (const element of elements) {
      if (turns.length >= limit) break;
      collectTurns(element, SHAREGPT_STANDIN_NAME, null, turns, limit);
    }
  } else {
    const path = source.path;
    await streamJsonArray(path, 'ShareGPT dataset', (element, line) => {
      collectTurns(element, path, line, turns, limit);
      return turns.length < limit;
    });
  }
  if (turns.length === 0)
    throw new DatasetFormatError(source.path ?? SHAREGPT_STANDIN_NAME, null, 'no human→reply turns found');
  return turns;
}

export interface ShareGptOptions {
  readonly maxTokensCap: number;
  readonly limit?: number;
}

export async function loadShareGpt(
  context: PluginContext,
  tokenizer: TokenCounter,
  options: ShareGptOptions,
): Promise<SingleTurnWorkload> {
  const source = locateShareGpt(context);
  const turns = await readShareGptTurns(source, options.limit ?? SHAREGPT_DEFAULT_TURNS);
  const order = permutation(turns.length, createLabelledRng(context.seed, `order:${DATASET_IDS.sharegpt}`));
  const cap = options.maxTokensCap;
  const datasetHash = hashItems([
    { tokenizer: tokenizer.name, max_tokens_cap: cap, endpoint: context.endpointType },
    ...order.map((index) => turns[index]!),
  ]);
  // Token counting is lazy: the real file's 10K turns would take seconds to tokenize up front.
  const built = new Map<number, RequestSpec>();
  const request = (index: number): RequestSpec => {
    if (!Number.isInteger(index) || index < 0) throw new RangeError(`bad request index ${index}`);
    const position = index % order.length;
    let spec = built.get(position);
    if (!spec) {
      const turn = turns[order[position]!]!;
      const maxTokens = Math.max(1, Math.min(cap, tokenizer.count(turn.completion)));
      const inputTokens = tokenizer.count(turn.prompt);
      const messages = [{ role: 'user' as const, content: turn.prompt }];
      spec = Object.freeze(
        context.endpointType === 'chat'
          ? { messages, maxTokens, inputTokens }
          : { prompt: messagesToPrompt(messages), maxTokens, inputTokens },
      );
      built.set(position, spec);
    }
    return spec;
  };
  return {
    kind: 'single-turn',
    datasetId: source.path === null ? DATASET_IDS.sharegptStandIn : DATASET_IDS.sharegpt,
    datasetHash,
    size: order.length,
    request,
  };
}
