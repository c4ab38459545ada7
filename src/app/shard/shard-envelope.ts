// Turns a point's unsigned envelope into a shard envelope: adds the `shard` block (samples,
// counters, window and clock on the coordinator's clock) and marks the run context. The point
// runner of `bench run --shard i/N` calls this before signing.
import { buildShardBlock, type ShardBlockInput } from '../../harness/shard/block.js';
import { formatShardSpec } from '../../harness/shard/plan.js';

export function toShardEnvelope(
  unsigned: Readonly<Record<string, unknown>>,
  input: ShardBlockInput,
): Record<string, unknown> {
  const block = buildShardBlock(input);
  const context = (unsigned.run_context ?? {}) as Record<string, unknown>;
  return {
    ...unsigned,
    run_context: {
      ...context,
      shard: formatShardSpec(input.shard),
      shard_of_run: input.runId,
    },
    warnings: [
      ...((unsigned.warnings as string[] | undefined) ?? []),
      `shard ${formatShardSpec(input.shard)} of run ${input.runId}: its numbers cover 1/${input.shard.count} of the load; merge the shards with bench merge`,
    ],
    shard: block,
  };
}
