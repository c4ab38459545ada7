// Where bench keeps per-user state: the cache (fetched envelopes, the client-ceiling calibration) and
// the configuration (trusted keys, the per-user dev key). BENCH_CACHE_DIR / BENCH_CONFIG_DIR
// override both for tests and for users who keep them elsewhere; relative XDG values are ignored,
// as the XDG spec says.
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';

export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.BENCH_CACHE_DIR && env.BENCH_CACHE_DIR !== '') return resolve(env.BENCH_CACHE_DIR);
  const xdg = env.XDG_CACHE_HOME;
  if (xdg && isAbsolute(xdg)) return join(xdg, 'inferencebench');
  return join(homedir(), '.cache', 'inferencebench');
}

export function configRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.BENCH_CONFIG_DIR && env.BENCH_CONFIG_DIR !== '') return resolve(env.BENCH_CONFIG_DIR);
  const xdg = env.XDG_CONFIG_HOME;
  if (xdg && isAbsolute(xdg)) return join(xdg, 'inferencebench');
  return join(homedir(), '.config', 'inferencebench');
}
