// The unit project runs without network, child processes or worker threads: a test that needs them
// belongs in test/integration (loopback servers, the embedded engine) or test/e2e (the CLI).
import childProcess from 'node:child_process';
import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';
import workerThreads from 'node:worker_threads';

function refuse(what: string): never {
  throw new Error(
    `unit tests may not use ${what}: move this test to test/integration or test/e2e (ARCHITECTURE.md, "Tests")`,
  );
}

net.Server.prototype.listen = function listen(): never {
  refuse('a listening socket');
};
net.Socket.prototype.connect = function connect(): never {
  refuse('an outgoing connection');
};
for (const name of ['spawn', 'fork', 'exec', 'execFile', 'spawnSync', 'execSync', 'execFileSync'] as const) {
  (childProcess as unknown as Record<string, unknown>)[name] = () => refuse(`child_process.${name}`);
}
(workerThreads as unknown as { Worker: unknown }).Worker = class {
  constructor() {
    refuse('a worker thread');
  }
};
syncBuiltinESMExports();
