// Errors raised by src/envelope. Each has a stable `code`; `exitCode = 2` marks input the user can
// fix (a file that cannot be used, a missing key), exitCode 1 a check that failed.
import { CodedError, type ErrorCode } from '../lib/errors.js';

export class EnvelopeError extends CodedError {
  override name = 'EnvelopeError';
  constructor(message: string, code: ErrorCode = 'E_ENVELOPE', exitCode = 2) {
    super(message, code, exitCode);
  }
}

/** A value that canonical JSON cannot represent (NaN, Infinity, undefined, a function…). */
export class CanonicalJsonError extends EnvelopeError {
  override name = 'CanonicalJsonError';
  constructor(message: string, code: ErrorCode = 'E_CANONICAL_JSON', exitCode = 1) {
    super(message, code, exitCode);
  }
}
