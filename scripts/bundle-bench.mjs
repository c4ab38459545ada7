// Bundles the client-performance benchmarks (and the CLI they start the engine from) for a host
// without the dev toolchain, e.g. the GPU machine, which has no Node modules:
//   node scripts/bundle-bench.mjs [outdir]   → outdir/{memory,whole-run-ingest,accuracy,scale-out}.js + outdir/cli/bench.js
// Run a bundled benchmark with BENCH_CLI=outdir/cli/bench.js so its engine comes from the bundle too.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { buildCli } from './build.mjs';

const outdir = process.argv[2] ?? '.bench-dist';
const BENCHES = ['memory', 'whole-run-ingest', 'accuracy', 'scale-out'];

await buildCli(`${outdir}/cli`);
await build({
  entryPoints: Object.fromEntries(
    BENCHES.map((name) => [name, fileURLToPath(new URL(`../bench/${name}.ts`, import.meta.url))]),
  ),
  outdir,
  bundle: true,
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['koffi'],
  jsx: 'automatic',
  define: { 'process.env.NODE_ENV': '"production"' },
  alias: { 'react-devtools-core': fileURLToPath(new URL('./empty-module.mjs', import.meta.url)) },
  banner: {
    js: "import { createRequire as __bench_createRequire } from 'node:module'; const require = __bench_createRequire(import.meta.url);",
  },
  logLevel: 'warning',
  legalComments: 'none',
});
console.log(`bundled ${BENCHES.join(', ')} and the CLI into ${outdir}/`);
