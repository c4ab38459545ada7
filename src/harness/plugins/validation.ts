// assertValid: turns a ValidationResult into a coded failure (exit 2) — errors always, warnings under --strict.
import { ValidationFailedError } from './errors.js';
import type { ValidationResult } from './types.js';

export function assertValid(result: ValidationResult, strict: boolean): void {
  if (result.errors.length > 0) throw new ValidationFailedError(result.errors, false);
  if (strict && result.warnings.length > 0)
    throw new ValidationFailedError(
      result.warnings.map((w) => `warning: ${w}`),
      true,
    );
}
