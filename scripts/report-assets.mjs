// The `bench report` page script: src/app/report/html/client/main.ts bundled with Observable Plot
// for the browser (one minified IIFE, inlined into every report).
// - Release builds: `reportAssetsPlugin()` (in bundleOptions) replaces the module
//   src/app/report/html/clientAsset.ts with one that returns the bundled script as a string
//   constant, so dist/ carries the asset and never needs esbuild at run time.
// - A checkout without a build: clientAsset.ts calls `cachedReportClient()`, which bundles on first
//   use into .tmp/report-client/<hash>.js (hash of the client sources and tool versions).
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const htmlDir = `${root}src/app/report/html/`;
const entry = `${htmlDir}client/main.ts`;

const LICENSE_BANNER =
  '/*! bench report page script. Bundles Observable Plot (Copyright 2020-2025 Observable, Inc.), d3 and ' +
  'isoformat (Copyright 2010-2026 Mike Bostock), all ISC license: Permission to use, copy, modify, and/or ' +
  'distribute this software for any purpose with or without fee is hereby granted, provided that the above ' +
  'copyright notice and this permission notice appear in all copies. */';

/** Bundles the page script; returns its code. `inputs` (a Set), if given, receives its source files. */
export async function bundleReportClient(inputs) {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    platform: 'browser',
    format: 'iife',
    target: 'es2020',
    minify: true,
    legalComments: 'none',
    // The bundled libraries are ISC-licensed, which asks that the notice travel with copies.
    banner: { js: LICENSE_BANNER },
    logLevel: 'warning',
    metafile: inputs !== undefined,
  });
  for (const input of Object.keys(result.metafile?.inputs ?? {})) inputs?.add(input);
  return result.outputFiles[0].text;
}

async function sourceHash() {
  const hash = createHash('sha256');
  const files = [
    `${htmlDir}model.ts`,
    ...(await readdir(`${htmlDir}client`)).sort().map((f) => `${htmlDir}client/${f}`),
  ];
  for (const file of files) hash.update(file).update(await readFile(file));
  for (const pkg of ['@observablehq/plot', 'esbuild']) {
    const meta = JSON.parse(await readFile(`${root}node_modules/${pkg}/package.json`, 'utf8'));
    hash.update(`${pkg}@${meta.version}`);
  }
  hash.update(await readFile(fileURLToPath(import.meta.url)));
  return hash.digest('hex').slice(0, 16);
}

/** Checkout path: the bundled script from .tmp/report-client/, bundling it when stale or absent. */
export async function cachedReportClient() {
  const dir = `${root}.tmp/report-client`;
  const file = `${dir}/${await sourceHash()}.js`;
  try {
    return await readFile(file, 'utf8');
  } catch {
    const code = await bundleReportClient();
    await mkdir(dir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, code);
    await rename(tmp, file);
    return code;
  }
}

/**
 * esbuild plugin: inline the bundled page script into clientAsset.ts (one bundle per build).
 * `options.inputs` (a Set) receives the page script's source files (bin/bench.js's freshness check).
 */
export function reportAssetsPlugin(options = {}) {
  let code;
  return {
    name: 'bench-report-assets',
    setup(b) {
      b.onLoad({ filter: /[\\/]report[\\/]html[\\/]clientAsset\.ts$/ }, async () => {
        code ??= await bundleReportClient(options.inputs);
        return {
          contents: `export async function reportClientScript() { return ${JSON.stringify(code)}; }\n`,
          loader: 'js',
        };
      });
    },
  };
}
