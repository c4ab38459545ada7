import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../../src/app/cli.js';
import { completionScript } from '../../../src/app/completion.js';

const program = await buildProgram();

const SUITES = ['llm.inference', 'llm.inference.sharegpt-v3', 'llm.inference.synthetic'];

/** Sources the script in bash, completes `words` (the last one being typed), returns COMPREPLY. */
function complete(script: string, words: readonly string[]): string[] {
  const quoted = words.map((w) => `'${w.replace(/'/g, `'\\''`)}'`).join(' ');
  const probe = `${script}
complete -p bench >/dev/null || exit 3
COMP_WORDS=(${quoted}); COMP_CWORD=$((\${#COMP_WORDS[@]} - 1)); COMPREPLY=()
_bench
printf '%s\\n' "\${COMPREPLY[@]}"`;
  const r = spawnSync('bash', ['--norc', '--noprofile', '-c', probe], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return r.stdout.split('\n').filter((l) => l !== '');
}

describe('bench completion bash (run through bash’s own `complete`)', () => {
  const script = completionScript(program, 'bash', { run: SUITES });

  it('registers _bench for bench and completes commands from the program tree', () => {
    const all = complete(script, ['bench', '']);
    const names = program.commands.map((c) => c.name()).filter((n) => n !== 'help');
    expect(new Set(all)).toEqual(new Set(names));
    expect(all).toContain('completion');
    expect(complete(script, ['bench', 're'])).toEqual(['replay', 'report']);
    expect(complete(script, ['bench', 'rep'])).toEqual(['replay', 'report']);
    expect(complete(script, ['bench', 'repl'])).toEqual(['replay']);
  });

  it('options of the command being typed, option choices, nested commands, positional choices', () => {
    expect(complete(script, ['bench', 'run', '--signing-m'])).toEqual(['--signing-mode']);
    expect(complete(script, ['bench', 'run', '--signing-mode', ''])).toEqual(['dev', 'keyless']);
    expect(complete(script, ['bench', 'engine', ''])).toContain('serve');
    expect(complete(script, ['bench', 'engine', 'serve', '--timing', 'n'])).toEqual(['nodelay']);
    expect(complete(script, ['bench', 'completion', ''])).toEqual(['bash', 'zsh', 'fish']);
    // An option's value is not mistaken for a command: `--model run` stays inside `bench run`.
    expect(complete(script, ['bench', 'run', '--model', 'run', '--dur'])).toEqual(['--duration']);
  });

  it('suite ids after `bench run`; file names (the shell default) for an option value without choices', () => {
    expect(complete(script, ['bench', 'run', 'llm.inference.s'])).toEqual([
      'llm.inference.sharegpt-v3',
      'llm.inference.synthetic',
    ]);
    expect(complete(script, ['bench', 'verify', '--dev-public-key', ''])).toEqual([]);
  });
});

describe('bench completion zsh / fish', () => {
  it('zsh reuses the bash functions through bashcompinit', () => {
    const zsh = completionScript(program, 'zsh', { run: SUITES });
    expect(zsh.startsWith('#compdef bench\n')).toBe(true);
    expect(zsh).toContain('bashcompinit');
    expect(zsh).toContain(completionScript(program, 'bash', { run: SUITES }).split('\n').slice(3).join('\n'));
  });

  it('fish: one line per command and per option, choices as -a, values as files', () => {
    const fish = completionScript(program, 'fish', { run: SUITES });
    expect(fish).toContain("complete -c bench -n '__fish_use_subcommand' -a run ");
    expect(fish).toMatch(/-n '__fish_seen_subcommand_from run' -l signing-mode -x -a 'dev keyless'/);
    expect(fish).toMatch(
      /-n '__fish_seen_subcommand_from engine; and __fish_seen_subcommand_from serve' -l timing/,
    );
    expect(fish).toContain("-a 'llm.inference llm.inference.sharegpt-v3 llm.inference.synthetic'");
    for (const line of fish.split('\n').filter((l) => l !== '' && !l.startsWith('#')))
      expect(line).toMatch(/^complete -c bench -n '[^']*' /);
  });
});
