// Where bench keeps per-user state: the configuration (trusted keys, the per-user dev key, the
// endpoint-hash salt) and the cache (fetched envelopes, the client-ceiling calibration).
// BENCH_CONFIG_DIR / BENCH_CACHE_DIR override them (tests use temp dirs); a relative XDG value is
// ignored, as the XDG spec says.
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';

export function configRoot(
  env: NodeJS.ProcessEnv = process.env,
  home: string = homedir(),
  cwd: string = process.cwd(),
): string {
  if (env.BENCH_CONFIG_DIR) return resolve(cwd, env.BENCH_CONFIG_DIR);
  const xdg = env.XDG_CONFIG_HOME;
  if (xdg && isAbsolute(xdg)) return join(xdg, 'inferencebench');
  return join(home, '.config', 'inferencebench');
}

export function cacheRoot(
  env: NodeJS.ProcessEnv = process.env,
  home: string = homedir(),
  cwd: string = process.cwd(),
): string {
  if (env.BENCH_CACHE_DIR) return resolve(cwd, env.BENCH_CACHE_DIR);
  const xdg = env.XDG_CACHE_HOME;
  if (xdg && isAbsolute(xdg)) return join(xdg, 'inferencebench');
  return join(home, '.cache', 'inferencebench');
}
