// Windowing math for the virtual table: which rows to render for a scroll
// position. Rows have one fixed height, so everything is arithmetic and a
// 100,000-row table renders only the few dozen rows in view.

export interface RowWindow {
  /** First row index to render (inclusive). */
  start: number;
  /** One past the last row index to render. */
  end: number;
  /** Pixels from the top of the scroll content to row `start`. */
  offsetY: number;
}

export function totalHeight(rowCount: number, rowHeight: number): number {
  return Math.max(0, rowCount) * rowHeight;
}

/**
 * Rows intersecting the viewport plus `overscan` rows on each side, clamped
 * to the table. A scroll position past the end (the table shrank under the
 * user) yields the last screenful instead of nothing.
 */
export function visibleWindow(
  scrollTop: number,
  viewportHeight: number,
  rowHeight: number,
  rowCount: number,
  overscan = 8,
): RowWindow {
  if (rowCount <= 0 || rowHeight <= 0 || viewportHeight <= 0) return { start: 0, end: 0, offsetY: 0 };
  const perView = Math.ceil(viewportHeight / rowHeight);
  const maxFirst = Math.max(0, rowCount - perView);
  const first = Math.min(Math.max(0, Math.floor(scrollTop / rowHeight)), maxFirst);
  const start = Math.max(0, first - overscan);
  const end = Math.min(rowCount, first + perView + 1 + overscan);
  return { start, end, offsetY: start * rowHeight };
}

/**
 * The scrollTop that brings row `index` fully into view, or null when it
 * already is (keyboard navigation scrolls only as far as needed).
 */
export function scrollToReveal(
  index: number,
  scrollTop: number,
  viewportHeight: number,
  rowHeight: number,
): number | null {
  const top = index * rowHeight;
  const bottom = top + rowHeight;
  if (top < scrollTop) return top;
  if (bottom > scrollTop + viewportHeight) return bottom - viewportHeight;
  return null;
}
