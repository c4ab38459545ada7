// bin/bench.js decides what to run: the bundle in an installed package; in a source checkout the
// bundle, rebuilt first when a source file is newer; the sources through tsx when that cannot be
// done or BENCH_FROM_SOURCE=1.
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
let dir: string;

function bench(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [join(dir, 'bin', 'bench.js'), ...args], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, BENCH_FROM_SOURCE: '', ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A package layout in `dir`: bin/bench.js and package.json from the repo, stand-in entry files. */
function layout(parts: { bundle?: boolean; sources?: boolean; tsx?: boolean; buildScript?: boolean }): void {
  mkdirSync(join(dir, 'bin'), { recursive: true });
  copyFileSync(join(ROOT, 'bin', 'bench.js'), join(dir, 'bin', 'bench.js'));
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'inferencebench', version: '9.8.7', type: 'module' }),
  );
  if (parts.bundle) {
    mkdirSync(join(dir, 'dist'));
    writeFileSync(
      join(dir, 'dist', 'bench.js'),
      "process.stdout.write('bundle ' + process.argv.slice(2).join(' '));\n",
    );
  }
  if (parts.sources) {
    mkdirSync(join(dir, 'src', 'app'), { recursive: true });
    writeFileSync(
      join(dir, 'src', 'app', 'main.ts'),
      "const where: string = 'sources';\nprocess.stdout.write(where + ' ' + process.argv.slice(2).join(' '));\n",
    );
  }
  if (parts.bundle && parts.sources) {
    // What scripts/build.mjs writes next to the bundle: the files it was built from, their folders.
    writeFileSync(
      join(dir, 'dist', '.bench-inputs.json'),
      JSON.stringify({ files: ['src/app/main.ts'], dirs: ['src', 'src/app'], outputs: [] }),
    );
  }
  if (parts.tsx) symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  if (parts.buildScript) {
    mkdirSync(join(dir, 'scripts'));
    for (const file of ['build.mjs', 'empty-module.mjs', 'report-assets.mjs'])
      copyFileSync(join(ROOT, 'scripts', file), join(dir, 'scripts', file));
  }
}

const setMtime = (path: string, epochS: number): void => utimesSync(path, epochS, epochS);

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ib-bin-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('bin/bench.js', () => {
  it('installed package (no src/): runs the bundle; --version comes from package.json', () => {
    layout({ bundle: true });
    expect(bench(['list', '--json']).stdout).toBe('bundle list --json');
    expect(bench(['--version'])).toMatchObject({ code: 0, stdout: '9.8.7\n' });
  });

  it('src/ without tsx resolvable is not a checkout: the bundle runs', () => {
    layout({ bundle: true, sources: true });
    expect(bench(['x']).stdout).toBe('bundle x');
  });

  it('checkout: the bundle while it is newer than every file it was built from, else the sources; BENCH_FROM_SOURCE=1 forces them', () => {
    layout({ bundle: true, sources: true, tsx: true });
    const fresh = (): void => {
      for (const path of ['src', 'src/app', 'src/app/main.ts']) setMtime(join(dir, path), 1_000_000);
      setMtime(join(dir, 'dist', 'bench.js'), 2_000_000);
    };
    fresh();
    expect(bench(['x']).stdout).toBe('bundle x');
    expect(bench(['x'], { BENCH_FROM_SOURCE: '1' }).stdout).toBe('sources x');
    setMtime(join(dir, 'src', 'app', 'main.ts'), 3_000_000); // an edit after the build
    expect(bench(['x']).stdout).toBe('sources x');
    // Folders count too: a file added or removed changes its folder's mtime.
    fresh();
    setMtime(join(dir, 'src', 'app'), 3_000_000);
    expect(bench(['x']).stdout).toBe('sources x');
    // A file the bundle was built from is gone.
    fresh();
    rmSync(join(dir, 'src', 'app', 'main.ts'));
    writeFileSync(join(dir, 'src', 'app', 'main.ts'), "process.stdout.write('sources');\n");
    rmSync(join(dir, 'dist', '.bench-inputs.json'));
    fresh();
    expect(bench(['x']).stdout).toBe('sources'); // no manifest: not known to be fresh
    writeFileSync(
      join(dir, 'dist', '.bench-inputs.json'),
      JSON.stringify({ files: ['src/app/gone.ts'], dirs: [], outputs: [] }),
    );
    expect(bench(['x']).stdout).toBe('sources');
    // A file the bundle loads beside it (dist/tiktoken/…) is missing.
    writeFileSync(
      join(dir, 'dist', '.bench-inputs.json'),
      JSON.stringify({ files: ['src/app/main.ts'], dirs: [], outputs: ['tiktoken/o200k_base.js'] }),
    );
    expect(bench(['x']).stdout).toBe('sources');
    mkdirSync(join(dir, 'dist', 'tiktoken'));
    writeFileSync(join(dir, 'dist', 'tiktoken', 'o200k_base.js'), 'export default {};\n');
    expect(bench(['x']).stdout).toBe('bundle x');
  });

  it('checkout with the build script: a stale or missing bundle is rebuilt from the sources, then run', () => {
    layout({ sources: true, tsx: true, buildScript: true });
    writeFileSync(
      join(dir, 'src', 'app', 'main.ts'),
      "const file: string = new URL(import.meta.url).pathname.split('/').pop() ?? '';\nprocess.stdout.write(file + ' ' + process.argv.slice(2).join(' '));\n",
    );
    expect(bench(['x']).stdout).toBe('bench.js x'); // no bundle yet: built, then run
    expect(readFileSync(join(dir, 'dist', 'bench.js'), 'utf8')).toContain('process.argv.slice(2)');
    // The bundle and its input manifest (this main.ts loads no data files beside it); no staging folder.
    expect(readdirSync(join(dir, 'dist')).sort()).toEqual(['.bench-inputs.json', 'bench.js']);
    expect(JSON.parse(readFileSync(join(dir, 'dist', '.bench-inputs.json'), 'utf8'))).toMatchObject({
      files: expect.arrayContaining(['src/app/main.ts', 'package-lock.json', 'scripts/build.mjs']) as unknown,
      dirs: expect.arrayContaining(['src/app']) as unknown,
    });
    setMtime(join(dir, 'dist', 'bench.js'), 1_000_000); // a source edited after the build
    expect(bench(['y']).stdout).toBe('bench.js y');
    expect(statSync(join(dir, 'dist', 'bench.js')).mtimeMs).toBeGreaterThan(1_000_000_000);
    expect(bench(['z'], { BENCH_FROM_SOURCE: '1' }).stdout).toBe('main.ts z');
  });

  it('checkout without a bundle runs the sources; no bundle and no checkout is one clear line, exit 2', () => {
    layout({ sources: true, tsx: true });
    expect(bench(['x']).stdout).toBe('sources x');
    rmSync(join(dir, 'src'), { recursive: true });
    const r = bench(['x']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^bench: .*dist\/bench\.js is missing: run `npm run build`/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});
