#!/usr/bin/env node
// From a clone (src/ present) this runs the TypeScript sources through tsx, so edits take effect at
// once; an installed package (no src/) runs the bundle from `npm run build` (dist/bench.js).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const sources = fileURLToPath(new URL('../src/app/main.ts', import.meta.url));
if (existsSync(sources)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('../src/app/main.ts', import.meta.url).href);
} else {
  await import(new URL('../dist/bench.js', import.meta.url).href);
}
