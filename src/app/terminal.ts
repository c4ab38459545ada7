// Whether the live console may draw: both output streams are terminals that can take cursor
// movement, and this is not CI. Otherwise a run is headless (progress lines on stderr) by itself.
// "CI" is decided exactly as Ink decides it (is-in-ci: CI or CONTINUOUS_INTEGRATION set to anything
// but "0" or "false"), because Ink in CI mode draws only the last frame: a console mounted there
// would show nothing until the run ends.

export interface TerminalStreams {
  readonly stdout: { readonly isTTY?: boolean };
  readonly stderr: { readonly isTTY?: boolean };
}

const set = (env: NodeJS.ProcessEnv, key: string): boolean =>
  key in env && env[key] !== '0' && env[key] !== 'false';

/** Why the live console cannot run here, or null when it can. */
export function headlessReason(
  env: NodeJS.ProcessEnv = process.env,
  streams: TerminalStreams = process,
): string | null {
  if (streams.stdout.isTTY !== true || streams.stderr.isTTY !== true) return 'output is not a terminal';
  if (set(env, 'CI') || set(env, 'CONTINUOUS_INTEGRATION')) return 'CI is set';
  if (env.TERM === 'dumb') return 'TERM=dumb';
  return null;
}
