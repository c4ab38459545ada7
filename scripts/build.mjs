// Bundles the CLI into one file, dist/bench.js (BENCH_BUILD_OUT overrides the folder, used by the test
// setup). Lazily imported modules stay lazy inside that file (esbuild wraps them in init functions),
// so start-up still evaluates only what a command needs. koffi stays external: it loads a native binary.
// The worker pool's threads load this same file (src/app/main.ts dispatches them).
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { reportAssetsPlugin } from './report-assets.mjs';

/** sha256 of the lockfile the bundle is built from: src/app/build-info.ts reads it at run time. */
function lockfileSha256() {
  try {
    return createHash('sha256')
      .update(readFileSync(new URL('../package-lock.json', import.meta.url)))
      .digest('hex');
  } catch {
    return undefined;
  }
}
const lockSha = lockfileSha256();

/** esbuild options shared by every bundle of this project (CLI, benchmarks, test builds). */
export const bundleOptions = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['koffi'],
  jsx: 'automatic',
  // React's production build; src/app/main.ts sets the same at run time for the unbundled sources.
  define: {
    'process.env.NODE_ENV': '"production"',
    ...(lockSha ? { __BENCH_LOCKFILE_SHA256__: JSON.stringify(lockSha) } : {}),
  },
  // Ink imports react-devtools-core only when DEV is set; alias it to an empty module.
  alias: { 'react-devtools-core': fileURLToPath(new URL('./empty-module.mjs', import.meta.url)) },
  banner: {
    js: "import { createRequire as __bench_createRequire } from 'node:module'; const require = __bench_createRequire(import.meta.url);",
  },
  logLevel: 'warning',
  legalComments: 'none',
  // `bench report`'s page script, bundled for the browser and inlined as a string (docs/report.md).
  plugins: [reportAssetsPlugin()],
};

export async function buildCli(outdir = process.env.BENCH_BUILD_OUT ?? 'dist') {
  await build({
    ...bundleOptions,
    entryPoints: { bench: fileURLToPath(new URL('../src/app/main.ts', import.meta.url)) },
    outdir,
  });
  return `${outdir}/bench.js`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildCli();
