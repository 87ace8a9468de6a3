// Reactive glue between a virtual table and a paged engine command: fetches
// the blocks the table shows, drops answers to an outdated query, and keeps
// the latest page's extra fields (filter counts, last poll time).

import { RowBlocks } from './blocks';
import type { UiError } from './wire';

export interface Page<T> {
  rows: T[];
  total: number;
}

export class PagedRows<T, P extends Page<T>> {
  /** Bumped whenever rows arrive, so the table re-reads `row(i)`. */
  version = $state(0);
  total = $state(0);
  /** The most recent answer (null until the first one). */
  latest: P | null = $state(null);
  error: UiError | null = $state(null);

  private readonly blocks: RowBlocks<T>;
  private wanted: [number, number] | null = null;
  private settleTimer: ReturnType<typeof setTimeout> | null = null;

  /**
   * `settleMs`: how long the view must rest before its rows are fetched.
   * Dragging the scrollbar across 100,000 rows passes hundreds of windows;
   * only the one the user stops at is worth asking the engine for.
   */
  constructor(
    private readonly fetchPage: (offset: number, limit: number) => Promise<P>,
    blockSize = 200,
    private readonly settleMs = 60,
  ) {
    this.blocks = new RowBlocks<T>(blockSize);
  }

  row = (index: number): T | undefined => this.blocks.row(index);

  /** The query changed: forget all rows and start with the first block. */
  reload(): void {
    const generation = this.blocks.reset();
    this.version++;
    this.fetchBlock(0, generation);
  }

  /** Same query, fresher data: re-fetch what is held without blanking the table. */
  refresh(): void {
    const held = this.blocks.loaded();
    for (const block of held.length > 0 ? held : [0]) this.fetchBlock(block, this.blocks.current);
  }

  /** The table shows rows [start, end): fetch what is missing once the view settles. */
  ensure = (start: number, end: number): void => {
    this.wanted = [start, end];
    if (this.settleTimer !== null) clearTimeout(this.settleTimer);
    this.settleTimer = setTimeout(() => {
      this.settleTimer = null;
      if (!this.wanted) return;
      const [from, to] = this.wanted;
      for (const block of this.blocks.missing(from, to)) this.fetchBlock(block, this.blocks.current);
    }, this.settleMs);
  };

  private fetchBlock(block: number, generation: number): void {
    this.blocks.markPending(block);
    const size = this.blocks.blockSize;
    this.fetchPage(block * size, size).then(
      (page) => {
        if (!this.blocks.store(block, page.rows, generation)) return;
        this.total = page.total;
        this.latest = page;
        this.error = null;
        this.version++;
      },
      (error: UiError) => {
        this.blocks.fail(block, generation);
        this.error = error;
      },
    );
  }
}
