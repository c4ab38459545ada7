// Prompts of an exact token count for any tokenizer.
// Fast path: the token cost of " word" is measured once per pool word; for byte-level BPE
// tokenizers (GPT-2 pre-tokenisation never merges across a leading space) the cost of a text of
// space-joined words is the sum of its words' costs, so text of n tokens is built with no encoding.
// The result is verified with one count; when the tokenizer is not additive (SentencePiece etc.)
// the slow path encodes, cuts at n ids, decodes and re-checks until the count is n (or n ± 1).
import type { Rng } from '../plugins/random.js';
import type { TokenCounter } from './types.js';
import { WORD_POOL } from './words.js';

export interface ExactPrompt {
  readonly text: string;
  readonly tokens: number;
}

export interface WordCosts {
  readonly words: readonly string[];
  /** count(" " + word) for each word. */
  readonly costs: readonly number[];
  /** Indices of words that cost exactly one token. */
  readonly single: readonly number[];
}

const costCache = new WeakMap<TokenCounter, WordCosts>();

export function wordCosts(tokenizer: TokenCounter): WordCosts {
  let cached = costCache.get(tokenizer);
  if (!cached) {
    const costs = WORD_POOL.map((w) => tokenizer.count(` ${w}`));
    const single = costs.flatMap((c, i) => (c === 1 ? [i] : []));
    cached = { words: WORD_POOL, costs, single };
    costCache.set(tokenizer, cached);
  }
  return cached;
}

/**
 * Space-prefixed words whose summed cost is exactly `tokens` (" w1 w2 …"), or null when the
 * tokenizer has no single-token words to finish with.
 */
export function wordsOfCost(costs: WordCosts, tokens: number, rng: Rng): string | null {
  if (costs.single.length === 0) return null;
  const parts: string[] = [];
  let left = tokens;
  while (left > 0) {
    let index = Math.floor(rng.next() * costs.words.length);
    if (costs.costs[index]! > left) index = costs.single[Math.floor(rng.next() * costs.single.length)]!;
    parts.push(costs.words[index]!);
    left -= costs.costs[index]!;
  }
  return parts.length > 0 ? ` ${parts.join(' ')}` : '';
}

function randomWords(rng: Rng, count: number): string {
  const words: string[] = [];
  for (let i = 0; i < count; i++) words.push(WORD_POOL[Math.floor(rng.next() * WORD_POOL.length)]!);
  return words.join(' ');
}

function slowPath(tokenizer: TokenCounter, tokens: number, rng: Rng, prefix: string): ExactPrompt {
  let source = randomWords(rng, tokens + 8);
  let ids = tokenizer.encode(source);
  while (ids.length < tokens) {
    source = `${source} ${randomWords(rng, tokens - ids.length + 8)}`;
    ids = tokenizer.encode(source);
  }
  const prefixCount = prefix ? tokenizer.count(prefix) : 0;
  let cut = tokens;
  let best: ExactPrompt | null = null;
  for (let attempt = 0; attempt < 8; attempt++) {
    const text = tokenizer.decode(ids.slice(0, cut)).trimEnd();
    const count = tokenizer.count(prefix + text) - prefixCount;
    if (count === tokens) return { text, tokens: count };
    if (!best || Math.abs(count - tokens) < Math.abs(best.tokens - tokens)) best = { text, tokens: count };
    cut += tokens - count;
    if (cut <= 0 || cut > ids.length) break;
  }
  return best!;
}

/** Text of exactly `tokens` tokens (±1 in rare tokenizer edge cases) after `prefix`, seeded by `rng`. */
export function exactTokenText(tokenizer: TokenCounter, tokens: number, rng: Rng, prefix = ''): ExactPrompt {
  if (tokens <= 0) return { text: '', tokens: 0 };
  const costs = wordCosts(tokenizer);
  const fast = wordsOfCost(costs, tokens, rng);
  if (fast !== null) {
    // With no prefix, drop the leading space (the first word then stands alone: re-check).
    const text = prefix ? fast : fast.slice(1);
    const count = tokenizer.count(prefix + text) - (prefix ? tokenizer.count(prefix) : 0);
    if (count === tokens) return { text, tokens };
  }
  return slowPath(tokenizer, tokens, rng, prefix);
}
