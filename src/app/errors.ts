// A CLI error prints one line (`bench: <message>`) and exits with `exitCode`; never a stack trace.
// Modules outside src/app follow the same shape: an Error with a stable string `code` and,
// where it is the user's input that was wrong, `exitCode = 2`.

export class UsageError extends Error {
  readonly code: string;
  readonly exitCode: number;
  constructor(message: string, code = 'E_USAGE', exitCode = 2) {
    super(message);
    this.name = 'UsageError';
    this.code = code;
    this.exitCode = exitCode;
  }
}

export interface CodedError {
  readonly message: string;
  readonly code: string;
  readonly exitCode?: number;
}

export function isCodedError(error: unknown): error is CodedError {
  if (!(error instanceof Error)) return false;
  const code: unknown = (error as Error & { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('E_');
}
