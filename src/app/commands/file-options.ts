// --max-file-bytes: the size cap on envelope files read from disk or a pipe (as for HTTP fetches).
import { InvalidArgumentError, type Command } from 'commander';
import { DEFAULT_MAX_FILE_BYTES } from '../../envelope/io.js';

/** V8 cannot hold a string much over 512 MiB: a larger envelope could never be parsed anyway. */
export const MAX_FILE_BYTES_LIMIT = 512 * 1024 * 1024;
const MIN_FILE_BYTES = 1024;

const UNITS: Readonly<Record<string, number>> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** `67108864`, `64M`, `64MiB`, `512k` → bytes; 1 KiB to 512 MiB. */
export function parseByteSize(value: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([kmg]?)(?:i?b)?\s*$/i.exec(value);
  const unit = UNITS[(match?.[2] ?? '').toLowerCase()];
  const bytes = match && unit !== undefined ? Math.floor(Number(match[1]) * unit) : Number.NaN;
  if (!Number.isFinite(bytes) || bytes < MIN_FILE_BYTES || bytes > MAX_FILE_BYTES_LIMIT)
    throw new InvalidArgumentError('a size from 1K to 512M bytes (e.g. 64M)');
  return bytes;
}

export function addMaxFileBytesOption(command: Command): Command {
  return command.option(
    '--max-file-bytes <size>',
    `skip envelope files larger than this (default: ${DEFAULT_MAX_FILE_BYTES / 1024 / 1024}M; 1K–512M)`,
    parseByteSize,
  );
}
