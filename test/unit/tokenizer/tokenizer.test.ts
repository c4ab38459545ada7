import { mkdtempSync, rmSync, writeFileSync, copyFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createLabelledRng as createRng } from '../../../src/lib/rng.js';
import {
  additiveCosts,
  auditTokenCounts,
  compareTokenCounts,
  defaultTokenizer,
  exactTokenText,
  fastTokenText,
  loadTokenizer,
  openAiEncodingFor,
  TokenizerError,
} from '../../../src/harness/tokenizer/index.js';

const FIXTURE = fileURLToPath(new URL('../../../fixtures/tokenizer/', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'bench-tok-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('default fixture tokenizer', () => {
  const tok = defaultTokenizer();
  it.each([
    'Hello, benchmark world! 12345',
    'café 🚀 naïve — “quotes”',
    '  leading and trailing spaces  ',
    'line one\nline two\ttab',
    '<|im_end|> special text inside',
  ])('round-trips %j', (text) => {
    const ids = tok.encode(text);
    expect(ids.length).toBeGreaterThan(0);
    expect(tok.decode(ids)).toBe(text);
    expect(tok.count(text)).toBe(ids.length);
  });

  it('is a real subword tokenizer: common words are single tokens, rare ones split', () => {
    expect(tok.count(' the')).toBe(1);
    expect(tok.count(' government')).toBe(1);
    expect(tok.count(' xylophonist')).toBeGreaterThan(2);
    expect(tok.count('')).toBe(0);
  });

  it('renders its ChatML chat template', () => {
    expect(tok.hasChatTemplate).toBe(true);
    expect(
      tok.applyChatTemplate([
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'hi' },
      ]),
    ).toBe(
      '<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n',
    );
  });
});

describe('loadTokenizer', () => {
  it('defaults to the fixture tokenizer', async () => {
    expect((await loadTokenizer()).name).toBe('fixture-bpe');
    expect((await loadTokenizer({ model: 'meta-llama/Llama-3.1-8B-Instruct' })).name).toBe('fixture-bpe');
  });

  it('loads a tokenizer.json path, or a directory with tokenizer_config.json (chat template)', async () => {
    const dir = join(tmp, 'tok-dir');
    mkdirSync(dir);
    copyFileSync(join(FIXTURE, 'tokenizer.json'), join(dir, 'tokenizer.json'));
    const bare = await loadTokenizer({ path: join(dir, 'tokenizer.json') });
    expect(bare.hasChatTemplate).toBe(false);
    expect(bare.applyChatTemplate([{ role: 'user', content: 'hi' }])).toBe('user: hi\nassistant:');
    copyFileSync(join(FIXTURE, 'tokenizer_config.json'), join(dir, 'tokenizer_config.json'));
    const withConfig = await loadTokenizer({ path: dir });
    expect(withConfig.hasChatTemplate).toBe(true);
    expect(withConfig.count('Hello world')).toBe(defaultTokenizer().count('Hello world'));
  });

  it('errors clearly (exit 2) on a missing or malformed path', async () => {
    await expect(loadTokenizer({ path: join(tmp, 'nope.json') })).rejects.toMatchObject({
      code: 'E_TOKENIZER_MISSING',
      exitCode: 2,
    });
    const bad = join(tmp, 'bad.json');
    writeFileSync(bad, '{"vocab": {}}');
    await expect(loadTokenizer({ path: bad })).rejects.toThrow(/has no "model" section/);
    writeFileSync(bad, '{oops');
    await expect(loadTokenizer({ path: bad })).rejects.toBeInstanceOf(TokenizerError);
  });

  it.each([
    ['gpt-4o-mini', 'o200k_base'],
    ['openai/gpt-5', 'o200k_base'],
    ['o3-mini', 'o200k_base'],
    ['gpt-4', 'cl100k_base'],
    ['gpt-3.5-turbo', 'cl100k_base'],
    ['Qwen/Qwen2.5-72B-Instruct', null],
    ['ollama/llama3', null],
  ])('OpenAI encoding for %s → %s', (model, encoding) => {
    expect(openAiEncodingFor(model)).toBe(encoding);
  });

  it('uses js-tiktoken for OpenAI models, counting special-token text as plain text', async () => {
    const tok = await loadTokenizer({ model: 'gpt-4o' });
    expect(tok.name).toBe('tiktoken:o200k_base');
    expect(tok.count('Hello world')).toBe(2);
    expect(tok.count('<|endoftext|>')).toBeGreaterThan(1);
    expect(tok.decode(tok.encode('benchmark ✓'))).toBe('benchmark ✓');
  });
});

