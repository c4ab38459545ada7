#!/usr/bin/env node
// The `bench` command. An installed package runs the bundle, dist/bench.js (one file of code, built by
// `npm run build`; npm's prepack builds it). A source checkout — src/app/main.ts present and tsx
// resolvable — runs the bundle too, rebuilding it first when any file it was built from changed
// (esbuild takes a fraction of a second; transpiling the sources through tsx at every start took
// seconds before the first frame). If that build fails, or with BENCH_FROM_SOURCE=1, the sources run
// through tsx.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bundle = join(root, 'dist', 'bench.js');
const argv = process.argv.slice(2);

// `bench --version` answers from package.json, without parsing the bundle.
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  process.stdout.write(`${JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version}\n`);
} else {
  const forced = process.env.BENCH_FROM_SOURCE === '1';
  // A checkout whose bundle is fresh runs it without looking further (tsx is resolved only when
  // the sources may run): start-up to the first frame counts every millisecond.
  const sources = existsSync(join(root, 'src', 'app', 'main.ts'));
  if (sources && (forced || !bundleIsFresh()) && tsxResolvable() && (forced || !(await rebuild()))) {
    const { register } = await import('tsx/esm/api');
    register();
    await import(new URL('../src/app/main.ts', import.meta.url).href);
  } else if (existsSync(bundle)) {
    await import(pathToFileURL(bundle).href);
  } else {
    process.stderr.write(`bench: ${bundle} is missing: run \`npm run build\` in ${root}\n`);
    process.exitCode = 2;
  }
}

/** A checkout has tsx (a devDependency); an installed package with a stray src/ does not. */
function tsxResolvable() {
  try {
    createRequire(import.meta.url).resolve('tsx/esm/api');
    return true;
  } catch {
    return false;
  }
}

/**
 * The bundle is newer than every file it was built from. scripts/build.mjs lists them, with their
 * folders (a file added or removed changes its folder's mtime), in dist/.bench-inputs.json; a stat
 * each takes a few milliseconds, where walking src/ and fixtures/ took tens.
 */
function bundleIsFresh() {
  let builtMs;
  let manifest;
  try {
    builtMs = statSync(bundle).mtimeMs;
    manifest = JSON.parse(readFileSync(join(root, 'dist', '.bench-inputs.json'), 'utf8')); // INPUTS_MANIFEST
  } catch {
    return false;
  }
  const outputsPresent = manifest.outputs.every((file) => existsSync(join(root, 'dist', file)));
  return (
    outputsPresent &&
    [...manifest.files, ...manifest.dirs].every((path) => {
      const stat = statSync(join(root, path), { throwIfNoEntry: false });
      // A file the bundle was built from is gone: rebuild (its importer must have changed too).
      return stat !== undefined && stat.mtimeMs <= builtMs;
    })
  );
}

/** Rebuilds dist/bench.js from the sources (into a private folder, then renamed into place). */
async function rebuild() {
  const script = join(root, 'scripts', 'build.mjs');
  if (!existsSync(script)) return false;
  const staging = join(root, 'dist', `.build-${process.pid}`);
  try {
    const { buildCli, INPUTS_MANIFEST } = await import(pathToFileURL(script).href);
    await buildCli(staging);
    // The data files beside the bundle and the manifest first, the bundle last.
    const { outputs } = JSON.parse(readFileSync(join(staging, INPUTS_MANIFEST), 'utf8'));
    for (const file of [...outputs, INPUTS_MANIFEST]) {
      mkdirSync(dirname(join(root, 'dist', file)), { recursive: true });
      renameSync(join(staging, file), join(root, 'dist', file));
    }
    renameSync(join(staging, 'bench.js'), bundle);
    return true;
  } catch {
    return false; // esbuild has printed why; the sources run instead
  } finally {
    rmSync(staging, { recursive: true, force: true });
    await import('esbuild').then((esbuild) => esbuild.stop?.()).catch(() => undefined);
  }
}
