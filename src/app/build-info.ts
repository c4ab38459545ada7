// Facts the bundle learns at build time (scripts/build.mjs defines them), so that an installed
// package, which ships no lockfile and no sources, still knows them.

declare const __BENCH_LOCKFILE_SHA256__: string | undefined;

/**
 * sha256 of the package-lock.json the bundle was built from (the envelope's pip_freeze_hash
 * analogue); undefined when running from the sources, where the lockfile itself is read.
 */
export function bundledLockfileSha256(): string | undefined {
  return typeof __BENCH_LOCKFILE_SHA256__ === 'string' ? __BENCH_LOCKFILE_SHA256__ : undefined;
}
