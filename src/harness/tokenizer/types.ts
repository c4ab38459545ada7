// A tokenizer as the workloads use it: count tokens, build exact-length prompts, render chat templates.
import type { ChatMessage } from '../types.js';

export interface TokenCounter {
  /** e.g. "fixture-bpe", "hf:/path/to/tokenizer.json", "tiktoken:o200k_base". */
  readonly name: string;
  count(text: string): number;
  encode(text: string): number[];
  decode(ids: readonly number[]): string;
  /** True when tokenizer_config.json carries a chat_template. */
  readonly hasChatTemplate: boolean;
  /**
   * Renders messages through the chat template (with the generation prompt). Without a template
   * the messages are joined as "role: content" lines.
   */
  applyChatTemplate(messages: readonly ChatMessage[]): string;
}
