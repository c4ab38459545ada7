import { Command, CommanderError } from 'commander';
import { commandModules, type CommandName } from './commands/index.js';
import { isCodedError } from './errors.js';
import { redactText } from './redact.js';
import { VERSION } from './version.js';

const HELP_HINT = '(run with --help for usage)';

/**
 * Commander's parse errors ("error: unknown command 'rnu'" and "(Did you mean run?)" on separate
 * lines) in the CLI's one-line form: `bench: unknown command 'rnu'; did you mean 'run'?
 * (run with --help for usage)`. Commander picks the suggestion by edit distance, as git does.
 */
export function oneLineError(text: string): string {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  if (lines.length === 0) return '';
  let message = lines[0]!.replace(/^error: /, '');
  for (const line of lines.slice(1)) {
    const suggestion = /^\(Did you mean (.+)\?\)$/.exec(line);
    if (suggestion) message += `; did you mean ${suggestion[1]!.replace(/^'?([^']*)'?$/, "'$1'")}?`;
    else message += ` ${line}`;
  }
  return `bench: ${message} ${HELP_HINT}\n`;
}

/**
 * The command tree. With `argv`, a command line that names one command (`bench run …`) loads only
 * that command's module; anything else (`bench --help`, `bench help run`, `bench completion`, a
 * typo that wants "did you mean") loads every command.
 */
export async function buildProgram(argv: readonly string[] = []): Promise<Command> {
  const program = new Command('bench')
    .description('Benchmark console for LLM serving systems: live load, signed result envelopes.')
    .version(VERSION, '-V, --version')
    .configureOutput({ outputError: (text, write) => write(oneLineError(text)) });
  program.exitOverride();
  const names = Object.keys(commandModules) as CommandName[];
  const only = names.find((name) => name === argv[0] && name !== 'completion');
  const modules = await Promise.all((only ? [only] : names).map((name) => commandModules[name]()));
  for (const module of modules) module.register(program);
  if (only === undefined || only === 'doctor') {
    const { setCeilingMeasurer } = await import('./commands/doctor.js');
    setCeilingMeasurer(async (onProgress) =>
      (await import('./run/calibrate.js')).measureClientCeiling(onProgress),
    );
  }
  return program;
}

/** Runs the CLI and returns the exit code. Errors become one line on stderr. */
export async function runCli(argv: readonly string[]): Promise<number> {
  try {
    const program = await buildProgram(argv);
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return 0;
      if (error.code === 'commander.help') return 0;
      return error.exitCode === 0 ? 0 : 2;
    }
    if (isCodedError(error)) {
      process.stderr.write(`bench: ${redactText(error.message)}\n`);
      return error.exitCode ?? 1;
    }
    const errno = (error as NodeJS.ErrnoException | null)?.code;
    if (errno === 'ENOSPC' || errno === 'EDQUOT' || errno === 'EROFS') {
      const path = (error as NodeJS.ErrnoException).path;
      const what = errno === 'EROFS' ? 'the file system is read-only' : 'no space left on the device';
      process.stderr.write(`bench: cannot write${path ? ` ${path}` : ''}: ${what}\n`);
      return 1;
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`bench: internal error: ${redactText(message)}\n`);
    if (process.env.BENCH_DEBUG && error instanceof Error && error.stack)
      process.stderr.write(`${redactText(error.stack)}\n`);
    return 70;
  }
}
