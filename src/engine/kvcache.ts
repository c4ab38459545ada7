// Paged KV cache accounting with block-hash prefix caching (vLLM's BlockPool, reduced to counts).
//
// `used` counts blocks referenced by at least one sequence (a shared cached block counts once).
// Cached blocks nobody references stay in `evictable` (LRU order) and count as free: allocating a new
// block evicts the least recently freed one when no never-cached block is left.

export interface SeqBlocks {
  /** Private (unhashed) blocks. */
  anon: number;
  /** Hashes of the shared prompt blocks this sequence references, in prompt order. */
  refs: number[];
}

export class KvCache {
  readonly totalBlocks: number;
  private usedBlocks = 0;
  private readonly refCount = new Map<number, number>();
  private readonly evictable = new Map<number, true>();

  constructor(totalBlocks: number) {
    this.totalBlocks = totalBlocks;
  }

  get used(): number {
    return this.usedBlocks;
  }

  get cachedBlocks(): number {
    return this.refCount.size;
  }

  /** Blocks that can be handed out now (never-used plus evictable cached ones). */
  get free(): number {
    return this.totalBlocks - this.usedBlocks;
  }

  /** Leading prompt blocks already cached (at most `maxBlocks`). */
  countHits(hashes: readonly number[], maxBlocks: number): number {
    let n = 0;
    const limit = Math.min(hashes.length, maxBlocks);
    while (n < limit && this.refCount.has(hashes[n] as number)) n += 1;
    return n;
  }

  /** References the first `n` hashes (all must be cached: call countHits first). */
  acquire(seq: SeqBlocks, hashes: readonly number[], n: number): void {
    for (let i = 0; i < n; i += 1) {
      const h = hashes[i] as number;
      const refs = this.refCount.get(h) ?? 0;
      if (refs === 0) {
        this.evictable.delete(h);
        this.usedBlocks += 1;
      }
      this.refCount.set(h, refs + 1);
      seq.refs.push(h);
    }
  }

  canAllocate(n: number): boolean {
    return n <= this.free;
  }

  allocate(seq: SeqBlocks, n: number): boolean {
    if (n <= 0) return true;
    if (n > this.free) return false;
    this.usedBlocks += n;
    seq.anon += n;
    this.evictOverflow();
    return true;
  }

  /** Turns private blocks holding full prompt blocks into shared cached blocks (after their prefill). */
  register(seq: SeqBlocks, hashes: readonly number[], fullBlocks: number): void {
    const limit = Math.min(hashes.length, fullBlocks);
    while (seq.refs.length < limit && seq.anon > 0) {
      const h = hashes[seq.refs.length] as number;
      if (this.refCount.has(h)) break; // computed concurrently by another sequence: keep ours private
      this.refCount.set(h, 1);
      seq.anon -= 1;
      seq.refs.push(h);
    }
  }

  release(seq: SeqBlocks): void {
    this.usedBlocks -= seq.anon;
    seq.anon = 0;
    for (const h of seq.refs) {
      const refs = (this.refCount.get(h) ?? 1) - 1;
      this.refCount.set(h, refs);
      if (refs === 0) {
        this.usedBlocks -= 1;
        this.evictable.set(h, true);
      }
    }
    seq.refs = [];
  }

  private evictOverflow(): void {
    while (this.usedBlocks + this.evictable.size > this.totalBlocks) {
      const oldest = this.evictable.keys().next();
      if (oldest.done) break;
      this.evictable.delete(oldest.value);
      this.refCount.delete(oldest.value);
    }
  }

  /** Invariant check used by tests: accounting never exceeds capacity. */
  check(): void {
    if (this.usedBlocks < 0 || this.usedBlocks + this.evictable.size > this.totalBlocks) {
      throw new Error(
        `KV accounting broken: used ${this.usedBlocks} + evictable ${this.evictable.size} > ${this.totalBlocks}`,
      );
    }
  }
}
