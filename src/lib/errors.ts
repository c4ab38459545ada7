// The one shape of every error bench raises on purpose (ARCHITECTURE.md, "Error-code catalogue"):
// `new XError(message, code?, exitCode?)`, a stable `code` (E_…), the process exit code the CLI
// uses for it (2: the user's input cannot be used; 1: a check or the run failed) and a `name`.
// The CLI prints `bench: <message>` and exits with `exitCode`; never a stack trace.

export type ErrorCode = `E_${string}`;

export class CodedError extends Error {
  override name = 'CodedError';
  readonly code: ErrorCode;
  readonly exitCode: number;
  constructor(message: string, code: ErrorCode, exitCode = 1, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.exitCode = exitCode;
  }
}
