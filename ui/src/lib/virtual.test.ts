import { describe, expect, it } from 'vitest';
import { scrollToReveal, totalHeight, visibleWindow } from './virtual';

describe('visibleWindow', () => {
  it('renders only the rows in view plus overscan for 100,000 rows', () => {
    const w = visibleWindow(0, 640, 32, 100_000, 8);
    expect(w).toEqual({ start: 0, end: 29, offsetY: 0 });
  });

  it('follows the scroll position deep into a large table', () => {
    const w = visibleWindow(50_000 * 32 + 10, 640, 32, 100_000, 8);
    expect(w.start).toBe(50_000 - 8);
    expect(w.end).toBe(50_000 + 20 + 1 + 8);
    expect(w.offsetY).toBe((50_000 - 8) * 32);
  });

  it('clamps at the end of the table', () => {
    const w = visibleWindow(totalHeight(100_000, 32), 640, 32, 100_000, 8);
    expect(w.end).toBe(100_000);
    expect(w.start).toBe(100_000 - 20 - 8);
  });

  it('shows the last screenful when the table shrank below the scroll position', () => {
    const w = visibleWindow(10_000, 640, 32, 5, 8);
    expect(w).toEqual({ start: 0, end: 5, offsetY: 0 });
  });

  it('renders nothing without rows or before layout', () => {
    expect(visibleWindow(0, 640, 32, 0)).toEqual({ start: 0, end: 0, offsetY: 0 });
    expect(visibleWindow(0, 0, 32, 100)).toEqual({ start: 0, end: 0, offsetY: 0 });
  });

  it('never renders more than a screenful plus overscan, wherever it scrolls', () => {
    for (const top of [0, 17, 3_200, 1_234_567, 3_199_000]) {
      const w = visibleWindow(top, 640, 32, 100_000, 8);
      expect(w.end - w.start).toBeLessThanOrEqual(20 + 1 + 16);
      expect(w.start).toBeGreaterThanOrEqual(0);
      expect(w.end).toBeLessThanOrEqual(100_000);
    }
  });
});

describe('scrollToReveal', () => {
  it('leaves a visible row alone', () => {
    expect(scrollToReveal(5, 0, 320, 32)).toBeNull();
  });

  it('scrolls up to a row above the viewport', () => {
    expect(scrollToReveal(3, 320, 320, 32)).toBe(96);
  });

  it('scrolls down just enough for a row below the viewport', () => {
    expect(scrollToReveal(10, 0, 320, 32)).toBe(11 * 32 - 320);
  });
});
