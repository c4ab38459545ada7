// Each command module exports `register(program)`. One line per command; keep alphabetical.
import type { Command } from 'commander';
import { register as compare } from './compare.js';
import { register as completion } from './completion.js';
import { register as cost } from './cost.js';
import { register as diff } from './diff.js';
import { register as doctor } from './doctor.js';
import { register as engine } from './engine.js';
import { register as exportCmd } from './export.js';
import { register as fetch } from './fetch.js';
import { register as summary } from './summary.js';
import { register as k8s } from './k8s.js';
import { register as keygen } from './keygen.js';
import { register as list } from './list.js';
import { register as matrix } from './matrix.js';
import { register as merge } from './merge.js';
import { register as plugins } from './plugins.js';
import { register as profile } from './profile.js';
import { register as replay } from './replay.js';
import { register as report } from './report.js';
import { register as run } from './run.js';
import { register as verify } from './verify.js';
import { register as watch } from './watch.js';

export const commandRegistrars: ReadonlyArray<(program: Command) => void> = [
  compare,
  completion,
  cost,
  diff,
  doctor,
  engine,
  exportCmd,
  fetch,
  summary,
  k8s,
  keygen,
  list,
  matrix,
  merge,
  plugins,
  profile,
  replay,
  report,
  run,
  verify,
  watch,
];
