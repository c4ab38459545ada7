// Hugging Face tokenizer.json (+ tokenizer_config.json) through @huggingface/tokenizers: no Hub access.
import { Tokenizer } from '@huggingface/tokenizers';
import type { ChatMessage } from '../types.js';
import { createChatRenderer, plainChat, type ChatTemplateConfig } from './chat-template.js';
import type { TokenCounter } from './types.js';

export function createHfTokenizer(
  tokenizerJson: object,
  config: ChatTemplateConfig & object,
  name: string,
): TokenCounter {
  const tokenizer = new Tokenizer(tokenizerJson, config);
  const render = createChatRenderer(config);
  const encode = (text: string): number[] => tokenizer.encode(text, { add_special_tokens: false }).ids;
  return {
    name,
    count: (text) => encode(text).length,
    encode,
    decode: (ids) => tokenizer.decode([...ids], { skip_special_tokens: false }),
    hasChatTemplate: render !== null,
    applyChatTemplate: (messages: readonly ChatMessage[]) =>
      render ? render(messages) : plainChat(messages),
  };
}
