// Shell completion scripts for bash, zsh and fish, generated from commander's command and option
// tree, so they never drift from the CLI. Positional values (suite ids for `bench run`) come from
// the caller; everything else falls back to file names.
import type { Command, Option } from 'commander';

export const COMPLETION_SHELLS = ['bash', 'zsh', 'fish'] as const;
export type CompletionShell = (typeof COMPLETION_SHELLS)[number];

interface OptionNode {
  readonly flags: readonly string[];
  readonly takesValue: boolean;
  readonly choices: readonly string[];
  readonly description: string;
}

interface CommandNode {
  /** Space-separated path from the root ('' for `bench` itself, 'engine serve'). */
  readonly path: string;
  readonly name: string;
  readonly summary: string;
  readonly subcommands: readonly CommandNode[];
  readonly options: readonly OptionNode[];
  readonly positionals: readonly string[];
}

const HELP_OPTION: OptionNode = {
  flags: ['-h', '--help'],
  takesValue: false,
  choices: [],
  description: 'display help for command',
};

function optionNode(option: Option): OptionNode {
  return {
    flags: [option.short, option.long].filter((f): f is string => typeof f === 'string'),
    takesValue: option.required || option.optional,
    choices: option.argChoices ?? [],
    description: option.description,
  };
}

function commandNode(
  command: Command,
  path: string,
  positionals: Readonly<Record<string, readonly string[]>>,
): CommandNode {
  const subcommands = command.commands
    .filter((c) => c.name() !== 'help')
    .map((c) => commandNode(c, path === '' ? c.name() : `${path} ${c.name()}`, positionals));
  const visible = command.options.filter((o) => !o.hidden);
  return {
    path,
    name: command.name(),
    summary: command.summary() || command.description().split('\n')[0] || '',
    subcommands,
    options: [...visible.map(optionNode), HELP_OPTION],
    positionals: [
      ...(positionals[path] ?? []),
      ...command.registeredArguments.flatMap((a) => a.argChoices ?? []),
    ],
  };
}

function walk(node: CommandNode): CommandNode[] {
  return [node, ...node.subcommands.flatMap(walk)];
}

