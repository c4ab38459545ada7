// Coded errors of the embedded engine. `exitCode = 2` marks input the user got wrong (an unknown model id…).

export class EngineError extends Error {
  readonly code: string;
  readonly exitCode: number;
  constructor(code: string, message: string, exitCode = 2) {
    super(message);
    this.name = 'EngineError';
    this.code = code;
    this.exitCode = exitCode;
  }
}
