// A CLI error prints one line (`bench: <message>`) and exits with `exitCode`; never a stack trace.
// Modules outside src/app follow the same shape: an Error with a stable string `code` and,
// where it is the user's input that was wrong, `exitCode = 2`.
import { CodedError, type ErrorCode } from '../lib/errors.js';

export class UsageError extends CodedError {
  override name = 'UsageError';
  constructor(message: string, code: ErrorCode = 'E_USAGE', exitCode = 2) {
    super(message, code, exitCode);
  }
}

export interface CodedErrorLike {
  readonly message: string;
  readonly code: string;
  readonly exitCode?: number;
}

/** Any error with an E_… code: ours (CodedError) or one that mirrors the shape. */
export function isCodedError(error: unknown): error is CodedErrorLike {
  if (!(error instanceof Error)) return false;
  const code: unknown = (error as Error & { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('E_');
}
