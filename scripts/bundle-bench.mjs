// Bundles the client-performance benchmarks (and the CLI they start the engine from) for a host
// without the dev toolchain, e.g. the GPU machine, which has no Node modules:
//   node scripts/bundle-bench.mjs [outdir]   → outdir/{memory,whole-run-ingest,accuracy,scale-out}.js + outdir/cli/bench.js
// Run a bundled benchmark with BENCH_CLI=outdir/cli/bench.js so its engine comes from the bundle too.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { buildCli, bundleOptions } from './build.mjs';

const outdir = process.argv[2] ?? '.bench-dist';
const BENCHES = ['memory', 'whole-run-ingest', 'accuracy', 'scale-out'];

await buildCli(`${outdir}/cli`);
await build({
  ...bundleOptions,
  // Code splitting here (the CLI is one file): benchmarks that start the worker pool in-process need
  // pool-worker in a chunk of its own, or each worker thread would load — and rerun — the benchmark.
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  entryPoints: Object.fromEntries(
    BENCHES.map((name) => [name, fileURLToPath(new URL(`../bench/${name}.ts`, import.meta.url))]),
  ),
  outdir,
});
console.log(`bundled ${BENCHES.join(', ')} and the CLI into ${outdir}/`);
