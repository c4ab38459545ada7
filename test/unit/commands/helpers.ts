// Test helpers: envelopes derived from the InferenceBench fixtures, re-signed with a fresh dev key
// through the real envelope API (sign → write → read back).
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  generateDevKeyPair,
  signEnvelope,
  writeEnvelope,
  type UnsignedEnvelope,
} from '../../../src/envelope/index.js';

export const FIXTURES = join(import.meta.dirname, '../../../fixtures/inferencebench-envelopes');

export const FIXTURE_FILES = [
  '010e9504589b.json',
  '15f036c3e160.json',
  'c1-79d354b13545.json',
  'c16-b91875fdf860.json',
  'c4-95cbfd4f49dc.json',
  'f06278fb9eb4.json',
] as const;

export function fixturePath(name: string): string {
  return join(FIXTURES, name);
}

export async function readFixture(name: string): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(fixturePath(name), 'utf8')) as Record<string, unknown>;
}

export async function tempDir(prefix = 'bench-cmd-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

type Patch = (envelope: Record<string, unknown> & { metrics: Record<string, unknown> }) => void;

/** A fixture with `signature: null`, a fresh run_id suffix untouched, and the patch applied. */
export async function derived(name: string, patch?: Patch): Promise<Record<string, unknown>> {
  const env = (await readFixture(name)) as Record<string, unknown> & { metrics: Record<string, unknown> };
  env.signature = null;
  env.metrics = { ...env.metrics };
  patch?.(env);
  return env;
}

export interface Signer {
  keyPath: string;
  sign(dir: string, prefix: string, unsigned: object): Promise<string>;
}

export async function makeSigner(dir: string): Promise<Signer> {
  const keyPath = join(dir, 'cosign.key');
  await generateDevKeyPair(keyPath);
  return {
    keyPath,
    async sign(outDir, prefix, unsigned) {
      // Fixtures derived from envelopes on disk: the schema check inside signEnvelope judges them.
      const { envelope } = await signEnvelope(unsigned as UnsignedEnvelope, { mode: 'dev', keyPath });
      return writeEnvelope(outDir, prefix, envelope);
    },
  };
}
