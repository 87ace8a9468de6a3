// A column of the virtual table: how wide, how to show a row's value, and
// which engine sort key (if any) clicking its header sets.

export interface Column<R> {
  id: string;
  label: string;
  /** A CSS grid track, e.g. "120px" or "minmax(90px, 1fr)". */
  width: string;
  align?: 'start' | 'end';
  /** Set when the engine can sort by this column. */
  sortKey?: string;
  value: (row: R) => string;
}
