// Prompts of an exact token count for any tokenizer.
// Fast path: the token cost of " word" is measured once per pool word; for byte-level BPE
// tokenizers (GPT-2 pre-tokenisation never merges across a leading space) the cost of a text of
// space-joined words is the sum of its words' costs, so text of n tokens is built with no encoding.
// The result is verified with one count; when the tokenizer is not additive (SentencePiece etc.)
// the slow path encodes, cuts at n ids, decodes and re-checks until the count is n (or n ± 1).
import { createLabelledRng, type Rng } from '../../lib/rng.js';
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

interface AdditiveCosts extends WordCosts {
  /** count(word) with no leading space, for the first word of a text. */
  readonly bareCosts: readonly number[];
}

const additiveCache = new WeakMap<TokenCounter, AdditiveCosts | null>();

/**
 * The word costs when this tokenizer is additive over space-joined pool words (checked once on
 * seeded samples, with and without a preceding newline), else null.
 */
export function additiveCosts(tokenizer: TokenCounter): AdditiveCosts | null {
  if (additiveCache.has(tokenizer)) return additiveCache.get(tokenizer)!;
  const costs = wordCosts(tokenizer);
  let result: AdditiveCosts | null = null;
  if (costs.single.length > 0) {
    const bareCosts = costs.words.map((w) => tokenizer.count(w));
    const candidate: AdditiveCosts = { ...costs, bareCosts };
    const rng = createLabelledRng(0, 'additivity');
    let ok = true;
    const newline = tokenizer.count('\n');
    for (let sample = 0; sample < 8 && ok; sample++) {
      const tokens = 20 + sample * 13;
      const led = wordsOfCost(costs, tokens, rng)!;
      ok = tokenizer.count(led) === tokens && tokenizer.count(`\n${led}`) === newline + tokens;
      const bare = bareWordsOfCost(candidate, tokens, rng);
      ok = ok && bare !== null && tokenizer.count(bare) === tokens;
    }
    result = ok ? candidate : null;
  }
  additiveCache.set(tokenizer, result);
  return result;
}

/** Like wordsOfCost but with no leading space: the first word is costed bare. */
function bareWordsOfCost(costs: AdditiveCosts, tokens: number, rng: Rng): string | null {
  const firstCandidates = costs.words.map((_, i) => i).filter((i) => costs.bareCosts[i]! <= tokens);
  if (firstCandidates.length === 0) return null;
  const first = firstCandidates[Math.floor(rng.next() * firstCandidates.length)]!;
  const rest = tokens - costs.bareCosts[first]!;
  const tail = rest > 0 ? wordsOfCost(costs, rest, rng) : '';
  return tail === null ? null : `${costs.words[first]!}${tail}`;
}

/**
 * Text of exactly `tokens` tokens with no encoding at all (for prompts built in the request path):
 * `afterPrefix` texts start with a space (they follow a prefix ending in whitespace). Returns null
 * when the tokenizer is not additive; use exactTokenText then.
 */
export function fastTokenText(
  tokenizer: TokenCounter,
  tokens: number,
  rng: Rng,
  afterPrefix: boolean,
): string | null {
  const costs = additiveCosts(tokenizer);
  if (costs === null || tokens <= 0) return tokens <= 0 ? '' : null;
  return afterPrefix ? wordsOfCost(costs, tokens, rng) : bareWordsOfCost(costs, tokens, rng);
}
