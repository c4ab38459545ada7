// Seeded filler text from the word pool (for generated stand-in datasets and follow-up turns).
import { WORD_POOL } from '../../tokenizer/words.js';
import type { Rng } from '../../../lib/rng.js';

export function sentence(rng: Rng, words: number): string {
  const out: string[] = [];
  for (let i = 0; i < words; i++) out.push(WORD_POOL[Math.floor(rng.next() * WORD_POOL.length)]!);
  const text = out.join(' ');
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
}

export function paragraph(rng: Rng, words: number): string {
  const parts: string[] = [];
  let left = words;
  while (left > 0) {
    const n = Math.min(left, rng.int(6, 16));
    parts.push(sentence(rng, n));
    left -= n;
  }
  return parts.join(' ');
}
