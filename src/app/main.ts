import { VERSION } from './version.js';

const argv = process.argv.slice(2);
// `bench --version` must answer without loading the CLI graph (start-up budget: ≤ 150 ms).
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  process.stdout.write(`${VERSION}\n`);
} else {
  // React's development build doubles the console's cost per frame; the bundle defines this too.
  process.env.NODE_ENV ??= 'production';
  const { runCli } = await import('./cli.js');
  process.exitCode = await runCli(argv);
}
