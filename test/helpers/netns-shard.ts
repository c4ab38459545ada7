// One shard of a sharded run, run as a process inside a network namespace by the netns tests:
// join the coordinator, exchange clocks, pass the start barrier, drive its share of a seeded
// closed-loop workload against the engine with the real streaming client, pass the end barrier,
// and write + upload a signed shard envelope (the shard block `bench run --shard` writes).
// argv[2]: JSON ShardProbeOptions. Prints "started" after the start barrier, "uploaded" at the end.
import { mkdir } from 'node:fs/promises';
import { toShardEnvelope } from '../../src/app/shard/shard-envelope.js';
import { VERSION } from '../../src/app/version.js';
import {
  envelopeFileText,
  flattenMetrics,
  signEnvelope,
  timestampMicros,
  writeEnvelope,
} from '../../src/envelope/index.js';
import { createStreamClient } from '../../src/harness/client/stream-client.js';
import { MetricsAccumulator } from '../../src/harness/metrics/compute.js';
import { epochNowMs } from '../../src/harness/shard/clock.js';
import { ShardSession } from '../../src/harness/shard/session.js';
import { globalIndex, shardConcurrency, shardItemCount, shardSeed } from '../../src/harness/shard/plan.js';
import { ShardTally } from '../../src/harness/shard/tally.js';
import type { RequestRecord } from '../../src/harness/types.js';
import { sampleUnsignedEnvelope } from '../unit/envelope/sample-envelope.js';

export interface ShardProbeOptions {
  readonly coordinator: string;
  readonly baseUrl: string;
  readonly runId: string;
  readonly index: number;
  readonly count: number;
  /** Run-wide: total requests and total concurrency (each shard takes its share). */
  readonly requests: number;
  readonly concurrency: number;
  readonly maxTokens: number;
  readonly keyPath: string;
  readonly outDir: string;
}

const o = JSON.parse(process.argv[2] ?? '{}') as ShardProbeOptions;
const shard = { index: o.index, count: o.count };
const SEED = 42;

async function main(): Promise<void> {
  const session = await ShardSession.open({
    url: o.coordinator,
    runId: o.runId,
    shard,
    joinDeadlineMs: 30_000,
  });
  const windowStartMono = await session.gate('start');
  process.stdout.write('started\n');

  const client = createStreamClient({
    baseUrl: o.baseUrl,
    endpointType: 'chat',
    model: 'meta-llama/Llama-3.1-8B-Instruct',
    connections: shardConcurrency(o.concurrency, shard),
  });
  const mine = shardItemCount(o.requests, shard);
  const records: RequestRecord[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < mine) {
      const k = next++;
      const id = globalIndex(k, shard);
      const record = await client.send(
        {
          messages: [{ role: 'user', content: `request ${id}: say something` }],
          maxTokens: o.maxTokens,
          extraBody: { ignore_eos: true },
        },
        performance.now(),
        undefined,
        { id },
      );
      records.push(record);
    }
  };
  await Promise.all(Array.from({ length: shardConcurrency(o.concurrency, shard) }, () => worker()));
  await client.close();
  // A peer that died never reaches the end barrier: the barrier fails, and this shard still writes
  // its own envelope (so a merge can be attempted, and must refuse the partial run) but exits 1.
  // The window ends at the end barrier's instant: every shard is idle from its last request until
  // then, so no shard needs to wake for it (a late wake-up would only stretch its window). A peer
  // that died never reaches it: this shard still writes its envelope (a merge must then refuse the
  // partial run) but exits 1.
  let failure: Error | null = null;
  let windowEndMono = performance.now();
  try {
    windowEndMono = Math.max(windowEndMono, await session.barrier('end'));
    await session.finish();
  } catch (error) {
    failure = error as Error;
  }
  const clock = session.clock;

  const window = { startMs: windowStartMono, endMs: windowEndMono };
  const acc = new MetricsAccumulator(window, { bootstrapResamples: 200, seed: SEED });
  const tally = new ShardTally(window, null);
  for (const r of records) {
    acc.add(r);
    tally.add(r);
  }
  const { metrics, samples } = acc.finish();
  const toCommon = (mono: number): number => session.toCommonMs(mono);
  const base = sampleUnsignedEnvelope();
  const unsigned = toShardEnvelope(
    {
      ...base,
      timestamp: timestampMicros(new Date()),
      run_id: base.run_id.slice(0, 24) + (0x1000000000000 + o.index).toString(16).slice(1),
      metrics: { ...flattenMetrics(metrics).metrics },
      metric_ci: {},
      run_context: { tool: { name: 'inferencebench', version: VERSION }, incomplete: false },
      quality: { valid: true, client: { requests: records.length } },
    },
    {
      runId: o.runId,
      shard,
      runSeed: SEED,
      shardSeed: shardSeed(SEED, shard),
      toolVersion: VERSION,
      run: { requests: o.requests, concurrency: o.concurrency, max_tokens: o.maxTokens },
      window: { startMs: toCommon(windowStartMono), endMs: toCommon(windowEndMono) },
      anchor: session.anchor,
      clock,
      slo: null,
      bootstrapResamples: 200,
      counters: tally.counters(toCommon),
      samples,
      exactCap: 4 * 1024 * 1024,
    },
  );
  const { envelope } = await signEnvelope(unsigned, { mode: 'dev', keyPath: o.keyPath });
  await mkdir(o.outDir, { recursive: true });
  await writeEnvelope(o.outDir, `shard${o.index}-`, envelope);
  if (failure !== null) throw failure;
  await session.upload(envelopeFileText(envelope));
  process.stdout.write(`uploaded ${records.length} ${epochNowMs().toFixed(0)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`shard ${o.index}: ${(error as Error).message}\n`);
  process.exit(1);
});
