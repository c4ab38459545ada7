// Builds fixtures/nvml/fake_nvml.c into a shared library with gcc (once per test process) and
// makes one directory per scenario (a copy of the .so + its fake_nvml.conf), so each scenario is
// a distinct dlopen'd instance with its own clock and counters.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SOURCE = fileURLToPath(new URL('../../../fixtures/nvml/fake_nvml.c', import.meta.url));
let built: string | null = null;

export function buildFakeNvml(): string {
  if (built) return built;
  const dir = mkdtempSync(join(tmpdir(), 'fake-nvml-build-'));
  const out = join(dir, 'libnvidia-ml.so.1');
  execFileSync('gcc', ['-shared', '-fPIC', '-O2', '-Wall', '-Werror', '-o', out, SOURCE]);
  built = out;
  return out;
}

/** A scenario: returns the path of a fresh libnvidia-ml.so.1 whose fake_nvml.conf holds `conf`. */
export function fakeNvml(conf: Record<string, string | number> = {}): string {
  const so = buildFakeNvml();
  const dir = mkdtempSync(join(tmpdir(), 'fake-nvml-'));
  const lib = join(dir, 'libnvidia-ml.so.1');
  copyFileSync(so, lib);
  writeFileSync(
    join(dir, 'fake_nvml.conf'),
    Object.entries(conf)
      .map(([k, v]) => `${k}=${v}`)
      .join('\n') + '\n',
  );
  return lib;
}
