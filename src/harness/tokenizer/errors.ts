// Coded tokenizer errors (exit 2: the --tokenizer path the user gave is wrong).
export class TokenizerError extends Error {
  readonly code: string;
  readonly exitCode = 2;
  constructor(message: string, code = 'E_TOKENIZER') {
    super(message);
    this.name = 'TokenizerError';
    this.code = code;
  }
}
