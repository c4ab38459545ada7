// Errors raised by src/envelope. Each has a stable `code`; `exitCode = 2` marks input the user can
// fix (a file that cannot be used, a missing key), exitCode 1 a check that failed.

export class EnvelopeError extends Error {
  readonly code: string;
  readonly exitCode: number;
  constructor(code: string, message: string, exitCode = 2) {
    super(message);
    this.name = 'EnvelopeError';
    this.code = code;
    this.exitCode = exitCode;
  }
}

/** A value that canonical JSON cannot represent (NaN, Infinity, undefined, a function…). */
export class CanonicalJsonError extends EnvelopeError {
  constructor(message: string) {
    super('E_CANONICAL_JSON', message, 1);
    this.name = 'CanonicalJsonError';
  }
}
