// End-to-end: spawn the real CLI for the envelope commands (summary, compare, diff, export, fetch,
// doctor) and check output shape and exit codes (0 ok · 1 a check failed · 2 input unusable).
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url).pathname;
const fixtures = join(root, 'fixtures/inferencebench-envelopes');

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

function bench(args: readonly string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', join(root, 'src/app/main.ts'), ...args],
      { cwd: root, encoding: 'utf8', timeout: 120_000, env: { ...process.env, NO_COLOR: '1', ...env } },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe('envelope commands through the real CLI', () => {
  it('summary, diff --strict, compare --verify, fetch and doctor', { timeout: 180_000 }, async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'bench-e2e-cmd-'));
    const tampered = join(tmp, 'tampered.json');
    writeFileSync(
      tampered,
      readFileSync(join(fixtures, 'c4-95cbfd4f49dc.json'), 'utf8').replace('"seed": 42', '"seed": 1'),
    );
    const c1 = join(fixtures, 'c1-79d354b13545.json');
    const c4 = join(fixtures, 'c4-95cbfd4f49dc.json');
    // Spawned together: each start-up costs seconds under tsx.
    const [summary, diffStrict, compareVerify, fetchScheme, doctor] = await Promise.all([
      bench(['summary', fixtures]),
      bench(['diff', c1, c4, '--strict']),
      bench(['compare', c1, tampered, '--verify']),
      bench(['fetch', 's3://bucket/envelope.json']),
      bench(['doctor', '--show-slo']),
    ]);

    expect(summary.code).toBe(0);
    expect(summary.stdout).toMatch(/^llm\.inference\.chatbot-short \(4 runs\)$/m);
    expect(summary.stdout.trimEnd().split('\n').at(-1)).toBe(
      '6 envelopes loaded, 0 skipped (validation failure), 3 suites',
    );

    expect(diffStrict.code).toBe(1);
    expect(diffStrict.stdout).toMatch(/^ttft_p50_ms .* regression$/m);
    expect(diffStrict.stdout).toMatch(/STRICT: 8 regression\(s\) → exit 1/);

    expect(compareVerify.code).toBe(1);
    expect(compareVerify.stdout).toBe('');
    expect(compareVerify.stderr).toMatch(/^FAIL {2}.*tampered\.json$/m);

    expect(fetchScheme.code).toBe(2);
    expect(fetchScheme.stderr).toMatch(/^bench: unsupported URI scheme "s3:"/);

    // This machine has no NVIDIA GPU: GPU checks are skipped with a line saying so, exit 0.
    expect(doctor.code).toBe(0);
    expect(doctor.stdout).toMatch(/^No NVIDIA GPU visible \(.*\): GPU checks skipped\.$/m);
    expect(doctor.stdout).toMatch(/^Check\s+Status\s+Detail$/m);
    expect(doctor.stdout).toMatch(/^OK — /m);
    expect(doctor.stdout).toMatch(/slo_template_resolved="ttft<300ms, tpot<50ms"/);
  });
});
