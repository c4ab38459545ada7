// bench k8s coordinator's loop on loopback: shards join, pass the barriers, upload their signed
// envelopes, and the coordinator merges them; a failing shard fails the run at once.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { coordinate } from '../../../src/app/shard/coordinate.js';
import {
  envelopeFileText,
  generateDevKeyPair,
  signEnvelope,
  verifyEnvelopeFile,
} from '../../../src/envelope/index.js';
import { CoordinatorClient } from '../../../src/harness/shard/coordinator-client.js';
import { shardItems } from '../../../src/harness/shard/plan.js';
import { tempDir } from '../../unit/commands/helpers.js';
import { syntheticRecords, WINDOW } from '../../unit/shard/records.js';
import { RUN_ID, unsignedShardEnvelope } from '../../unit/shard/shard-envelopes.js';

let dir: string;
let keyPath: string;
beforeAll(async () => {
  dir = await tempDir('bench-coord-');
  keyPath = join(dir, 'cosign.key');
  await generateDevKeyPair(keyPath);
});

function start(output: string, shards: number) {
  let resolveUrl!: (url: string) => void;
  const url = new Promise<string>((resolve) => (resolveUrl = resolve));
  const done = coordinate({
    shards,
    runId: RUN_ID,
    host: '127.0.0.1',
    port: 0,
    outputDir: output,
    stdout: false,
    barrierTimeoutS: 20,
    timeoutS: 60,
    devKeyPath: keyPath,
    signingMode: 'dev',
    windowToleranceMs: 50,
    log: () => {},
    onListening: resolveUrl,
  });
  return { url, done };
}

describe('bench k8s coordinator', () => {
  it('collects every shard envelope and writes a verified merged envelope', async () => {
    const output = join(dir, 'ok');
    const { url, done } = start(output, 3);
    const records = syntheticRecords(600, 3);
    const base = await url;
    await Promise.all(
      [0, 1, 2].map(async (index) => {
        const shard = { index, count: 3 };
        const client = new CoordinatorClient({ url: base, runId: RUN_ID, shard });
        await client.join(5000);
        await client.syncClock(2);
        await client.barrier('start');
        await client.barrier('end');
        const unsigned = unsignedShardEnvelope({
          shard,
          records: shardItems(records, shard),
          window: WINDOW,
        });
        const { envelope } = await signEnvelope(unsigned, { mode: 'dev', keyPath });
        await client.upload(envelopeFileText(envelope));
      }),
    );
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = () => true;
    try {
      expect(await done).toBe(0);
    } finally {
      process.stdout.write = write;
    }
    const merged = (await readdir(output)).filter((f) => f.startsWith('merged-'));
    expect(merged).toHaveLength(1);
    expect((await verifyEnvelopeFile(join(output, merged[0] as string), {})).ok).toBe(true);
    expect((await readdir(join(output, `shards-${RUN_ID}`))).sort()).toEqual([
      'shard-0.json',
      'shard-1.json',
      'shard-2.json',
    ]);
  });

  it('fails the run as soon as a shard reports failure, releasing the waiting shards', async () => {
    const { url, done } = start(join(dir, 'fail'), 2);
    const settled = done.then(
      () => null,
      (error: unknown) => error,
    );
    const base = await url;
    const a = new CoordinatorClient({ url: base, runId: RUN_ID, shard: { index: 0, count: 2 } });
    const b = new CoordinatorClient({ url: base, runId: RUN_ID, shard: { index: 1, count: 2 } });
    await a.join();
    await b.join();
    const waiting = a.barrier('start');
    await b.fail('engine unreachable');
    await expect(waiting).rejects.toThrow(/shard 1 failed/);
    expect(await settled).toMatchObject({
      exitCode: 1,
      message: expect.stringMatching(/shard 1 failed: engine unreachable/),
    });
  });
});
