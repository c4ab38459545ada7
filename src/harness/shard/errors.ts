// Errors of the shard layer: a stable `code`, and exitCode 2 where the user's input was unusable.
import { CodedError, type ErrorCode } from '../../lib/errors.js';

export class ShardError extends CodedError {
  override name = 'ShardError';
  constructor(message: string, code: ErrorCode = 'E_SHARD', exitCode = 2) {
    super(message, code, exitCode);
  }
}
