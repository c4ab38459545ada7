import { describe, expect, it } from 'vitest';
import { ChunkTemplate } from '../../../src/harness/client/chunk-template.js';

const chat = (content: string, extra = ''): string =>
  `{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1732345678,"model":"m","choices":[{"index":0,"delta":{"content":${JSON.stringify(content)}},"logprobs":null,"finish_reason":null}]${extra}}`;

// What the client's slow path would call "a delta carrying this text and nothing else".
const plainChat = (parsed: unknown, probe: string): boolean => {
  const chunk = parsed as {
    usage?: unknown;
    error?: unknown;
    choices?: { delta?: Record<string, unknown>; finish_reason?: unknown }[];
  };
  const choice = chunk.choices?.[0];
  return (
    chunk.usage == null &&
    chunk.error == null &&
    choice?.delta?.content === probe &&
    choice.delta.reasoning_content == null &&
    typeof choice.finish_reason !== 'string'
  );
};

describe('ChunkTemplate', () => {
  it('reads the text of later chunks without JSON.parse, equal to what JSON.parse gives', () => {
    const template = new ChunkTemplate('content');
    expect(template.match(chat(' a'))).toBeNull();
    expect(template.learn(chat(' first'), plainChat)).toBe(true);
    for (const text of [' hello', '', 'é€ 日本', ' a b c', '<think>', "it's"]) {
      const data = chat(text);
      expect(template.match(data)).toBe(text);
      expect(
        (JSON.parse(data) as { choices: { delta: { content: string } }[] }).choices[0]!.delta.content,
      ).toBe(text);
    }
  });

  it('sends everything that is not the same chunk with plain text back to JSON.parse', () => {
    const template = new ChunkTemplate('content');
    expect(template.learn(chat('x'), plainChat)).toBe(true);
    expect(template.match(chat('say "hi"'))).toBeNull(); // escaped quote
    expect(template.match(chat('a\\b'))).toBeNull(); // escaped backslash
    expect(template.match(chat('line\nbreak'))).toBeNull(); // \n escape
    expect(template.match(chat('x', ',"usage":{"completion_tokens":3}'))).toBeNull(); // usage appended
    expect(template.match(chat('x').replace('"finish_reason":null', '"finish_reason":"stop"'))).toBeNull();
    expect(template.match(chat('x').replace('chatcmpl-1', 'chatcmpl-2'))).toBeNull(); // another response
    expect(template.match('[DONE]')).toBeNull();
    expect(template.match(`${chat('x')} `)).toBeNull();
    // A raw (unescaped) control character is invalid JSON: not accepted by the fast path either.
    expect(template.match(chat('x').replace('"content":"x"', '"content":"a\u0001b"'))).toBeNull();
  });

  it('learns nothing from an ambiguous or non-plain chunk', () => {
    const twice = `{"choices":[{"delta":{"content":"a"},"logprobs":{"content":[]}}]}`;
    expect(new ChunkTemplate('content').learn(twice, plainChat)).toBe(false);
    const withUsage = chat('a', ',"usage":{"completion_tokens":1}');
    const template = new ChunkTemplate('content');
    expect(template.learn(withUsage, plainChat)).toBe(false);
    expect(template.learned).toBe(false);
    expect(template.match(withUsage)).toBeNull();
    expect(new ChunkTemplate('content').learn('{"choices":[{"delta":{"content":null}}]}', plainChat)).toBe(
      false,
    );
  });

  it('completions: the text field, with whitespace around the colon', () => {
    const completion = (text: string): string =>
      `{"id": "cmpl-1", "choices": [{"index": 0, "text" : ${JSON.stringify(text)}, "finish_reason": null}]}`;
    const plainText = (parsed: unknown, probe: string): boolean =>
      (parsed as { choices: { text: unknown }[] }).choices[0]!.text === probe;
    const template = new ChunkTemplate('text');
    expect(template.learn(completion('a\\"b'), plainText)).toBe(true);
    expect(template.match(completion(' next'))).toBe(' next');
  });
});
