// Starts bench/engine-child.ts (the embedded engine, 'nodelay') in a child process, so the client
// under test gets its own core. Shared by the ingest and pacer benchmarks.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface ForkedEngine {
  readonly baseUrl: string;
  readonly modelId: string;
  eventsWritten(): Promise<number>;
  close(): Promise<void>;
}

export async function forkEngine(maxTokens: number): Promise<ForkedEngine> {
  const script = fileURLToPath(new URL('./engine-child.ts', import.meta.url));
  const child = fork(script, [String(maxTokens)], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ready = await new Promise<{ baseUrl: string; modelId: string }>((resolve, reject) => {
    child.once('message', (m) => resolve(m as { baseUrl: string; modelId: string }));
    child.once('error', reject);
  });
  return {
    ...ready,
    eventsWritten: () =>
      new Promise((resolve) => {
        child.once('message', (m) => resolve((m as { eventsWritten: number }).eventsWritten));
        child.send('counters');
      }),
    close: async () => {
      child.send('close');
      await new Promise((resolve) => child.once('exit', resolve));
    },
  };
}
