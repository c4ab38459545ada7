// Bundles the CLI into one file, dist/bench.js (BENCH_BUILD_OUT overrides the folder, used by the test
// setup). Lazily imported modules stay lazy inside that file (esbuild wraps them in init functions),
// so start-up still evaluates only what a command needs. koffi stays external: it loads a native binary.
// The worker pool's threads load this same file (src/app/main.ts dispatches them).
//
// Start-up (issue 18, docs/packaging.md): Node parses the whole bundle before its first line runs, so
// bytes cost time at every start. Whitespace and syntax are minified (identifiers are kept, so error
// names and `--version` read as before); JSON is embedded as JSON.parse('…'), which V8 scans as one
// string; the tiktoken ranks (3.4 MB, needed only for OpenAI model ids) are data files next to the
// bundle, dist/tiktoken/*.js, imported on first use relative to the bundle itself.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { reportAssetsPlugin } from './report-assets.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));

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

/** esbuild plugin: every .json as `module.exports = JSON.parse("…")` (parsed faster than a literal). */
function jsonAsStringPlugin() {
  return {
    name: 'bench-json-as-string',
    setup(b) {
      b.onLoad({ filter: /\.json$/ }, async (args) => {
        const text = await readFile(args.path, 'utf8');
        // Compact, and fail the build on invalid JSON as esbuild's own loader would.
        const compact = JSON.stringify(JSON.parse(text));
        return { contents: `module.exports = JSON.parse(${JSON.stringify(compact)});\n`, loader: 'js' };
      });
    },
  };
}

/**
 * Data files shipped next to the bundle (package.json `files` lists the folder): the import stays
 * in the bundle as a relative import of the copy, resolved against dist/bench.js at run time.
 */
const SIDE_FILES = [
  { specifier: 'js-tiktoken/ranks/o200k_base', file: 'tiktoken/o200k_base.js' },
  { specifier: 'js-tiktoken/ranks/cl100k_base', file: 'tiktoken/cl100k_base.js' },
];

/** esbuild plugin: SIDE_FILES imports stay external; `copies` (a Map) receives file → source path. */
function sideFilesPlugin(copies) {
  return {
    name: 'bench-side-files',
    setup(b) {
      b.onResolve({ filter: /^js-tiktoken\/ranks\// }, async (args) => {
        const side = SIDE_FILES.find((s) => s.specifier === args.path);
        if (!side || args.pluginData === 'bench-side-files') return undefined;
        // The file esbuild would have bundled (the package's ESM build of the ranks).
        const resolved = await b.resolve(args.path, {
          kind: args.kind,
          importer: args.importer,
          resolveDir: args.resolveDir,
          pluginData: 'bench-side-files',
        });
        if (resolved.errors.length > 0) return { errors: resolved.errors };
        copies.set(side.file, resolved.path);
        return { path: `./${side.file}`, external: true };
      });
    },
  };
}

/**
 * CommonJS packages the run needs only after its first frame, or never (keyless signing): between
 * them ~80 ms of module code run at start-up (undici's index evaluates all of fetch, WebSocket and
 * the mock agent, and its cookie module loads Node's own copy of undici through the Headers global;
 * @sigstore/sign brings make-fetch-happen, cacache and glob; hdr-histogram-js inflates its
 * WebAssembly) and ~1.5 MB of code that V8 parses at every start (~25 ms). Each group is bundled on
 * its own and carried inside dist/bench.js as a string, evaluated (vm.runInThisContext) the first
 * time one of its exports is used. Imports from this project's sources only; the groups share no
 * package with the rest of the bundle.
 */
export const LAZY_GROUPS = {
  undici: ['undici'],
  sigstore: ['@sigstore/bundle', '@sigstore/protobuf-specs', '@sigstore/sign', '@sigstore/verify'],
  hdr: ['hdr-histogram-js'],
};

/** Bundles one group as CommonJS: module.exports = { [package]: its exports }. */
async function bundleGroup(packages) {
  const result = await build({
    stdin: {
      contents: `module.exports = {${packages.map((p) => `${JSON.stringify(p)}: require(${JSON.stringify(p)})`).join(', ')}};`,
      resolveDir: root,
      loader: 'js',
    },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    minifyWhitespace: true,
    minifySyntax: true,
    legalComments: 'none',
    logLevel: 'warning',
    write: false,
    plugins: [jsonAsStringPlugin()],
  });
  return result.outputFiles[0].text;
}

/**
 * esbuild plugin: an import of a LAZY_GROUPS package from src/ gets a stand-in module with the
 * package's export names (read at build time) as getters that evaluate the group on first access.
 * esbuild's interop reads an imported binding at its use (`(0, import_undici.request)(…)`), so a
 * use inside a function loads the group when that function first runs.
 */
