import { describe, expect, it, vi } from 'vitest';
import {
  EMPTY_SELECTION,
  allKeys,
  keysInRange,
  rangeBounds,
  selectOnly,
  selectRange,
  setAnchor,
  toggle,
} from './selection';

const rows = ['a', 'b', 'c', 'd', 'e', 'f'];

describe('toggle', () => {
  it('adds an unselected row and removes a selected one, moving the anchor', () => {
    const one = toggle(EMPTY_SELECTION, 2, 'c');
    expect([...one.keys]).toEqual(['c']);
    expect(one.anchor).toBe(2);
    const none = toggle(one, 4, 'c');
    expect(none.keys.size).toBe(0);
    expect(none.anchor).toBe(4);
  });

  it('never changes the state it was given', () => {
    const before = toggle(EMPTY_SELECTION, 0, 'a');
    toggle(before, 1, 'b');
    expect([...before.keys]).toEqual(['a']);
  });
});

describe('selectRange (shift-click)', () => {
  it('selects every row between the anchor and the clicked row, downwards', () => {
    const anchored = toggle(EMPTY_SELECTION, 1, 'b');
    const [from, to] = rangeBounds(anchored.anchor, 4);
    const ranged = selectRange(anchored, 4, rows.slice(from, to + 1));
    expect([...ranged.keys].sort()).toEqual(['b', 'c', 'd', 'e']);
    expect(ranged.anchor).toBe(1);
  });

  it('works upwards too, keeping rows selected outside the range', () => {
    let s = toggle(EMPTY_SELECTION, 0, 'a');
    s = toggle(s, 4, 'e');
    const [from, to] = rangeBounds(s.anchor, 2);
    expect([from, to]).toEqual([2, 4]);
    s = selectRange(s, 2, rows.slice(from, to + 1));
    expect([...s.keys].sort()).toEqual(['a', 'c', 'd', 'e']);
  });

  it('selects from an anchor set by opening a row, which itself was not selected', () => {
    let s = setAnchor(EMPTY_SELECTION, 3);
    expect(s.keys.size).toBe(0);
    s = selectRange(s, 5, rows.slice(3, 6));
    expect([...s.keys].sort()).toEqual(['d', 'e', 'f']);
    expect(s.anchor).toBe(3);
  });

  it('with no anchor selects only the clicked row and anchors there', () => {
    const s = selectRange(EMPTY_SELECTION, 3, ['d']);
    expect([...s.keys]).toEqual(['d']);
    expect(s.anchor).toBe(3);
  });

  it('a second shift-click turns the range around the same anchor', () => {
    let s = toggle(EMPTY_SELECTION, 2, 'c');
    s = selectRange(s, 5, rows.slice(2, 6));
    s = selectRange(s, 0, rows.slice(0, 3));
    expect(s.anchor).toBe(2);
    expect([...s.keys].sort()).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
  });
});

describe('setAnchor', () => {
  it('moves the anchor and keeps the selection', () => {
    const s = setAnchor(selectOnly(['a']), 4);
    expect(s.anchor).toBe(4);
    expect([...s.keys]).toEqual(['a']);
  });
});

describe('rangeBounds', () => {
  it('orders the ends and treats a missing anchor as a single row', () => {
    expect(rangeBounds(7, 3)).toEqual([3, 7]);
    expect(rangeBounds(null, 3)).toEqual([3, 3]);
  });
});

describe('keysInRange', () => {
  it('uses held rows and fetches only the missing stretch', async () => {
    const held = new Map([
      [0, 'a'],
      [1, 'b'],
      [4, 'e'],
    ]);
    const fetchKeys = vi.fn(async (offset: number, limit: number) => rows.slice(offset, offset + limit));
    const keys = await keysInRange(0, 5, (i) => held.get(i), fetchKeys);
    expect(keys).toEqual(rows);
    expect(fetchKeys.mock.calls).toEqual([
      [2, 2],
      [5, 1],
    ]);
  });

  it('splits a long gap into chunks', async () => {
    const fetchKeys = vi.fn(async (offset: number, limit: number) =>
      Array.from({ length: limit }, (_, i) => `k${offset + i}`),
    );
    const keys = await keysInRange(10, 34, () => undefined, fetchKeys, 10);
    expect(keys).toHaveLength(25);
    expect(keys[0]).toBe('k10');
    expect(keys[24]).toBe('k34');
    expect(fetchKeys.mock.calls).toEqual([
      [10, 10],
      [20, 10],
      [30, 5],
    ]);
  });

  it('stops where the table ended if it shrank meanwhile', async () => {
    const keys = await keysInRange(0, 5, () => undefined, async () => ['a', 'b']);
    expect(keys).toEqual(['a', 'b']);
  });
});

describe('allKeys', () => {
  it('pages until the total is reached', async () => {
    const all = Array.from({ length: 2500 }, (_, i) => `r${i}`);
    const fetchPage = vi.fn(async (offset: number, limit: number) => ({
      keys: all.slice(offset, offset + limit),
      total: all.length,
    }));
    expect(await allKeys(fetchPage)).toEqual(all);
    expect(fetchPage).toHaveBeenCalledTimes(3);
  });

  it('stops on an empty page even if the total claims more', async () => {
    const keys = await allKeys(async (offset) => ({ keys: offset === 0 ? ['x'] : [], total: 5 }));
    expect(keys).toEqual(['x']);
  });
});
