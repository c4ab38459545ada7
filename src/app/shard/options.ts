// `bench run --shard i/N --coordinator URL --run-id UUID` → a validated ShardRunConfig. Pure.
import { UsageError } from '../errors.js';
import { parseShardSpec, type ShardSpec } from '../../harness/shard/plan.js';
import { ShardError } from '../../harness/shard/errors.js';

export interface RawShardFlags {
  readonly shard?: string;
  readonly coordinator?: string;
  readonly runId?: string;
}

export interface ShardRunConfig {
  readonly shard: ShardSpec;
  /** Coordinator base URL (http/https, no query); null only for 0/1. */
  readonly coordinator: string | null;
  readonly runId: string;
}

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** null when --shard is absent (an ordinary run); the other two flags then must be absent too. */
export function parseShardFlags(raw: RawShardFlags): ShardRunConfig | null {
  if (raw.shard === undefined) {
    if (raw.coordinator !== undefined || raw.runId !== undefined)
      throw new UsageError('--coordinator and --run-id only apply with --shard i/N');
    return null;
  }
  let shard: ShardSpec;
  try {
    shard = parseShardSpec(raw.shard);
  } catch (error) {
    if (error instanceof ShardError) throw new UsageError(error.message, error.code);
    throw error;
  }
  if (raw.runId === undefined || !UUID_V7.test(raw.runId))
    throw new UsageError(
      `--shard needs --run-id: the lower-case UUIDv7 every shard of the run shares (got ${raw.runId === undefined ? 'none' : `"${raw.runId}"`})`,
    );
  if (raw.coordinator === undefined) {
    if (shard.count > 1)
      throw new UsageError(
        '--shard i/N with N > 1 needs --coordinator URL (the start barrier and clock exchange)',
      );
    return { shard, coordinator: null, runId: raw.runId };
  }
  let url: URL;
  try {
    url = new URL(raw.coordinator);
  } catch {
    throw new UsageError(`--coordinator is not a URL: "${raw.coordinator}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UsageError(`--coordinator must be http:// or https:// (got "${url.protocol}")`);
  if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '')
    throw new UsageError('--coordinator must be a plain base URL (no credentials, query or fragment)');
  return { shard, coordinator: url.href.replace(/\/+$/, ''), runId: raw.runId };
}
