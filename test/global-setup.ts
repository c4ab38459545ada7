// Builds the CLI bundle once per test run; e2e tests spawn it (the shipped artifact, and far faster
// to start than transpiling the sources in every child process). One folder per run, so parallel
// test runs never delete each other's bundle.
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export default async function setup(): Promise<() => void> {
  const outdir = fileURLToPath(new URL(`../.tmp/test-dist-${process.pid}`, import.meta.url));
  rmSync(outdir, { recursive: true, force: true });
  const { buildCli } = await import('../scripts/build.mjs');
  process.env.BENCH_TEST_CLI = await buildCli(outdir);
  return () => rmSync(outdir, { recursive: true, force: true });
}
