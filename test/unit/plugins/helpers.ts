// Installs fixture plugin packages into a temporary node_modules for discovery tests.
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const FIXTURE_PLUGINS = fileURLToPath(new URL('../../../fixtures/plugins/', import.meta.url));

export interface TempProject {
  readonly root: string;
  readonly nodeModules: string;
  install(fixture: string, packageName: string): string;
  cleanup(): void;
}

export function makeTempProject(): TempProject {
  const root = mkdtempSync(join(tmpdir(), 'bench-plugins-'));
  const nodeModules = join(root, 'node_modules');
  mkdirSync(nodeModules);
  return {
    root,
    nodeModules,
    install(fixture, packageName) {
      const target = join(nodeModules, ...packageName.split('/'));
      cpSync(join(FIXTURE_PLUGINS, fixture), target, { recursive: true });
      return target;
    },
    cleanup() {
      rmSync(root, { recursive: true, force: true });
    },
  };
}
