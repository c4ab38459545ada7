// Each command module exports `register(program)`. One line per command; keep alphabetical.
import type { Command } from 'commander';
import { register as keygen } from './keygen.js';
import { register as verify } from './verify.js';
import { register as watch } from './watch.js';

export const commandRegistrars: ReadonlyArray<(program: Command) => void> = [keygen, verify, watch];
