import { isMainThread, workerData } from 'node:worker_threads';
import { VERSION } from './version.js';

const argv = process.argv.slice(2);
/** pool-worker.ts's POOL_WORKER_TAG, repeated so that start-up does not load the client. */
const POOL_WORKER_TAG = 'inferencebench-pool-worker';
if (!isMainThread && (workerData as { tag?: unknown } | null)?.tag === POOL_WORKER_TAG) {
  // A `--workers` thread of the one-file bundle: it loads this file (the pool worker's module URL is
  // the bundle's), and runs the pool worker instead of the CLI.
  await import('../harness/client/pool-worker.js');
} else if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  // `bench --version` must answer without loading the CLI graph (start-up budget: ≤ 150 ms).
  process.stdout.write(`${VERSION}\n`);
} else {
  // React's development build doubles the console's cost per frame. The bundle defines this at build
  // time; the unbundled sources (tsx) set it here, through an alias so the bundler's define does not
  // see an assignment to a constant.
  const env = process.env;
  env.NODE_ENV ??= 'production';
  const { runCli } = await import('./cli.js');
  process.exitCode = await runCli(argv);
}
