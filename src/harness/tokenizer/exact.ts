// Prompts of an exact token count for any tokenizer: draw seeded words, encode, cut at n ids,
// decode, and re-check (decode→encode can merge across the cut); adjust until the count is n
// (or n ± 1 when the tokenizer makes n unreachable from this text).
import type { Rng } from '../plugins/random.js';
import type { TokenCounter } from './types.js';
import { WORD_POOL } from './words.js';

export interface ExactPrompt {
  readonly text: string;
  readonly tokens: number;
}

function randomWords(rng: Rng, count: number): string {
  const words: string[] = [];
  for (let i = 0; i < count; i++) words.push(WORD_POOL[Math.floor(rng.next() * WORD_POOL.length)]!);
  return words.join(' ');
}

/** Text of exactly `tokens` tokens (±1 in rare tokenizer edge cases), seeded by `rng`. */
export function exactTokenText(tokenizer: TokenCounter, tokens: number, rng: Rng, prefix = ''): ExactPrompt {
  if (tokens <= 0) return { text: '', tokens: 0 };
  // Words are ~1–2 tokens each for any reasonable tokenizer; draw generously, then cut.
  let source = randomWords(rng, tokens + 8);
  let ids = tokenizer.encode(source);
  while (ids.length < tokens) {
    source = `${source} ${randomWords(rng, tokens - ids.length + 8)}`;
    ids = tokenizer.encode(source);
  }
  let cut = tokens;
  let best: ExactPrompt | null = null;
  for (let attempt = 0; attempt < 8; attempt++) {
    const text = tokenizer.decode(ids.slice(0, cut)).trimEnd();
    const count = tokenizer.count(prefix + text) - (prefix ? tokenizer.count(prefix) : 0);
    if (count === tokens) return { text, tokens: count };
    if (!best || Math.abs(count - tokens) < Math.abs(best.tokens - tokens)) best = { text, tokens: count };
    cut += tokens - count;
    if (cut <= 0 || cut > ids.length) break;
  }
  return best!;
}
