// The CLI bundle carries the Sigstore packages as a string, evaluated on first use
// (scripts/build.mjs, LAZY_GROUPS): keyless signing and verification must work through that path,
// not only from the sources. A script bundled the way the CLI is signs against mock Fulcio + Rekor
// on loopback and verifies offline with the mock's trusted root.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { bundleOptions, lazyGroupsPlugin } from '../../../scripts/build.mjs';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
// Inside the repository (.tmp is git-ignored) so that the script's relative imports resolve.
const dir = mkdtempSync(join(ROOT, '.tmp', 'keyless-bundle-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('keyless signing from the bundle (Sigstore evaluated lazily from a string)', () => {
  it('signs against mock Fulcio + Rekor and verifies with the trusted root and an identity policy', async () => {
    const entry = join(dir, 'entry.ts');
    writeFileSync(
      entry,
      `import { mkdtemp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { signEnvelope, verifyEnvelopeFile, writeEnvelope } from '../../src/envelope/index.js';
import { sampleUnsignedEnvelope } from '../../test/unit/envelope/sample-envelope.js';
import { startMockSigstore } from '../../test/integration/envelope/sigstore-mock-server.js';
const mock = await startMockSigstore();
try {
  const rootPath = join(process.argv[2], 'trusted_root.json');
  await writeFile(rootPath, JSON.stringify(mock.trustedRoot));
  const identity = 'https://github.com/acme/bench/.github/workflows/bench.yml@refs/heads/main';
  const { envelope } = await signEnvelope(sampleUnsignedEnvelope(), {
    mode: 'keyless', idToken: mock.tokenFor(identity), fulcioUrl: mock.fulcioUrl, rekorUrl: mock.rekorUrl,
  });
  const path = await writeEnvelope(process.argv[2], 'c4-', envelope);
  const result = await verifyEnvelopeFile(path, { trustedRootPath: rootPath, identityPattern: '^https://github\\\\.com/acme/bench/.*$' });
  console.log(JSON.stringify({ method: envelope.signature?.method, ok: result.ok, trust: result.trust, identity: result.identity }));
} finally {
  await mock.close();
}
`,
    );
    const out = join(dir, 'bundle.mjs');
    await build({
      ...bundleOptions,
      plugins: [...(bundleOptions.plugins ?? []), lazyGroupsPlugin()],
      entryPoints: [entry],
      outfile: out,
      external: ['koffi', '@sigstore/mock'],
      logLevel: 'silent',
    });
    // The Sigstore code is in the bundle as a string, evaluated under its own file name.
    expect(readFileSync(out, 'utf8').includes('inferencebench:sigstore.js')).toBe(true);
    const stdout = execFileSync(process.execPath, [out, dir], { encoding: 'utf8', timeout: 60_000 });
    expect(JSON.parse(stdout)).toEqual({
      method: 'sigstore-cosign',
      ok: true,
      trust: 'trusted',
      identity: 'https://github.com/acme/bench/.github/workflows/bench.yml@refs/heads/main',
    });
  }, 120_000);
});