export function lazyGroupsPlugin() {
  const requireHere = createRequire(import.meta.url);
  const groupOf = new Map(
    Object.entries(LAZY_GROUPS).flatMap(([group, pkgs]) => pkgs.map((p) => [p, group])),
  );
  return {
    name: 'bench-lazy-groups',
    setup(b) {
      const filter = new RegExp(
        `^(${[...groupOf.keys()].map((p) => p.replace(/[/.]/g, '\\$&')).join('|')})$`,
      );
      b.onResolve({ filter }, (args) =>
        args.namespace === 'file' && !args.importer.includes(`${sep}node_modules${sep}`)
          ? { path: args.path, namespace: 'bench-lazy' }
          : undefined,
      );
      b.onResolve({ filter: /^bench-lazy-group:/ }, (args) => ({
        path: args.path.slice('bench-lazy-group:'.length),
        namespace: 'bench-lazy-group',
      }));
      b.onLoad({ filter: /.*/, namespace: 'bench-lazy' }, (args) => {
        const real = requireHere(args.path);
        const names = Object.keys(real).filter((name) => name !== 'default');
        const esModule = real.__esModule === true;
        return {
          contents: `const group = require(${JSON.stringify(`bench-lazy-group:${groupOf.get(args.path)}`)});
let real;
const load = () => (real ??= group.load()[${JSON.stringify(args.path)}]);
${esModule ? "Object.defineProperty(exports, '__esModule', { value: true });\n" : ''}for (const name of ${JSON.stringify(names)})
  Object.defineProperty(exports, name, { enumerable: true, get: () => load()[name] });
`,
          loader: 'js',
          resolveDir: root,
        };
      });
      b.onLoad({ filter: /.*/, namespace: 'bench-lazy-group' }, async (args) => {
        const code = await bundleGroup(LAZY_GROUPS[args.path]);
        return {
          contents: `const { runInThisContext } = require('node:vm');
const code = ${JSON.stringify(code)};
let loaded;
exports.load = () => {
  if (loaded === undefined) {
    const module = { exports: {} };
    const wrapper = runInThisContext('(function (exports, require, module) {' + code + '\\n})', {
      filename: 'inferencebench:${args.path}.js',
    });
    wrapper.call(module.exports, module.exports, require, module);
    loaded = module.exports;
  }
  return loaded;
};
`,
          loader: 'js',
          resolveDir: root,
        };
      });
    },
  };
}

/**
 * esbuild plugin: yoga-layout (Ink's layout engine) embeds its WebAssembly as a data: URL and, where
 * `fetch` exists, loads it with fetch(), which in Node loads the whole built-in fetch stack (http2,
 * tls, web streams: ~30 ms before the console's first frame). Decode it directly instead, as the
 * same loader does where there is no fetch. The build fails if the loader no longer has that line.
 */
function yogaNoFetchPlugin() {
  const FETCH_TEST = 'return w||"function"!=typeof fetch?';
  return {
    name: 'bench-yoga-no-fetch',
    setup(b) {
      b.onLoad(
        { filter: /[\\/]yoga-layout[\\/]dist[\\/]binaries[\\/]yoga-wasm-base64-esm\.js$/ },
        async (args) => {
          const text = await readFile(args.path, 'utf8');
          if (!text.includes(FETCH_TEST))
            throw new Error(
              `${args.path}: the wasm loader changed; update yogaNoFetchPlugin in scripts/build.mjs`,
            );
          return { contents: text.replace(FETCH_TEST, 'return w||!0?'), loader: 'js' };
        },
      );
    },
  };
}

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
  plugins: [reportAssetsPlugin(), jsonAsStringPlugin()],
};

/** The manifest bin/bench.js checks in a checkout: the bundle is fresh while none of these changed. */
export const INPUTS_MANIFEST = '.bench-inputs.json';

/**
 * Builds outdir/bench.js, its side files, and outdir/.bench-inputs.json: the checkout files the
 * bundle was built from (sources, fixtures, the report page's sources, the build scripts, the
 * lockfile) and their folders (a file added or removed changes its folder's mtime).
 */
export async function buildCli(outdir = process.env.BENCH_BUILD_OUT ?? 'dist') {
  const reportInputs = new Set();
  const copies = new Map();
  const result = await build({
    ...bundleOptions,
    minifyWhitespace: true,
    minifySyntax: true,
    metafile: true,
    plugins: [
      reportAssetsPlugin({ inputs: reportInputs }),
      jsonAsStringPlugin(),
      sideFilesPlugin(copies),
      lazyGroupsPlugin(),
      yogaNoFetchPlugin(),
    ],
    entryPoints: { bench: fileURLToPath(new URL('../src/app/main.ts', import.meta.url)) },
    outdir,
  });
  // BENCH_BUILD_META=file: esbuild's metafile, to see what the bundle is made of (esbuild --analyze).
  if (process.env.BENCH_BUILD_META)
    await writeFile(process.env.BENCH_BUILD_META, JSON.stringify(result.metafile));
  for (const [file, source] of copies) {
    await mkdir(dirname(join(outdir, file)), { recursive: true });
    await copyFile(source, join(outdir, file));
  }
  const files = new Set(['package-lock.json']);
  for (const script of ['build.mjs', 'report-assets.mjs', 'empty-module.mjs']) files.add(`scripts/${script}`);
  for (const input of [...Object.keys(result.metafile.inputs), ...reportInputs]) {
    if (/^[\w-]+:/.test(input)) continue; // a plugin's virtual module (namespace:path)
    const path = relative(root, join(process.cwd(), input)).split('\\').join('/');
    if (!path.startsWith('..') && !path.includes('node_modules/')) files.add(path);
  }
  const dirs = new Set([...files].map((f) => dirname(f)).filter((d) => d !== '.'));
  await writeFile(
    join(outdir, INPUTS_MANIFEST),
    `${JSON.stringify({ files: [...files].sort(), dirs: [...dirs].sort(), outputs: [...copies.keys()].sort() })}\n`,
  );
  return `${outdir}/bench.js`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildCli();
