// llm.inference.custom: a JSONL of prompts. Each line is {"prompt": "..."} (or "text"), or
// {"messages": [{"role": "system"|"user"|"assistant", "content": "..."}]}, with an optional
// per-line "max_tokens". The seed picks the order; malformed lines → error with file:line.
import type { ChatMessage } from '../../types.js';
import { DatasetFormatError } from '../errors.js';
import type { PluginContext, SingleTurnWorkload } from '../types.js';
import { isRecord, parseJsonLines, readJsonLines, type JsonLine } from './files.js';
import { buildSingleTurnWorkload, type PromptItem } from './single-turn.js';
import { DATASET_IDS } from './specs.js';

const ROLES = new Set(['system', 'user', 'assistant']);

export function parseMessages(value: unknown, file: string, line: number): ChatMessage[] {
  if (!Array.isArray(value) || value.length === 0)
    throw new DatasetFormatError(file, line, '"messages" must be a non-empty array');
  return value.map((m, i) => {
    if (!isRecord(m) || typeof m.role !== 'string' || !ROLES.has(m.role) || typeof m.content !== 'string')
      throw new DatasetFormatError(
        file,
        line,
        `messages[${i}] must be {"role": system|user|assistant, "content": string}`,
      );
    return { role: m.role as ChatMessage['role'], content: m.content };
  });
}

/** Used when no --dataset-path is given (with a validation warning): the format by example. */
export const CUSTOM_EXAMPLE_NAME = '(built-in custom example)';
export const CUSTOM_EXAMPLE_JSONL = [
  '{"prompt": "Name three rivers in Europe."}',
  '{"prompt": "Write one sentence about tea.", "max_tokens": 24}',
  '{"messages": [{"role": "system", "content": "Answer in one word."}, {"role": "user", "content": "Capital of France?"}]}',
  '{"messages": [{"role": "user", "content": "Count to five."}], "max_tokens": 16}',
  '{"text": "Describe a sunrise in ten words."}',
  '{"prompt": "List two prime numbers above 100.", "max_tokens": 12}',
].join('\n');

export async function readCustomPrompts(path: string, defaultMaxTokens: number): Promise<PromptItem[]> {
  return customItems(await readJsonLines(path, 'custom dataset'), path, defaultMaxTokens);
}

function customItems(rows: readonly JsonLine[], path: string, defaultMaxTokens: number): PromptItem[] {
  return rows.map(({ line, value }) => {
    if (!isRecord(value)) throw new DatasetFormatError(path, line, 'each line must be a JSON object');
    const maxTokens = value.max_tokens ?? defaultMaxTokens;
    if (typeof maxTokens !== 'number' || !Number.isInteger(maxTokens) || maxTokens < 1)
      throw new DatasetFormatError(path, line, '"max_tokens" must be a positive integer');
    if (value.messages !== undefined)
      return { messages: parseMessages(value.messages, path, line), maxTokens };
    const prompt = value.prompt ?? value.text;
    if (typeof prompt !== 'string' || prompt === '')
      throw new DatasetFormatError(
        path,
        line,
        'needs "prompt" (or "text") as a non-empty string, or "messages"',
      );
    return { prompt, maxTokens };
  });
}

export async function loadCustom(
  context: PluginContext,
  defaultMaxTokens: number,
): Promise<SingleTurnWorkload> {
  const items = context.datasetPath
    ? await readCustomPrompts(context.datasetPath, defaultMaxTokens)
    : customItems(
        parseJsonLines(CUSTOM_EXAMPLE_JSONL, CUSTOM_EXAMPLE_NAME),
        CUSTOM_EXAMPLE_NAME,
        defaultMaxTokens,
      );
  return buildSingleTurnWorkload(items, {
    datasetId: DATASET_IDS.custom,
    seed: context.seed,
    endpointType: context.endpointType,
  });
}
