import { mkdirSync, mkdtempSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { defaultTokenizer } from '../../../src/harness/tokenizer/index.js';
import { caught, DATASETS, load, loadSessions, loadSingle, loadTraceW } from './ctx.js';

const tmp = mkdtempSync(join(tmpdir(), 'bench-datasets-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const malformed = (name: string) => join(DATASETS, 'malformed', name);
const tok = defaultTokenizer();
const text = (spec: { messages?: readonly { content: string }[]; prompt?: string }) =>
  spec.prompt ?? spec.messages!.map((m) => m.content).join('\n');

describe('sharegpt-v3', () => {
  const savedEnv = process.env.INFERENCEBENCH_CACHE_DIR;
  afterEach(() => {
    if (savedEnv === undefined) delete process.env.INFERENCEBENCH_CACHE_DIR;
    else process.env.INFERENCEBENCH_CACHE_DIR = savedEnv;
  });

  it('falls back to the generated stand-in, taking human→reply turns in file order', async () => {
    process.env.INFERENCEBENCH_CACHE_DIR = join(tmp, 'empty-cache');
    const w = await loadSingle('sharegpt-v3');
    expect(w.datasetId).toBe('sharegpt-v3-standin');
    expect(w.size).toBeGreaterThan(200);
    const r = w.request(0);
    expect(r.messages).toHaveLength(1);
    expect(r.maxTokens).toBeGreaterThanOrEqual(1);
    expect(r.maxTokens).toBeLessThanOrEqual(256);
    expect(r.inputTokens).toBe(tok.count(r.messages![0]!.content));
  });

  it('streams a real-format file from --dataset-path, with the turn limit and reply-length max_tokens', async () => {
    const file = join(tmp, 'sharegpt.json');
    const convs = [
      {
        id: 'a',
        conversations: [
          { from: 'system', value: 'sys' },
          { from: 'human', value: 'Q1 ünïcode 🚀' },
          { from: 'gpt', value: 'the the the' },
          { from: 'human', value: 'Q2' },
          { from: 'gpt', value: 'A2 "quoted" {braces} [x]' },
        ],
      },
      { id: 'b', conversations: [] },
      {
        id: 'c',
        conversations: [
          { from: 'gpt', value: 'orphan' },
          { from: 'human', value: 'Q3' },
          { from: 'bard', value: 'A3' },
        ],
      },
      {
        id: 'd',
        conversations: [
          { from: 'human', value: 'Q4' },
          { from: 'gpt', value: 'A4' },
        ],
      },
    ];
    writeFileSync(file, JSON.stringify(convs, null, 2));
    const all = await loadSingle('sharegpt-v3', { datasetPath: file, extra: { maxTurns: 3 } });
    expect(all.datasetId).toBe('sharegpt-v3');
    expect(all.size).toBe(3);
    const prompts = Array.from({ length: 3 }, (_, i) => all.request(i).messages![0]!.content).sort();
    expect(prompts).toEqual(['Q1 ünïcode 🚀', 'Q2', 'Q3']);
    const q1 = Array.from({ length: 3 }, (_, i) => all.request(i)).find((r) =>
      r.messages![0]!.content.startsWith('Q1'),
    )!;
    expect(q1.maxTokens).toBe(3); // " the" ×3 → "the the the" = 3 tokens with the fixture BPE
    const whole = await loadSingle('sharegpt-v3', { datasetPath: file });
    expect(whole.size).toBe(4);
  });

  it('reads ShareGPT from the dataset cache directory when present', async () => {
    const cache = join(tmp, 'cache');
    mkdirSync(join(cache, 'datasets'), { recursive: true });
    copyFileSync(
      join(DATASETS, 'sharegpt-v3-standin.json'),
      join(cache, 'datasets', 'ShareGPT_V3_unfiltered_cleaned_split.json'),
    );
    process.env.INFERENCEBENCH_CACHE_DIR = cache;
    const w = await loadSingle('sharegpt-v3');
    expect(w.datasetId).toBe('sharegpt-v3');
    process.env.INFERENCEBENCH_CACHE_DIR = join(tmp, 'empty-cache');
    const standIn = await loadSingle('sharegpt-v3');
    // same content and order, so the same hash: the streaming parser and the JSON import agree
    expect(w.size).toBe(standIn.size);
    expect(w.request(5)).toEqual(standIn.request(5));
  });

  it.each([
    ['sharegpt-bad-turn.json', 3, /conversations\[0\] must be \{"from": string, "value": string\}/],
    ['sharegpt-truncated.json', 2, /ends inside an element/],
  ])('%s → file:line error', async (name, line, reason) => {
    const error = await caught(() => load('sharegpt-v3', { datasetPath: malformed(name) }));
    expect(error.code).toBe('E_DATASET_FORMAT');
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain(`${malformed(name)}:${line}: `);
    expect(error.message).toMatch(reason);
  });

  it('a missing --dataset-path is a coded error', async () => {
    const error = await caught(() => load('sharegpt-v3', { datasetPath: join(tmp, 'nope.json') }));
    expect(error.code).toBe('E_DATASET_MISSING');
  });
});

describe('custom', () => {
  it('loads prompts, message lists, "text" and per-line max_tokens', async () => {
    const w = await loadSingle('custom', {
      datasetPath: join(DATASETS, 'custom-sample.jsonl'),
      maxTokens: 99,
    });
    expect(w.size).toBe(6);
    const all = Array.from({ length: 6 }, (_, i) => w.request(i));
    const byText = new Map(all.map((r) => [text(r), r]));
    expect(byText.get('Write one sentence about tea.')!.maxTokens).toBe(24);
    expect(byText.get('Name three rivers in Europe.')!.maxTokens).toBe(99);
    expect(byText.get('Describe a sunrise in ten words.')).toBeDefined();
    const sys = all.find((r) => r.messages!.length === 2)!;
    expect(sys.messages![0]).toEqual({ role: 'system', content: 'Answer in one word.' });
  });

  it('completions endpoint flattens message lists', async () => {
    const w = await loadSingle('custom', {
      datasetPath: join(DATASETS, 'custom-sample.jsonl'),
      endpointType: 'completions',
    });
    const prompts = Array.from({ length: 6 }, (_, i) => w.request(i).prompt!);
    expect(prompts).toContain('system: Answer in one word.\nuser: Capital of France?\nassistant:');
    expect(prompts).toContain('Count to five.');
  });

  it.each([
    ['custom-bad-json.jsonl', 3, /not valid JSON/],
    ['custom-no-prompt.jsonl', 2, /needs "prompt"/],
    ['custom-bad-max-tokens.jsonl', 2, /"max_tokens" must be a positive integer/],
  ])('%s → error at line %i', async (name, line, reason) => {
    const error = await caught(() => load('custom', { datasetPath: malformed(name) }));
    expect(error.code).toBe('E_DATASET_FORMAT');
    expect(error.message.startsWith(`${malformed(name)}:${line}: `)).toBe(true);
    expect(error.message).toMatch(reason);
  });

  it('without --dataset-path sends the built-in example (same content as fixtures/datasets/custom-sample.jsonl)', async () => {
    const example = await loadSingle('custom');
    const fixture = await loadSingle('custom', { datasetPath: join(DATASETS, 'custom-sample.jsonl') });
    expect(example.size).toBe(6);
    expect(example.datasetHash).toBe(fixture.datasetHash);
  });
});

describe('trace (Mooncake)', () => {
  it('loads the fixture trace with prompts of the recorded lengths and shared blocks for shared hash ids', async () => {
    const file = join(DATASETS, 'mooncake-trace-sample.jsonl');
    const w = await loadTraceW({ datasetPath: file });
    expect(w.datasetId).toBe('mooncake-trace');
    expect(w.entries).toHaveLength(100);
    expect(w.entries[0]!.atMs).toBe(0);
    for (let i = 1; i < w.entries.length; i++)
      expect(w.entries[i]!.atMs).toBeGreaterThanOrEqual(w.entries[i - 1]!.atMs);
    const lines = (await import('node:fs'))
      .readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { input_length: number; output_length: number; hash_ids: number[] });
    for (const i of [0, 1, 2, 50, 99]) {
      const r = w.entries[i]!.request;
      expect(r.maxTokens).toBe(lines[i]!.output_length);
      expect(r.extraBody).toEqual({ ignore_eos: true, min_tokens: lines[i]!.output_length });
      const n = tok.count(text(r));
      expect(n).toBe(r.inputTokens);
      expect(Math.abs(n - lines[i]!.input_length)).toBeLessThanOrEqual(1);
    }
    // Two requests that start with the same hash ids share their first block of text.
    const a = lines.findIndex((l) => l.hash_ids[0] === 1);
    const b = lines.findIndex((l, i) => i > a && l.hash_ids[0] === 1);
    const c = lines.findIndex((l) => l.hash_ids[0] === 3);
    const head = (i: number) => text(w.entries[i]!.request).slice(0, 1500);
    expect(head(a)).toBe(head(b));
    expect(head(a)).not.toBe(head(c));
  });

  it('without a file replays the generated sample trace', async () => {
    const w = await loadTraceW();
    expect(w.datasetId).toBe('mooncake-trace-sample');
    expect(w.entries).toHaveLength(120);
    const spanS = (w.entries.at(-1)!.atMs - w.entries[0]!.atMs) / 1000;
    expect(spanS).toBeGreaterThan(45);
    expect(spanS).toBeLessThan(75);
  });

  it.each([
    ['mooncake-bad-line.jsonl', 2, /"input_length" must be a positive integer/],
    ['mooncake-time-travel.jsonl', 3, /earlier than the previous line/],
  ])('%s → error at line %i', async (name, line, reason) => {
    const error = await caught(() => load('trace', { datasetPath: malformed(name) }));
    expect(error.message.startsWith(`${malformed(name)}:${line}: `)).toBe(true);
    expect(error.message).toMatch(reason);
  });
});

describe('multi-turn', () => {
  it('loads AIPerf multi_turn sessions from a file', async () => {
    const w = await loadSessions({ datasetPath: join(DATASETS, 'multi-turn-sample.jsonl'), maxTokens: 64 });
    expect(w.datasetId).toBe('multi-turn-jsonl');
    expect(w.sessions).toHaveLength(6);
    for (const s of w.sessions) {
      expect(s.length).toBeGreaterThanOrEqual(2);
      expect(s[0]!.thinkMs).toBe(0);
      expect(s[1]!.maxTokens).toBe(48);
      if (s[2]) expect(s[2].maxTokens).toBe(64);
      for (const t of s.slice(1)) expect(t.thinkMs).toBeGreaterThanOrEqual(100);
    }
  });

  it('generates sessions from distributions when no file is given', async () => {
    const w = await loadSessions({
      extra: { numSessions: 20, turnsPerSession: 'uniform:2,4', thinkMs: 'fixed:250' },
    });
    expect(w.datasetId).toBe('builtin-multi-turn');
    expect(w.sessions).toHaveLength(20);
    for (const s of w.sessions) {
      expect(s.length).toBeGreaterThanOrEqual(2);
      expect(s.length).toBeLessThanOrEqual(4);
      expect(s.slice(1).every((t) => t.thinkMs === 250)).toBe(true);
      expect(s.every((t) => t.maxTokens === 128)).toBe(true);
    }
  });

  it('malformed session → file:line', async () => {
    const error = await caught(() =>
      load('multi-turn', { datasetPath: malformed('multi-turn-no-turns.jsonl') }),
    );
    expect(error.message.startsWith(`${malformed('multi-turn-no-turns.jsonl')}:2: `)).toBe(true);
  });
});

describe('synthetic', () => {
  it.each([
    ['fixed:64', 'fixed:16'],
    ['uniform:20,300', 'uniform:4,32'],
    ['normal:200,50,100,300', '8'],
  ])('input %s / output %s: every prompt within ±1 token of its drawn length', async (input, output) => {
    const w = await loadSingle('synthetic', {
      extra: { inputTokens: input, outputTokens: output, numPrompts: 30 },
    });
    const inputs = Array.from({ length: 30 }, (_, i) => w.request(i));
    for (const r of inputs) {
      const n = tok.count(r.messages![0]!.content);
      expect(Math.abs(n - r.inputTokens!)).toBeLessThanOrEqual(0);
      expect(r.extraBody).toEqual({ ignore_eos: true, min_tokens: r.maxTokens });
    }
    if (input === 'fixed:64')
      for (const r of inputs) expect(Math.abs(r.inputTokens! - 64)).toBeLessThanOrEqual(1);
    if (input.startsWith('uniform')) {
      for (const r of inputs) {
        expect(r.inputTokens!).toBeGreaterThanOrEqual(19);
        expect(r.inputTokens!).toBeLessThanOrEqual(301);
      }
      expect(new Set(inputs.map((r) => r.maxTokens)).size).toBeGreaterThan(3);
    }
  });

  it('past the pool every request is a fresh prompt of the drawn length (no re-sent prompts)', async () => {
    const over = {
      extra: { inputTokens: 'uniform:40,120', numPrompts: 5, prefixTokens: 30, numPrefixes: 2 },
    };
    const w = await loadSingle('synthetic', over);
    expect(w.size).toBe(5);
    const specs = Array.from({ length: 40 }, (_, i) => w.request(i));
    const texts = specs.map((r) => r.messages![0]!.content);
    expect(new Set(texts).size).toBe(40);
    for (const r of specs) {
      expect(tok.count(r.messages![0]!.content)).toBe(r.inputTokens);
      expect(r.inputTokens!).toBeGreaterThanOrEqual(39);
      expect(r.inputTokens!).toBeLessThanOrEqual(121);
    }
    // shared prefixes continue round-robin past the pool
    const prefixOf = (i: number) => texts[i]!.split('\n')[0];
    expect(prefixOf(37)).toBe(prefixOf(1));
    expect(prefixOf(36)).toBe(prefixOf(0));
    expect(prefixOf(36)).not.toBe(prefixOf(37));
    // deterministic: a second load gives the same generated requests
    const again = await loadSingle('synthetic', over);
    expect(again.request(33)).toEqual(w.request(33));
    expect(again.datasetHash).toBe(w.datasetHash);
  });

  it('histogram file lengths', async () => {
    const w = await loadSingle('synthetic', {
      extra: { inputTokens: `hist:${join(DATASETS, 'length-histogram-sample.jsonl')}`, numPrompts: 40 },
    });
    for (let i = 0; i < 40; i++) {
      const n = w.request(i).inputTokens!;
      const near = (t: number) => Math.abs(n - t) <= 1;
      expect(near(64) || near(256) || (n >= 499 && n <= 701)).toBe(true);
    }
  });

  it('bad histogram line → file:line', async () => {
    const file = malformed('histogram-bad-weight.jsonl');
    const error = await caught(() => load('synthetic', { extra: { inputTokens: `hist:${file}` } }));
    expect(error.message.startsWith(`${file}:2: `)).toBe(true);
  });

  it('shared-prefix pools: numPrefixes distinct prefixes of prefixTokens tokens, reused round-robin', async () => {
    const w = await loadSingle('synthetic', {
      extra: { inputTokens: 'fixed:300', prefixTokens: 200, numPrefixes: 3, numPrompts: 9 },
      endpointType: 'completions',
    });
    const prompts = Array.from({ length: 9 }, (_, i) => w.request(i).prompt!);
    const prefixes = prompts.map((p) => p.split('\n')[0]!);
    expect(new Set(prefixes).size).toBe(3);
    expect(prefixes[0]).toBe(prefixes[3]);
    for (const p of prefixes) expect(Math.abs(tok.count(p) - 200)).toBeLessThanOrEqual(1);
    for (const p of prompts) expect(Math.abs(tok.count(p) - 300)).toBeLessThanOrEqual(1);
    expect(new Set(prompts).size).toBe(9);
  });

  it('rejects a prefix longer than the input and bad distribution specs', async () => {
    expect(
      (await caught(() => load('synthetic', { extra: { inputTokens: 'fixed:100', prefixTokens: 100 } })))
        .message,
    ).toMatch(/must exceed --prefix-tokens/);
    expect((await caught(() => load('synthetic', { extra: { inputTokens: 'gauss:1' } }))).code).toBe(
      'E_DISTRIBUTION',
    );
    expect(
      (await caught(() => load('synthetic', { extra: { outputTokens: 'uniform:9,3' } }))).message,
    ).toMatch(/--output-tokens "uniform:9,3"/);
  });

  it('long-context: long prompts with the preamble, open loop', async () => {
    const w = await loadSingle('long-context', { extra: { inputTokens: 'fixed:2048', numPrompts: 2 } });
    expect(w.datasetId).toBe('builtin-long-context');
    const r = w.request(0);
    expect(r.messages![0]!.content.startsWith('Read the following notes')).toBe(true);
    expect(Math.abs(r.inputTokens! - 2048)).toBeLessThanOrEqual(1);
    expect(r.extraBody).toBeUndefined();
  });
});
