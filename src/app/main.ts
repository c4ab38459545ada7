import { VERSION } from './version.js';

const argv = process.argv.slice(2);
// `bench --version` must answer without loading the CLI graph (start-up budget: ≤ 150 ms).
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  process.stdout.write(`${VERSION}\n`);
} else {
  // React's development build doubles the console's cost per frame; the bundle defines this too.
  process.env.NODE_ENV ??= 'production';
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
