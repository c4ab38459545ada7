// `bench watch <output-dir>`: attach read-only to a run (alive or finished) through its live state file.
import { InvalidArgumentError, type Command } from 'commander';
import { watchRun } from '../live/watch-session.js';

function parseInterval(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 20 || n > 10_000) throw new InvalidArgumentError('must be 20..10000 (ms)');
  return n;
}

export function register(program: Command): void {
  program
    .command('watch')
    .summary('attach read-only to a bench run and show its live console')
    .description(
      'Attach read-only to a bench run (alive or finished): renders its live console from <output-dir>/.bench-live.json.',
    )
    .argument('<output-dir>', 'the output directory of the run (where bench run writes envelopes)')
    .option('--no-tui', 'print a progress line per second and the final table instead of the console')
    .option('--interval-ms <ms>', 'how often to re-read the state file', parseInterval, 250)
    .addHelpText(
      'after',
      '\nExits when the run finishes (with its exit code), when it dies (1), or on q / Ctrl-C (0; the run goes on).',
    )
    .action(async (outputDir: string, opts: { tui: boolean; intervalMs: number }) => {
      const tty = process.stdout.isTTY === true && !process.env.CI;
      process.exitCode = await watchRun(outputDir, { tui: opts.tui && tty, intervalMs: opts.intervalMs });
    });
}
