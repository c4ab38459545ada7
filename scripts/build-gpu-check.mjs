// Bundles scripts/gpu-check.ts into dist/gpu-check.js (one ESM file; koffi stays external because
// it loads a native binary). Run before ../shared/tools/gpu-pack.sh so the check travels in dist/.
import { build } from 'esbuild';

await build({
  entryPoints: ['scripts/gpu-check.ts'],
  outfile: 'dist/gpu-check.js',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['koffi'],
  banner: {
    js: "import { createRequire as __bench_createRequire } from 'node:module'; const require = __bench_createRequire(import.meta.url);",
  },
  logLevel: 'warning',
  legalComments: 'none',
});
