// Spawns the bundled CLI built by test/global-setup.ts. Async on purpose: tests often host the engine
// in their own process, and a blocking spawn would freeze it.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export const cliPath = (): string =>
  process.env.BENCH_TEST_CLI ?? fileURLToPath(new URL('../../dist/bench.js', import.meta.url));

export function runBench(
  args: readonly string[],
  options: { timeoutMs?: number; env?: NodeJS.ProcessEnv; cwd?: string; cli?: string } = {},
): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [options.cli ?? cliPath(), ...args], {
      cwd: options.cwd ?? fileURLToPath(new URL('../..', import.meta.url)),
      env: { ...process.env, NO_COLOR: '1', CI: '1', ...options.env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 90_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
