// Bundles the CLI (dist/bench.js plus lazily loaded chunks; BENCH_BUILD_OUT overrides the folder, used
// by the test setup). koffi stays external: it loads a native binary.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { reportAssetsPlugin } from './report-assets.mjs';

/** esbuild options shared by every bundle of this project (CLI, benchmarks, test builds). */
export const bundleOptions = {
  bundle: true,
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['koffi'],
  jsx: 'automatic',
  define: { 'process.env.NODE_ENV': '"production"' },
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
