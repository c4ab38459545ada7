import type { Command } from 'commander';
import { Option } from 'commander';
import { DEFAULTS } from '../run/defaults.js';
import { RUN_FLAGS, type FlagRow } from '../run/flags.js';
import { parseRunFlags, type RawRunFlags } from '../run/options.js';

/** One commander option from a flag-table row (help on one line; choices checked by commander too). */
export function commanderOption(row: FlagRow): Option {
  const flags = row.negatable ? `--no-${row.name}` : `--${row.name}${row.arg ? ` ${row.arg}` : ''}`;
  const range = row.range ? ` [${row.range.minExclusive ? '>' : ''}${row.range.min}..${row.range.max}]` : '';
  const option = new Option(flags, `${row.help}${range}`);
  if (row.choices) option.choices(row.choices);
  if (row.default !== undefined) option.default(row.default);
  return option;
}

export function register(program: Command): void {
  const command = program
    .command('run')
    .summary('run a benchmark and write signed envelope(s)')
    .description(
      'Drive load against an OpenAI-compatible endpoint (or the embedded simulated engine when --base-url is omitted), watch it live, and write one signed, content-hashed envelope per point.\n' +
        '<suite-id> is a plugin id (llm.inference: its first benchmark) or a benchmark id (llm.inference.sharegpt-v3).',
    )
    .argument('[suite-id]', 'plugin or benchmark id', DEFAULTS.suiteId);
  for (const row of RUN_FLAGS) command.addOption(commanderOption(row));
  command.action(async (suiteId: string, flags: RawRunFlags, command: Command) => {
    // Distinguish "user typed --concurrency" from the default (the mutual-exclusion rules need it).
    const explicit = (name: string): boolean => command.getOptionValueSource(name) === 'cli';
    const raw: RawRunFlags = {
      ...flags,
      concurrency: explicit('concurrency') ? flags.concurrency : undefined,
      rps: explicit('rps') ? flags.rps : undefined,
    };
    const config = parseRunFlags(suiteId, raw);
    const { executeRun } = await import('../run/execute.js');
    process.exitCode = await executeRun(config, { argv: process.argv.slice(2) });
  });
}
