// `bench k8s coordinator`: serves one sharded run's coordinator until every shard has uploaded its
// envelope (or one failed, or time ran out), then merges them. Exit 0 merged, 1 the run failed.
import { mkdir, mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCoordinator, type CoordinatorServer } from '../../harness/shard/coordinator.js';
import { runMerge } from '../commands/merge.js';
import { MergeError } from './merge.js';

export interface CoordinateOptions {
  readonly shards: number;
  readonly runId: string;
  readonly host: string;
  readonly port: number;
  /** Shard envelopes and the merged one go here; null = a temporary folder (with stdout). */
  readonly outputDir: string | null;
  readonly stdout: boolean;
  readonly barrierTimeoutS: number;
  readonly timeoutS: number;
  readonly devKeyPath: string;
  readonly signingMode: 'dev' | 'keyless';
  readonly windowToleranceMs: number;
  readonly log: (line: string) => void;
  /** Called once the server listens (tests use the URL). */
  readonly onListening?: (url: string) => void;
  readonly signal?: AbortSignal;
  /** How long the server stays up after a failure so that waiting shards hear of it (ms, default 1000). */
  readonly lingerMs?: number;
}

async function writeExclusive(path: string, body: Buffer): Promise<void> {
  const handle = await open(path, 'wx', 0o644);
  try {
    await handle.writeFile(body);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export async function coordinate(o: CoordinateOptions): Promise<number> {
  const dir = o.outputDir ?? (await mkdtemp(join(tmpdir(), 'bench-coordinator-')));
  const shardDir = join(dir, `shards-${o.runId}`);
  await mkdir(shardDir, { recursive: true });
  let server: CoordinatorServer | null = null;
  try {
    server = await startCoordinator({
      runId: o.runId,
      count: o.shards,
      host: o.host,
      port: o.port,
      barrierTimeoutMs: o.barrierTimeoutS * 1000,
      onResult: async (index, body) => {
        const path = join(shardDir, `shard-${index}.json`);
        // A retried upload of the same bytes is accepted by the state; keep the first file.
        await writeExclusive(path, body).catch((error: NodeJS.ErrnoException) => {
          if (error.code !== 'EEXIST') throw error;
        });
        o.log(`coordinator: shard ${index} uploaded ${body.length} bytes`);
      },
    });
    o.onListening?.(server.url);
    o.log(`coordinator: run ${o.runId}, ${o.shards} shards, listening on ${server.url}`);
    const state = server.state;
    const outcome = await new Promise<string>((resolve) => {
      const timer = setTimeout(() => resolve(`timed out after ${o.timeoutS} s`), o.timeoutS * 1000);
      const check = (): void => {
        const status = state.status();
        const failed = Object.entries(status.failed)[0];
        const broken = Object.entries(status.barriers).find(([, b]) => b.failed !== null);
        let result: string | null = null;
        if (state.complete) result = 'complete';
        else if (failed !== undefined) result = `shard ${failed[0]} failed: ${failed[1]}`;
        else if (broken !== undefined) result = broken[1].failed;
        if (result !== null) {
          clearTimeout(timer);
          unsubscribe();
          resolve(result);
        }
      };
      const unsubscribe = state.onChange(check);
      o.signal?.addEventListener('abort', () => resolve('stopped'), { once: true });
      check();
    });
    if (outcome !== 'complete') {
      // Let the shards still waiting receive the failure before the server closes.
      await new Promise((resolve) => setTimeout(resolve, o.lingerMs ?? 1000));
      throw new MergeError('E_RUN_FAILED', `run ${o.runId} failed: ${outcome}`, 1);
    }
    o.log('coordinator: every shard uploaded; merging');
    const merged = await runMerge([shardDir], {
      output: dir,
      signingMode: o.signingMode,
      devKey: o.devKeyPath,
      windowTolerance: String(o.windowToleranceMs),
      json: false,
      quiet: o.stdout,
    });
    if (o.stdout) process.stdout.write(await readFile(merged.path, 'utf8'));
    return 0;
  } finally {
    await server?.close();
    if (o.outputDir === null) await rm(dir, { recursive: true, force: true });
  }
}
