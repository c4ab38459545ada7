// bench merge through the bundled CLI: one line on stderr and the documented exit codes.
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateDevKeyPair } from '../../../src/envelope/index.js';
import { shardItems } from '../../../src/harness/shard/plan.js';
import { runBench } from '../../helpers/cli.js';
import { tempDir } from '../../unit/commands/helpers.js';
import { syntheticRecords, WINDOW } from '../../unit/shard/records.js';
import { writeShardEnvelope } from '../../unit/shard/shard-envelopes.js';

const records = syntheticRecords(600, 9);
let dir: string;
let keyPath: string;

beforeAll(async () => {
  dir = await tempDir('bench-merge-cli-');
  keyPath = join(dir, 'cosign.key');
  await generateDevKeyPair(keyPath);
});

async function shardFiles(count: number): Promise<string[]> {
  const paths: string[] = [];
  for (let index = 0; index < count; index++) {
    const shard = { index, count };
    paths.push(
      await writeShardEnvelope(join(dir, 'shards'), keyPath, {
        shard,
        records: shardItems(records, shard),
        window: WINDOW,
      }),
    );
  }
  return paths;
}

describe('bench merge (CLI)', () => {
  it('the CLI prints one line and the documented exit code', async () => {
    const paths = await shardFiles(3);
    const missing = await runBench([
      'merge',
      ...paths.slice(1),
      '--output',
      join(dir, 'cli-out'),
      '--dev-key',
      keyPath,
    ]);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^bench: .*shard 0 of 3 missing/),
    ]);
    const ok = await runBench(['merge', ...paths, '--output', join(dir, 'cli-out'), '--dev-key', keyPath]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/merged 3 shards of run/);
    const bad = await runBench([
      'merge',
      paths[0] as string,
      '--window-tolerance',
      'soon',
      '--dev-key',
      keyPath,
    ]);
    expect(bad.code).toBe(2);
  });
});