describe('exactTokenText', () => {
  it.each([1, 2, 7, 64, 500, 3000])('builds %i-token prompts within ±1 token (fixture BPE)', (n) => {
    const tok = defaultTokenizer();
    for (let seed = 0; seed < 5; seed++) {
      const { text, tokens } = exactTokenText(tok, n, createRng(seed, 'exact'));
      expect(Math.abs(tok.count(text) - n)).toBeLessThanOrEqual(1);
      expect(tokens).toBe(tok.count(text));
    }
  });

  it('builds exact-length prompts with tiktoken too', async () => {
    const tok = await loadTokenizer({ model: 'gpt-4o' });
    for (const n of [5, 100, 1000]) {
      const { text } = exactTokenText(tok, n, createRng(n, 'exact'));
      expect(Math.abs(tok.count(text) - n)).toBeLessThanOrEqual(1);
    }
  });

  it('fast path: additive tokenizers build exact text with no encoding', async () => {
    for (const tok of [defaultTokenizer(), await loadTokenizer({ model: 'gpt-4o' })]) {
      expect(additiveCosts(tok)).not.toBeNull();
      for (const n of [1, 9, 300]) {
        const bare = fastTokenText(tok, n, createRng(n, 'fast'), false)!;
        expect(tok.count(bare)).toBe(n);
        expect(bare.startsWith(' ')).toBe(false);
        const led = fastTokenText(tok, n, createRng(n, 'fast'), true)!;
        expect(tok.count(`prefix\n${led}`)).toBe(tok.count('prefix\n') + n);
      }
    }
  });

  it('is deterministic per seed and differs across seeds', () => {
    const tok = defaultTokenizer();
    const a = exactTokenText(tok, 50, createRng(1, 'x')).text;
    expect(exactTokenText(tok, 50, createRng(1, 'x')).text).toBe(a);
    expect(exactTokenText(tok, 50, createRng(2, 'x')).text).not.toBe(a);
  });
});

describe('compareTokenCounts', () => {
  it.each([
    [100, 100, 0, false],
    [105, 100, 0.05, false],
    [106, 100, 0.06, true],
    [90, 100, -0.1, true],
  ])('client %i vs server %i → %f (warn %s)', (client, server, diff, warns) => {
    const result = compareTokenCounts(client, server);
    expect(result.relativeDiff).toBeCloseTo(diff, 10);
    expect(result.warning !== null).toBe(warns);
  });

  it('handles a server count of zero', () => {
    expect(compareTokenCounts(0, 0)).toMatchObject({ relativeDiff: 0, warning: null });
    expect(compareTokenCounts(3, 0).warning).toMatch(/server reported 0/);
  });
});

describe('auditTokenCounts', () => {
  it('summarises per-request differences and warns above 5 % on average', () => {
    const clean = auditTokenCounts([
      { client: 100, server: 100 },
      { client: 102, server: 100 },
      { client: null, server: 50 },
      { client: 10, server: null },
    ]);
    expect(clean).toMatchObject({ n: 2, overThreshold: 0, warning: null });
    expect(clean.meanAbsRelDiff).toBeCloseTo(0.01, 10);
    const off = auditTokenCounts([
      { client: 120, server: 100 },
      { client: 100, server: 100 },
    ]);
    expect(off.meanAbsRelDiff).toBeCloseTo(0.1, 10);
    expect(off.maxAbsRelDiff).toBeCloseTo(0.2, 10);
    expect(off.overThreshold).toBe(1);
    expect(off.warning).toMatch(
      /differ from server-reported by 10.0 % on average \(1 of 2 requests above 5 %\)/,
    );
    expect(auditTokenCounts([])).toMatchObject({ n: 0, meanAbsRelDiff: null, warning: null });
  });
});
