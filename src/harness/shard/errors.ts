// Errors of the shard layer: a stable `code`, and exitCode 2 where the user's input was unusable.
export class ShardError extends Error {
  readonly code: string;
  readonly exitCode: number;
  constructor(code: string, message: string, exitCode = 2) {
    super(message);
    this.name = 'ShardError';
    this.code = code;
    this.exitCode = exitCode;
  }
}
