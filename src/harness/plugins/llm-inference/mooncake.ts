// llm.inference.trace: Mooncake-format JSONL traces ({"timestamp": ms, "input_length": n,
// "output_length": m, "hash_ids": [...]}) replayed at their timestamps. Each hash id stands for one
// 512-token block of prompt text: equal ids give identical text, so shared prefixes hit the
// engine's prefix cache as in the original trace. Prompts are built lazily (and prefetched by the
// trace driver one entry ahead), so long traces load instantly.
import type { RequestSpec } from '../../types.js';
import { exactTokenText, wordCosts, type WordCosts } from '../../tokenizer/exact.js';
import type { TokenCounter } from '../../tokenizer/types.js';
import { DatasetFormatError } from '../errors.js';
import { hashItems } from '../hash.js';
import { createLabelledRng, type Rng } from '../../../lib/rng.js';
import type { PluginContext, TraceEntry, TraceWorkload } from '../types.js';
import { isRecord, readJsonLines } from './files.js';
import { DATASET_IDS } from './specs.js';
import { generateMooncakeTrace, MOONCAKE_BLOCK_TOKENS, type MooncakeLine } from './trace-gen.js';

/** Indices of pool words whose costs sum to exactly `tokens` (finishing with one-token words). */
function pickWords(costs: WordCosts, tokens: number, rng: Rng): number[] {
  const out: number[] = [];
  let left = tokens;
  while (left > 0) {
    let index = Math.floor(rng.next() * costs.words.length);
    if (costs.costs[index]! > left) index = costs.single[Math.floor(rng.next() * costs.single.length)]!;
    out.push(index);
    left -= costs.costs[index]!;
  }
  return out;
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 1;

export async function readMooncakeTrace(path: string): Promise<MooncakeLine[]> {
  const rows = await readJsonLines(path, 'trace file');
  const lines: MooncakeLine[] = [];
  let previous = -Infinity;
  for (const { line, value } of rows) {
    if (!isRecord(value)) throw new DatasetFormatError(path, line, 'each line must be a JSON object');
    const { timestamp, input_length: input, output_length: output } = value;
    const hashIds = value.hash_ids ?? [];
    if (typeof timestamp !== 'number' || !Number.isFinite(timestamp) || timestamp < 0)
      throw new DatasetFormatError(path, line, '"timestamp" must be a non-negative number (ms)');
    if (timestamp < previous)
      throw new DatasetFormatError(
        path,
        line,
        `timestamp ${timestamp} is earlier than the previous line's ${previous}`,
      );
    if (!isCount(input))
      throw new DatasetFormatError(path, line, '"input_length" must be a positive integer');
    if (!isCount(output))
      throw new DatasetFormatError(path, line, '"output_length" must be a positive integer');
    if (
      !Array.isArray(hashIds) ||
      hashIds.some((h) => typeof h !== 'number' || !Number.isInteger(h) || h < 0)
    )
      throw new DatasetFormatError(path, line, '"hash_ids" must be an array of non-negative integers');
    previous = timestamp;
    lines.push({ timestamp, input_length: input, output_length: output, hash_ids: hashIds as number[] });
  }
  return lines;
}

export interface TraceOptions {
  readonly blockTokens?: number;
  readonly ignoreEos: boolean;
}

export function traceWorkload(
  lines: readonly MooncakeLine[],
  context: PluginContext,
  tokenizer: TokenCounter,
  options: TraceOptions,
): TraceWorkload {
  const blockTokens = options.blockTokens ?? MOONCAKE_BLOCK_TOKENS;
  // Fast path (byte-level BPE): blocks are lists of pool words whose " word" costs add up to
  // blockTokens, so a prompt of exactly input_length tokens is assembled without encoding.
  const costs = wordCosts(tokenizer);
  const additive = costs.single.length > 0;
  const wordBlocks = new Map<number, number[]>();
  const blockWords = (hashId: number): number[] => {
    let words = wordBlocks.get(hashId);
    if (!words) {
      words = pickWords(costs, blockTokens, createLabelledRng(context.seed, `block:${hashId}`));
      wordBlocks.set(hashId, words);
    }
    return words;
  };
  const buildByWords = (line: MooncakeLine, index: number): { prompt: string; tokens: number } => {
    const target = line.input_length;
    const words: number[] = [];
    let total = 0;
    for (const hashId of line.hash_ids) {
      if (total >= target) break;
      for (const w of blockWords(hashId)) {
        words.push(w);
        total += costs.costs[w]!;
      }
    }
    while (total > target) total -= costs.costs[words.pop()!]!;
    if (total < target)
      words.push(...pickWords(costs, target - total, createLabelledRng(context.seed, `tail:${index}`)));
    return { prompt: ` ${words.map((w) => costs.words[w]!).join(' ')}`, tokens: target };
  };
  // Slow path (other tokenizers): concatenate block ids, decode, and adjust the cut until the
  // prompt re-encodes to input_length (or the closest reachable length).
  const idBlocks = new Map<number, number[]>();
  const blockIds = (hashId: number): number[] => {
    let ids = idBlocks.get(hashId);
    if (!ids) {
      const text = exactTokenText(
        tokenizer,
        blockTokens,
        createLabelledRng(context.seed, `block:${hashId}`),
      ).text;
      ids = tokenizer.encode(` ${text}`);
      idBlocks.set(hashId, ids);
    }
    return ids;
  };
  const buildByIds = (line: MooncakeLine, index: number): { prompt: string; tokens: number } => {
    const target = line.input_length;
    const ids: number[] = [];
    for (const hashId of line.hash_ids) {
      if (ids.length >= target) break;
      ids.push(...blockIds(hashId));
    }
    const tail = exactTokenText(
      tokenizer,
      Math.max(0, target - ids.length) + 16,
      createLabelledRng(context.seed, `tail:${index}`),
    );
    ids.push(...tokenizer.encode(` ${tail.text}`));
    let cut = Math.min(target, ids.length);
    let prompt = tokenizer.decode(ids.slice(0, cut));
    let count = tokenizer.count(prompt);
    for (let attempt = 0; attempt < 6 && count !== target; attempt++) {
      const next = Math.min(ids.length, Math.max(1, cut + target - count));
      if (next === cut) break;
      cut = next;
      prompt = tokenizer.decode(ids.slice(0, cut));
      count = tokenizer.count(prompt);
    }
    return { prompt, tokens: count };
  };
  const build = (line: MooncakeLine, index: number): RequestSpec => {
    const { prompt, tokens } = additive ? buildByWords(line, index) : buildByIds(line, index);
    const base = {
      maxTokens: line.output_length,
      inputTokens: tokens,
      ...(options.ignoreEos ? { extraBody: { ignore_eos: true, min_tokens: line.output_length } } : {}),
    };
    return Object.freeze(
      context.endpointType === 'chat'
        ? { ...base, messages: [{ role: 'user' as const, content: prompt }] }
        : { ...base, prompt },
    );
  };
  const entries: TraceEntry[] = lines.map((line, index) => {
    let built: RequestSpec | null = null;
    return {
      atMs: line.timestamp,
      get request(): RequestSpec {
        built ??= build(line, index);
        return built;
      },
    };
  });
  const datasetHash = hashItems([
    {
      tokenizer: tokenizer.name,
      block_tokens: blockTokens,
      endpoint: context.endpointType,
      ignore_eos: options.ignoreEos,
    },
    ...lines,
  ]);
  return {
    kind: 'trace',
    datasetId: context.datasetPath ? DATASET_IDS.trace : DATASET_IDS.traceSample,
    datasetHash,
    entries,
  };
}

/** Without --dataset-path: a generated 120-request trace at ~2 req/s (about one minute). */
export const BUILTIN_TRACE = { entries: 120, meanGapMs: 500 } as const;

export async function loadTrace(
  context: PluginContext,
  tokenizer: TokenCounter,
  options: TraceOptions,
): Promise<TraceWorkload> {
  const lines = context.datasetPath
    ? await readMooncakeTrace(context.datasetPath)
    : generateMooncakeTrace(BUILTIN_TRACE);
  return traceWorkload(lines, context, tokenizer, options);
}
