// Merging the sample blocks of one distribution across shards.
//
// The blocks go into one SampleSink, the store a single process keeps its samples in: while every
// block is exact and the total fits the exact cap, the merge is the sorted union of the samples,
// bit for bit the array a single process would have sorted, so percentiles, mean and bootstrap CIs
// computed from it are identical. Past the cap (or when any shard already binned), the sink bins
// as it does in a single process past its cap, and binned blocks add their bucket counts: memory is
// then bounded by the number of buckets, not samples.
import { DEFAULT_EXACT_CAP, SampleSink, type SortedSamples } from '../metrics/sample-sink.js';
import type { DecodedBlock } from './sample-block.js';

export { exactSamples } from '../metrics/sample-sink.js';

/** Accumulates decoded blocks of one distribution; `finish()` gives the merged samples. */
export class SampleMerger {
  private readonly sink: SampleSink;

  constructor(exactCap = DEFAULT_EXACT_CAP) {
    this.sink = new SampleSink(exactCap);
  }

  add(block: DecodedBlock): void {
    if (block.form === 'binned') this.sink.addBinned(block);
    else this.sink.pushAll(block.values);
  }

  /** Hands the merged samples over; the merger must not be used afterwards. */
  finish(): SortedSamples {
    return this.sink.finish();
  }
}
