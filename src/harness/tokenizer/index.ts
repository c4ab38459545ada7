// Public API of the tokenizers.
export type { TokenCounter } from './types.js';
export { loadTokenizer, type LoadTokenizerOptions } from './load.js';
export { defaultTokenizer, DEFAULT_TOKENIZER_NAME } from './default.js';
export {
  auditTokenCounts,
  compareTokenCounts,
  countOutputTokens,
  OutputTokenAuditor,
  OUTPUT_TOKEN_MISMATCH_RATIO,
  TOKEN_DIFF_WARN_RATIO,
  type OutputTokenAudit,
  type OutputTokenCount,
  type OutputTokenSubject,
  type TokenCountAudit,
  type TokenCountComparison,
  type TokenCountPair,
} from './compare.js';
export { additiveCosts, exactTokenText, fastTokenText, type ExactPrompt } from './exact.js';
export { openAiEncodingFor, type OpenAiEncoding } from './tiktoken.js';
export { TokenizerError } from './errors.js';
export { WORD_POOL } from './words.js';
