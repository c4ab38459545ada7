// OpenAI-hosted models: js-tiktoken encodings (ranks ship with the package; no download).
// Special-token text is counted as plain text (encode(text, [], [])), never thrown on.
import { Tiktoken } from 'js-tiktoken/lite';
import { plainChat } from './chat-template.js';
import { TokenizerError } from './errors.js';
import type { TokenCounter } from './types.js';

export type OpenAiEncoding = 'o200k_base' | 'cl100k_base';

/** The encoding an OpenAI model id uses, or null when the id is not an OpenAI model. */
export function openAiEncodingFor(model: string): OpenAiEncoding | null {
  const id = model.toLowerCase().replace(/^openai\//, '');
  if (/^(gpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|chatgpt-4o|o\d)/.test(id)) return 'o200k_base';
  if (/^(gpt-4|gpt-3\.5|gpt-35|text-embedding-)/.test(id)) return 'cl100k_base';
  if (/^gpt-/.test(id)) return 'o200k_base';
  return null;
}

/**
 * The encoding's ranks (MBs of data): from js-tiktoken in a checkout; the bundle imports its copies
 * beside itself, dist/tiktoken/*.js (scripts/build.mjs), so that start-up never parses them.
 */
async function ranks(encoding: OpenAiEncoding): Promise<ConstructorParameters<typeof Tiktoken>[0]> {
  try {
    const module =
      encoding === 'o200k_base'
        ? await import('js-tiktoken/ranks/o200k_base')
        : await import('js-tiktoken/ranks/cl100k_base');
    return module.default;
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new TokenizerError(
      `tokenizer: the ${encoding} ranks cannot be loaded (${reason}): reinstall inferencebench`,
      'E_TOKENIZER_MISSING',
      1,
    );
  }
}

export async function createTiktokenCounter(encoding: OpenAiEncoding): Promise<TokenCounter> {
  const enc = new Tiktoken(await ranks(encoding));
  const encode = (text: string): number[] => enc.encode(text, [], []);
  return {
    name: `tiktoken:${encoding}`,
    count: (text) => encode(text).length,
    encode,
    decode: (ids) => enc.decode([...ids]),
    hasChatTemplate: false,
    applyChatTemplate: plainChat,
  };
}
