// A sparse cache of table rows fetched in fixed-size blocks, so the table can
// ask the engine only for the window it shows (list_invoices caps a call at
// 1,000 rows) and keep what it already has while the user scrolls back.

export class RowBlocks<T> {
  private blocks = new Map<number, T[]>();
  private pending = new Set<number>();
  private generation = 0;

  constructor(readonly blockSize = 200) {
    if (!Number.isInteger(blockSize) || blockSize <= 0) throw new RangeError('blockSize must be a positive integer');
  }

  /** Forgets every row, e.g. when the filter, search or sort changed. Returns the new generation. */
  reset(): number {
    this.blocks.clear();
    this.pending.clear();
    return ++this.generation;
  }

  get current(): number {
    return this.generation;
  }

  row(index: number): T | undefined {
    const block = this.blocks.get(Math.floor(index / this.blockSize));
    return block?.[index % this.blockSize];
  }

  /** Blocks covering rows [start, end) that are neither loaded nor being fetched. */
  missing(start: number, end: number): number[] {
    if (end <= start) return [];
    const first = Math.floor(start / this.blockSize);
    const last = Math.floor((end - 1) / this.blockSize);
    const out: number[] = [];
    for (let b = first; b <= last; b++) {
      if (!this.blocks.has(b) && !this.pending.has(b)) out.push(b);
    }
    return out;
  }

  /** Blocks currently held, for a refresh that keeps rows on screen while it re-fetches. */
  loaded(): number[] {
    return [...this.blocks.keys()];
  }

  markPending(block: number): void {
    this.pending.add(block);
  }

  /**
   * Stores a fetched block. A response that belongs to an older generation
   * (the query changed while it was in flight) is dropped: returns false.
   */
  store(block: number, rows: T[], generation: number): boolean {
    if (generation !== this.generation) return false;
    this.pending.delete(block);
    this.blocks.set(block, rows);
    return true;
  }

  /** A failed fetch: the block becomes missing again so a later scroll retries it. */
  fail(block: number, generation: number): void {
    if (generation === this.generation) this.pending.delete(block);
  }
}
