// Coded errors of the embedded engine. `exitCode = 2` marks input the user got wrong (an unknown model id…).
import { CodedError, type ErrorCode } from '../lib/errors.js';

export class EngineError extends CodedError {
  override name = 'EngineError';
  constructor(message: string, code: ErrorCode = 'E_ENGINE', exitCode = 2) {
    super(message, code, exitCode);
  }
}
