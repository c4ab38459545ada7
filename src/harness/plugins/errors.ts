// Coded errors of the plugin registry and the dataset loaders. src/harness may not import src/app,
// so these mirror the app's UsageError shape: a stable `code` (E_…) and an `exitCode`
// (2 when the user's input — a suite id, a dataset file, a flag — was wrong).
import { CodedError, type ErrorCode } from '../../lib/errors.js';
import { didYouMean } from '../util/did-you-mean.js';

export class PluginError extends CodedError {
  override name = 'PluginError';
  constructor(message: string, code: ErrorCode = 'E_PLUGIN', exitCode = 2) {
    super(message, code, exitCode);
  }
}

/** `bench run <suite-id>` named no known plugin or benchmark. */
export class UnknownSuiteError extends PluginError {
  override name = 'UnknownSuiteError';
  readonly knownIds: readonly string[];
  constructor(suiteId: string, knownIds: readonly string[]) {
    const hint = didYouMean(suiteId, knownIds);
    super(
      `unknown suite "${suiteId}"; ${hint ? `${hint} ` : ''}known: ${knownIds.length > 0 ? knownIds.join(', ') : '(no plugins installed)'}`,
      'E_SUITE_UNKNOWN',
    );
    this.knownIds = knownIds;
  }
}

/** A dataset line or record could not be used; the message names `file:line`. */
export class DatasetFormatError extends PluginError {
  override name = 'DatasetFormatError';
  readonly file: string;
  readonly line: number | null;
  constructor(file: string, line: number | null, reason: string) {
    super(`${line === null ? file : `${file}:${line}`}: ${reason}`, 'E_DATASET_FORMAT');
    this.file = file;
    this.line = line;
  }
}

/** A dataset file (or a required flag pointing at one) is missing. */
export class DatasetMissingError extends PluginError {
  override name = 'DatasetMissingError';
  constructor(message: string) {
    super(message, 'E_DATASET_MISSING');
  }
}

/** plugin.validate() reported errors (or warnings under --strict). */
export class ValidationFailedError extends PluginError {
  override name = 'ValidationFailedError';
  readonly problems: readonly string[];
  constructor(problems: readonly string[], strict: boolean) {
    super(
      `${strict ? 'validation failed (--strict)' : 'validation failed'}: ${problems.join('; ')}`,
      'E_VALIDATION',
    );
    this.problems = problems;
  }
}
