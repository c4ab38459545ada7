// The default tokenizer: a small license-clean byte-level BPE generated for this project
// (fixtures/tokenizer/generate.ts). Imported as JSON so it travels inside the bundled CLI.
import tokenizerJson from '../../../fixtures/tokenizer/tokenizer.json' with { type: 'json' };
import tokenizerConfig from '../../../fixtures/tokenizer/tokenizer_config.json' with { type: 'json' };
import { createHfTokenizer } from './hf.js';
import type { TokenCounter } from './types.js';

export const DEFAULT_TOKENIZER_NAME = 'fixture-bpe';

let cached: TokenCounter | null = null;

export function defaultTokenizer(): TokenCounter {
  cached ??= createHfTokenizer(tokenizerJson, tokenizerConfig, DEFAULT_TOKENIZER_NAME);
  return cached;
}
