// Where downloaded datasets are looked for: $INFERENCEBENCH_CACHE_DIR, else
// $XDG_CACHE_HOME/inferencebench, else ~/.cache/inferencebench — plus /datasets.
import { homedir } from 'node:os';
import { join } from 'node:path';

export function datasetCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base =
    env.INFERENCEBENCH_CACHE_DIR ??
    (env.XDG_CACHE_HOME
      ? join(env.XDG_CACHE_HOME, 'inferencebench')
      : join(homedir(), '.cache', 'inferencebench'));
  return join(base, 'datasets');
}

export const SHAREGPT_FILE_NAME = 'ShareGPT_V3_unfiltered_cleaned_split.json';
