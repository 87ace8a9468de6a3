// Which invoices are selected for submission. Rows are identified by their
// source reference (stable across sorting, filtering and re-fetching), not
// by their position, so a selection survives a refresh of the table.
//
// Pure functions over an immutable state; `selection.svelte.ts` wraps them
// for the page. Range selection needs the keys of every row between two
// positions, which a virtual table may not have loaded yet: `keysInRange`
// fills the gaps with one engine call per missing stretch.

export interface SelectionState {
  readonly keys: ReadonlySet<string>;
  /** Position of the last plain toggle: the fixed end of a shift-range. */
  readonly anchor: number | null;
}

export const EMPTY_SELECTION: SelectionState = { keys: new Set(), anchor: null };

/** Flips one row and makes it the anchor of the next range. */
export function toggle(state: SelectionState, index: number, key: string): SelectionState {
  const keys = new Set(state.keys);
  if (keys.has(key)) keys.delete(key);
  else keys.add(key);
  return { keys, anchor: index };
}

/**
 * Shift-click / Shift+arrows: every row from the anchor to `index` becomes
 * selected (`rangeKeys` are their keys). With no anchor yet only the row at
 * `index` is in the range, and it becomes the anchor. The anchor stays put,
 * so the range can grow or turn around from the same start.
 */
export function selectRange(state: SelectionState, index: number, rangeKeys: readonly string[]): SelectionState {
  const keys = new Set(state.keys);
  for (const key of rangeKeys) keys.add(key);
  return { keys, anchor: state.anchor ?? index };
}

/** Moving the cursor or opening a row moves the anchor without selecting. */
export function setAnchor(state: SelectionState, index: number): SelectionState {
  return state.anchor === index ? state : { keys: state.keys, anchor: index };
}

/** Replaces the selection with exactly these rows (Ctrl/Cmd+A). */
export function selectOnly(keys: Iterable<string>): SelectionState {
  return { keys: new Set(keys), anchor: null };
}

/** The inclusive position range between the anchor and `index`. */
export function rangeBounds(anchor: number | null, index: number): [number, number] {
  if (anchor === null) return [index, index];
  return anchor <= index ? [anchor, index] : [index, anchor];
}

/**
 * Keys of the rows at positions [first, last], in order. Rows the table
 * already holds come from `rowKeyAt`; each stretch of missing ones is asked
 * for with `fetchKeys(offset, limit)` in chunks of at most `chunk` rows.
 */
export async function keysInRange(
  first: number,
  last: number,
  rowKeyAt: (index: number) => string | undefined,
  fetchKeys: (offset: number, limit: number) => Promise<string[]>,
  chunk = 1000,
): Promise<string[]> {
  if (last < first) return [];
  const out: (string | undefined)[] = [];
  for (let i = first; i <= last; i++) out.push(rowKeyAt(i));
  let i = 0;
  while (i < out.length) {
    if (out[i] !== undefined) {
      i++;
      continue;
    }
    let end = i;
    while (end < out.length && out[end] === undefined && end - i < chunk) end++;
    const fetched = await fetchKeys(first + i, end - i);
    for (let k = 0; k < end - i; k++) out[i + k] = fetched[k];
    // A shorter answer means the table shrank meanwhile: stop at its end.
    if (fetched.length < end - i) return out.slice(0, i + fetched.length).filter((k): k is string => k !== undefined);
    i = end;
  }
  return out.filter((k): k is string => k !== undefined);
}

/** Every key a paged query returns, page by page (for "select all ready"). */
export async function allKeys(
  fetchPage: (offset: number, limit: number) => Promise<{ keys: string[]; total: number }>,
  pageSize = 1000,
): Promise<string[]> {
  const out: string[] = [];
  for (;;) {
    const page = await fetchPage(out.length, pageSize);
    out.push(...page.keys);
    if (page.keys.length === 0 || out.length >= page.total) return out;
  }
}
