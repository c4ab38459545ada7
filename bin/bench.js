#!/usr/bin/env node
// The `bench` command. An installed package runs the bundle, dist/bench.js (one file, built by
// `npm run build`; npm's prepack builds it). A source checkout — src/app/main.ts present and tsx
// resolvable — runs the bundle too when it is newer than every source file (it starts in a fraction
// of tsx's time), and otherwise the TypeScript sources through tsx, so edits take effect at once.
// BENCH_FROM_SOURCE=1 always runs the sources.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bundle = join(root, 'dist', 'bench.js');
const argv = process.argv.slice(2);

// `bench --version` answers from package.json, without parsing the bundle.
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  process.stdout.write(`${JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version}\n`);
} else if (sourceCheckout() && (process.env.BENCH_FROM_SOURCE === '1' || !bundleIsFresh())) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('../src/app/main.ts', import.meta.url).href);
} else if (existsSync(bundle)) {
  await import(new URL('../dist/bench.js', import.meta.url).href);
} else {
  process.stderr.write(`bench: ${bundle} is missing: run \`npm run build\` in ${root}\n`);
  process.exitCode = 2;
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

/** The bundle is newer than every file it is built from (src/, the build script, the lockfile). */
function bundleIsFresh() {
  let builtMs;
  try {
    builtMs = statSync(bundle).mtimeMs;
  } catch {
    return false;
  }
  const inputs = [join(root, 'package-lock.json'), join(root, 'scripts', 'build.mjs')];
  for (const entry of readdirSync(join(root, 'src'), { recursive: true }))
    inputs.push(join(root, 'src', entry));
  return inputs.every((path) => {
    try {
      return statSync(path).mtimeMs <= builtMs;
    } catch {
      return true;
    }
  });
}
