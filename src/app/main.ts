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
  // `bench verify … | head`: once the reader is gone nothing more can be said; leave quietly.
  for (const stream of [process.stdout, process.stderr])
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
      throw error;
    });
  const { runCli } = await import('./cli.js');
  const code = await runCli(argv);
  process.exitCode = code;
  // After a failure, a handle the failed command left open (a server, a timer) must not keep the
  // process alive: give output a moment to drain, then exit.
  if (code !== 0) setTimeout(() => process.exit(code), 2000).unref();
}
