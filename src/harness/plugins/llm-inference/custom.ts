// llm.inference.custom: a JSONL of prompts. Each line is {"prompt": "..."} (or "text"), or
// {"messages": [{"role": "system"|"user"|"assistant", "content": "..."}]}, with an optional
// per-line "max_tokens". The seed picks the order; malformed lines → error with file:line.
import type { ChatMessage } from '../../types.js';
import { DatasetFormatError, DatasetMissingError } from '../errors.js';
import type { PluginContext, SingleTurnWorkload } from '../types.js';
import { isRecord, readJsonLines } from './files.js';
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

export async function readCustomPrompts(path: string, defaultMaxTokens: number): Promise<PromptItem[]> {
  const rows = await readJsonLines(path, 'custom dataset');
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
  if (!context.datasetPath)
    throw new DatasetMissingError('llm.inference.custom needs --dataset-path FILE.jsonl');
  const items = await readCustomPrompts(context.datasetPath, defaultMaxTokens);
  return buildSingleTurnWorkload(items, {
    datasetId: DATASET_IDS.custom,
    seed: context.seed,
    endpointType: context.endpointType,
  });
}
