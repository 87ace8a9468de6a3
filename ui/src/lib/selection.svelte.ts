// The Invoices page's selection as reactive state, over the pure functions
// in selection.ts. Range and "select all" may need rows the table has not
// loaded; those answers are dropped if the query changed meanwhile
// (`invalidate`), because positions then mean other rows.

import {
  EMPTY_SELECTION,
  allKeys,
  keysInRange,
  rangeBounds,
  selectOnly,
  selectRange,
  setAnchor,
  toggle,
  type SelectionState,
} from './selection';

export class RowSelection {
  state: SelectionState = $state(EMPTY_SELECTION);
  /** A range or select-all is fetching keys. */
  busy = $state(false);
  private generation = 0;

  get size(): number {
    return this.state.keys.size;
  }

  get keys(): string[] {
    return [...this.state.keys];
  }

  has = (key: string): boolean => this.state.keys.has(key);

  clear(): void {
    this.generation++;
    this.state = EMPTY_SELECTION;
  }

  /** The rows' positions changed (filter, search, sort): forget the anchor, keep the keys. */
  invalidate(): void {
    this.generation++;
    this.state = { keys: this.state.keys, anchor: null };
  }

  toggleAt(index: number, key: string): void {
    this.state = toggle(this.state, index, key);
  }

  anchorAt(index: number): void {
    this.state = setAnchor(this.state, index);
  }

  async rangeTo(
    index: number,
    rowKeyAt: (index: number) => string | undefined,
    fetchKeys: (offset: number, limit: number) => Promise<string[]>,
  ): Promise<void> {
    const generation = this.generation;
    const [first, last] = rangeBounds(this.state.anchor, index);
    this.busy = true;
    try {
      const keys = await keysInRange(first, last, rowKeyAt, fetchKeys);
      if (generation === this.generation) this.state = selectRange(this.state, index, keys);
    } finally {
      this.busy = false;
    }
  }

  async selectAll(fetchPage: (offset: number, limit: number) => Promise<{ keys: string[]; total: number }>): Promise<number> {
    const generation = ++this.generation;
    this.busy = true;
    try {
      const keys = await allKeys(fetchPage);
      if (generation === this.generation) this.state = selectOnly(keys);
      return keys.length;
    } finally {
      this.busy = false;
    }
  }
}
