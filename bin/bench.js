#!/usr/bin/env node
// The `bench` command. An installed package runs the bundle, dist/bench.js (one file, built by
// `npm run build`; npm's prepack builds it). A source checkout — src/app/main.ts present and tsx
// resolvable — runs the bundle too, rebuilding it first when any source file is newer (esbuild takes
// a fraction of a second; transpiling the sources through tsx at every start took seconds before
// the first frame). If that build fails, or with BENCH_FROM_SOURCE=1, the sources run through tsx.
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bundle = join(root, 'dist', 'bench.js');
const argv = process.argv.slice(2);

// `bench --version` answers from package.json, without parsing the bundle.
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  process.stdout.write(`${JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version}\n`);
} else {
  const checkout = sourceCheckout();
  if (checkout && (process.env.BENCH_FROM_SOURCE === '1' || !(bundleIsFresh() || (await rebuild())))) {
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

function sourceCheckout() {
  if (!existsSync(join(root, 'src', 'app', 'main.ts'))) return false;
  try {
    createRequire(import.meta.url).resolve('tsx/esm/api');
    return true;
  } catch {
    return false;
  }
}

/** The bundle is newer than every file it may be built from (src/, fixtures/, build script, lockfile). */
function bundleIsFresh() {
  let builtMs;
  try {
    builtMs = statSync(bundle).mtimeMs;
  } catch {
    return false;
  }
  const inputs = [join(root, 'package-lock.json'), join(root, 'scripts', 'build.mjs')];
  // fixtures/: the tokenizer, datasets, SLO templates and engine catalog are imported into the bundle.
  for (const dir of ['src', 'fixtures']) {
    if (!existsSync(join(root, dir))) continue;
    for (const entry of readdirSync(join(root, dir), { recursive: true }))
      inputs.push(join(root, dir, entry));
  }
  return inputs.every((path) => {
    try {
      return statSync(path).mtimeMs <= builtMs;
    } catch {
      return true;
    }
  });
}

/** Rebuilds dist/bench.js from the sources (into a private folder, then renamed into place). */
async function rebuild() {
  const script = join(root, 'scripts', 'build.mjs');
  if (!existsSync(script)) return false;
  const staging = join(root, 'dist', `.build-${process.pid}`);
  try {
    const { buildCli } = await import(pathToFileURL(script).href);
    await buildCli(staging);
    renameSync(join(staging, 'bench.js'), bundle);
    return true;
  } catch {
    return false; // esbuild has printed why; the sources run instead
  } finally {
    rmSync(staging, { recursive: true, force: true });
    await import('esbuild').then((esbuild) => esbuild.stop?.()).catch(() => undefined);
  }
}
