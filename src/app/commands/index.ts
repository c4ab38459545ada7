// Each command module exports `register(program)`. One line per command; keep alphabetical.
import type { Command } from 'commander';

export const commandRegistrars: ReadonlyArray<(program: Command) => void> = [];
