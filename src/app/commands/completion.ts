// bench completion bash|zsh|fish: prints a completion script generated from the CLI's own command tree.
import { Argument, type Command } from 'commander';
import { discoverPlugins, knownSuiteIds } from '../../harness/plugins/index.js';
import { COMPLETION_SHELLS, completionScript, type CompletionShell } from '../completion.js';

export function register(program: Command): void {
  program
    .command('completion')
    .summary('print a shell completion script (bash, zsh, fish)')
    .description(
      'Print a completion script for commands, options, option choices and suite ids. ' +
        'bash: `source <(bench completion bash)`; zsh: `source <(bench completion zsh)`; ' +
        'fish: `bench completion fish | source`. Add the line to your shell start-up file to keep it.',
    )
    .addArgument(new Argument('<shell>', 'the shell').choices(COMPLETION_SHELLS))
    .action(async (shell: CompletionShell) => {
      const found = await discoverPlugins();
      const suites = knownSuiteIds(found.plugins);
      process.stdout.write(completionScript(program, shell, { run: suites, list: [] }));
    });
}
