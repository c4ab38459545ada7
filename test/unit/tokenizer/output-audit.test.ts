// Tokenizer-vs-usage audit of output tokens: counted both ways, both recorded with the source used,
// one warning when the token-weighted difference exceeds 2 %.
import { describe, expect, it } from 'vitest';
import {
  countOutputTokens,
  defaultTokenizer,
  OutputTokenAuditor,
  OUTPUT_TOKEN_MISMATCH_RATIO,
} from '../../../src/harness/tokenizer/index.js';

// A whitespace tokenizer: counts are obvious by eye.
const words = { name: 'words', count: (t: string) => t.split(/\s+/).filter(Boolean).length };
const req = (text: string | undefined, completion: number | null, reasoning: number | null = null) => ({
  ...(text === undefined ? {} : { outputText: text }),
  usage: completion === null ? null : { completionTokens: completion, reasoningTokens: reasoning },
});

describe('countOutputTokens', () => {
  it('records both counts and uses usage for osl when the server sent it', () => {
    expect(countOutputTokens(req('a b c d', 4), words)).toEqual({
      tokenizer: 4,
      usage: 4,
      source: 'usage',
      oslTokens: 4,
    });
  });
  it('without usage the tokenizer count is the osl', () => {
    expect(countOutputTokens(req('a b c', null), words)).toEqual({
      tokenizer: 3,
      usage: null,
      source: 'tokenizer',
      oslTokens: 3,
    });
  });
  it('reasoning tokens are not in the collected text: compared against completion − reasoning', () => {
    // 10 completion tokens of which 6 reasoning: the 4 answer words match; osl stays 10.
    expect(countOutputTokens(req('w x y z', 10, 6), words)).toEqual({
      tokenizer: 4,
      usage: 4,
      source: 'usage',
      oslTokens: 10,
    });
  });
  it('a request without collected text is not audited', () => {
    expect(countOutputTokens(req(undefined, 5), words)).toBeNull();
  });
});

describe('OutputTokenAuditor', () => {
  it('at exactly 2 % no warning; above it one line naming both totals', () => {
    expect(OUTPUT_TOKEN_MISMATCH_RATIO).toBe(0.02);
    const ok = new OutputTokenAuditor(words);
    // 51 words against 50 tokens: +2.0 % — not above the limit.
    ok.add(req(Array.from({ length: 51 }, () => 'w').join(' '), 50));
    expect(ok.finish()).toMatchObject({ relDiff: 0.02, warning: null, nBoth: 1, overThreshold: 0 });

    const off = new OutputTokenAuditor(words);
    off.add(req(Array.from({ length: 100 }, () => 'w').join(' '), 100)); // exact
    off.add(req(Array.from({ length: 110 }, () => 'w').join(' '), 100)); // +10 %
    off.add(req('a b c', null)); // no usage: tokenizer is the source
    off.add(req(undefined, 7)); // not collected
    const a = off.finish();
    expect(a).toMatchObject({
      tokenizer: 'words',
      n: 3,
      nBoth: 2,
      sourceCounts: { usage: 2, tokenizer: 1 },
      tokenizerTotal: 210,
      usageTotal: 200,
      overThreshold: 1,
    });
    expect(a.relDiff).toBeCloseTo(0.05, 12);
    expect(a.warning).toBe(
      "output tokens: the tokenizer words counts 210 where the server's usage says 200 (+5.0 %, 1 of 2 requests " +
        "off by more than 2 %); osl uses the server's usage — check that --tokenizer is the served model's",
    );
  });

  it('with the real fixture BPE tokenizer, usage equal to its own count audits clean', () => {
    const tok = defaultTokenizer();
    const text = 'The quick brown fox jumps over the lazy dog, twice.';
    const n = tok.count(text);
    const audit = new OutputTokenAuditor(tok);
    audit.add(req(text, n));
    audit.add(req(text, Math.round(n * 0.8)));
    const a = audit.finish();
    expect(a.tokenizerTotal).toBe(2 * n);
    expect(a.usageTotal).toBe(n + Math.round(n * 0.8));
    expect(a.warning).not.toBeNull();
  });
});
