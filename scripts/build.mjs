// Bundles the CLI into one ESM file (dist/bench.js). koffi stays external: it loads a native binary.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

await build({
  entryPoints: ['src/app/main.ts'],
  outfile: 'dist/bench.js',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['koffi'],
  jsx: 'automatic',
  // Ink imports react-devtools-core only when DEV is set; alias it to an empty module.
  alias: { 'react-devtools-core': fileURLToPath(new URL('./empty-module.mjs', import.meta.url)) },
  banner: {
    js: "import { createRequire as __bench_createRequire } from 'node:module'; const require = __bench_createRequire(import.meta.url);",
  },
  logLevel: 'warning',
  legalComments: 'none',
});
