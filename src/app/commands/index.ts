// Each command module exports `register(program)`; it is imported only when the command line needs
// it (`bench run …` evaluates run's module graph alone: start-up to the first frame, issue 18).
// One line per command; keep alphabetical (the order of `bench --help`).
import type { Command } from 'commander';

export interface CommandModule {
  register(program: Command): void;
}

export const commandModules = {
  compare: (): Promise<CommandModule> => import('./compare.js'),
  completion: (): Promise<CommandModule> => import('./completion.js'),
  cost: (): Promise<CommandModule> => import('./cost.js'),
  diff: (): Promise<CommandModule> => import('./diff.js'),
  doctor: (): Promise<CommandModule> => import('./doctor.js'),
  engine: (): Promise<CommandModule> => import('./engine.js'),
  export: (): Promise<CommandModule> => import('./export.js'),
  fetch: (): Promise<CommandModule> => import('./fetch.js'),
  summary: (): Promise<CommandModule> => import('./summary.js'),
  k8s: (): Promise<CommandModule> => import('./k8s.js'),
  keygen: (): Promise<CommandModule> => import('./keygen.js'),
  list: (): Promise<CommandModule> => import('./list.js'),
  matrix: (): Promise<CommandModule> => import('./matrix.js'),
  merge: (): Promise<CommandModule> => import('./merge.js'),
  plugins: (): Promise<CommandModule> => import('./plugins.js'),
  profile: (): Promise<CommandModule> => import('./profile.js'),
  replay: (): Promise<CommandModule> => import('./replay.js'),
  report: (): Promise<CommandModule> => import('./report.js'),
  run: (): Promise<CommandModule> => import('./run.js'),
  verify: (): Promise<CommandModule> => import('./verify.js'),
  watch: (): Promise<CommandModule> => import('./watch.js'),
} as const;

export type CommandName = keyof typeof commandModules;