/** A single-quoted shell word (bash, zsh and fish all read '…' literally; ' itself is spliced). */
function quote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** fish quotes differently: inside '…' only \' and \\ are escapes. */
function fishQuote(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function bashFunctions(nodes: readonly CommandNode[]): string {
  const cases = (body: (n: CommandNode) => string | null): string =>
    nodes
      .map((n) => {
        const value = body(n);
        return value === null ? null : `    ${quote(n.path)}) echo ${quote(value)} ;;`;
      })
      .filter((line): line is string => line !== null)
      .join('\n');
  const choiceCases = nodes
    .flatMap((n) =>
      n.options
        .filter((o) => o.choices.length > 0)
        .flatMap((o) =>
          o.flags.map((f) => `    ${quote(`${n.path}|${f}`)}) echo ${quote(o.choices.join(' '))} ;;`),
        ),
    )
    .join('\n');
  const valueCases = nodes
    .flatMap((n) =>
      n.options.filter((o) => o.takesValue).flatMap((o) => o.flags.map((f) => quote(`${n.path}|${f}`))),
    )
    .join('|');
  return `_bench_subcommands() {
  case "$1" in
${cases((n) => (n.subcommands.length > 0 ? n.subcommands.map((s) => s.name).join(' ') : null))}
  esac
}
_bench_options() {
  case "$1" in
${cases((n) => n.options.flatMap((o) => o.flags).join(' '))}
  esac
}
_bench_positionals() {
  case "$1" in
${cases((n) => (n.positionals.length > 0 ? n.positionals.join(' ') : null))}
  esac
}
_bench_choices() {
  case "$1|$2" in
${choiceCases}
  esac
}
_bench_takes_value() {
  case "$1|$2" in
    ${valueCases || "''"}) return 0 ;;
  esac
  return 1
}
_bench() {
  local cur=\${COMP_WORDS[COMP_CWORD]} prev=\${COMP_WORDS[COMP_CWORD-1]} path='' i w skip=0 subs
  for ((i = 1; i < COMP_CWORD; i++)); do
    w=\${COMP_WORDS[i]}
    if ((skip)); then skip=0; continue; fi
    if [[ $w == -* ]]; then
      _bench_takes_value "$path" "$w" && skip=1
      continue
    fi
    subs=" $(_bench_subcommands "$path") "
    [[ $subs == *" $w "* ]] && path=\${path:+$path }$w
  done
  COMPREPLY=()
  local words
  words=$(_bench_choices "$path" "$prev")
  if [[ -n $words ]]; then
    COMPREPLY=($(compgen -W "$words" -- "$cur"))
    return 0
  fi
  # The value of an option without fixed choices: let the shell complete file names.
  _bench_takes_value "$path" "$prev" && return 0
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$(_bench_options "$path")" -- "$cur"))
    return 0
  fi
  words="$(_bench_subcommands "$path") $(_bench_positionals "$path")"
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
  return 0
}`;
}

function bashScript(root: CommandNode): string {
  return `# bash completion for bench. Load it with:
#   source <(bench completion bash)
# or save it as ~/.local/share/bash-completion/completions/bench
${bashFunctions(walk(root))}
complete -o default -F _bench bench
`;
}

function zshScript(root: CommandNode): string {
  return `#compdef bench
# zsh completion for bench (zsh's bash-completion bridge). Load it with:
#   source <(bench completion zsh)
# or save it as _bench in a directory on $fpath.
autoload -U +X bashcompinit && bashcompinit
${bashFunctions(walk(root))}
complete -o default -F _bench bench
`;
}

function fishScript(root: CommandNode): string {
  const lines = [
    '# fish completion for bench. Load it with:',
    '#   bench completion fish | source',
    '# or save it as ~/.config/fish/completions/bench.fish',
  ];
  const names = (n: CommandNode): string => n.subcommands.map((s) => s.name).join(' ');
  for (const node of walk(root)) {
    const depth = node.path === '' ? 0 : node.path.split(' ').length;
    // The condition that this command's words are the ones typed so far.
    const here =
      node.path === ''
        ? '__fish_use_subcommand'
        : `__fish_seen_subcommand_from ${node.name}` +
          (node.subcommands.length > 0 ? `; and not __fish_seen_subcommand_from ${names(node)}` : '');
    const cond = depth <= 1 ? here : `__fish_seen_subcommand_from ${node.path.split(' ')[0]}; and ${here}`;
    for (const sub of node.subcommands)
      lines.push(`complete -c bench -n ${fishQuote(cond)} -a ${sub.name} -d ${fishQuote(sub.summary)}`);
    if (node.positionals.length > 0)
      lines.push(`complete -c bench -n ${fishQuote(cond)} -a ${fishQuote(node.positionals.join(' '))}`);
    for (const option of node.options) {
      const parts = [`complete -c bench -n ${fishQuote(cond)}`];
      for (const flag of option.flags)
        parts.push(flag.startsWith('--') ? `-l ${flag.slice(2)}` : `-s ${flag.slice(1)}`);
      if (option.choices.length > 0) parts.push(`-x -a ${fishQuote(option.choices.join(' '))}`);
      else if (option.takesValue) parts.push('-r -F');
      parts.push(`-d ${fishQuote(option.description)}`);
      lines.push(parts.join(' '));
    }
  }
  return `${lines.join('\n')}\n`;
}

/** The completion script for `shell`, from the program's current command tree. */
export function completionScript(
  program: Command,
  shell: CompletionShell,
  positionals: Readonly<Record<string, readonly string[]>> = {},
): string {
  const root = commandNode(program, '', positionals);
  if (shell === 'bash') return bashScript(root);
  if (shell === 'zsh') return zshScript(root);
  return fishScript(root);
}
