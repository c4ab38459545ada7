// Coded tokenizer errors (exit 2: the --tokenizer path the user gave is wrong).
import { CodedError, type ErrorCode } from '../../lib/errors.js';
export class TokenizerError extends CodedError {
  override name = 'TokenizerError';
  constructor(message: string, code: ErrorCode = 'E_TOKENIZER', exitCode = 2) {
    super(message, code, exitCode);
  }
}
