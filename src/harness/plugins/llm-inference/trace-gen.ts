// A generated Mooncake-format trace (timestamp ms, input_length, output_length, hash_ids): Poisson
// arrivals, a few shared system-prompt prefixes (shared leading hash ids) and unique tails. Used as
// the built-in default trace and written to fixtures/datasets/mooncake-trace-sample.jsonl.
import { createLabelledRng } from '../../../lib/rng.js';

export interface MooncakeLine {
  readonly timestamp: number;
  readonly input_length: number;
  readonly output_length: number;
  readonly hash_ids: readonly number[];
}

export const MOONCAKE_BLOCK_TOKENS = 512;

export function generateMooncakeTrace(
  options: { seed?: number; entries?: number; meanGapMs?: number } = {},
): MooncakeLine[] {
  const rng = createLabelledRng(options.seed ?? 2026, 'mooncake-sample');
  const entries = options.entries ?? 100;
  const meanGapMs = options.meanGapMs ?? 20;
  const prefixes = [[0], [1, 2], [3], [4, 5, 6]];
  let nextHash = 100;
  let t = 0;
  const lines: MooncakeLine[] = [];
  for (let i = 0; i < entries; i++) {
    if (i > 0) t += Math.round(-Math.log(1 - rng.next()) * meanGapMs);
    const prefix = prefixes[rng.int(0, prefixes.length - 1)]!;
    const tailBlocks = rng.int(0, 2);
    const hashIds = [...prefix];
    for (let b = 0; b < tailBlocks; b++) hashIds.push(nextHash++);
    const full = (hashIds.length - 1) * MOONCAKE_BLOCK_TOKENS;
    const inputLength = full + rng.int(16, MOONCAKE_BLOCK_TOKENS);
    lines.push({ timestamp: t, input_length: inputLength, output_length: rng.int(8, 64), hash_ids: hashIds });
  }
  return lines;
}
