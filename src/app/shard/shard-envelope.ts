// Turns a point's unsigned envelope into a shard envelope: adds the `shard` block (samples,
// counters, window and clock on the coordinator's clock) and marks the run context. The point
// runner of `bench run --shard i/N` calls this before signing.
import type { UnsignedEnvelope } from '../../envelope/index.js';
import { buildShardBlock, type ShardBlockInput } from '../../harness/shard/block.js';
import { formatShardSpec } from '../../harness/shard/plan.js';

export function toShardEnvelope(unsigned: UnsignedEnvelope, input: ShardBlockInput): UnsignedEnvelope {
  const block = buildShardBlock(input);
  const context = unsigned.run_context ?? {};
  return {
    ...unsigned,
    run_context: {
      ...context,
      shard: formatShardSpec(input.shard),
      shard_of_run: input.runId,
    },
    warnings: [
      ...unsigned.warnings,
      `shard ${formatShardSpec(input.shard)} of run ${input.runId}: its numbers cover 1/${input.shard.count} of the load; merge the shards with bench merge`,
    ],
    shard: block,
  };
}
