import { describe, expect, it } from 'vitest';
import { RowBlocks } from './blocks';

describe('RowBlocks', () => {
  it('asks for each block covering the window once', () => {
    const b = new RowBlocks<number>(100);
    expect(b.missing(150, 320)).toEqual([1, 2, 3]);
    b.markPending(1);
    expect(b.missing(150, 320)).toEqual([2, 3]);
  });

  it('serves rows from stored blocks by absolute index', () => {
    const b = new RowBlocks<string>(2);
    const g = b.reset();
    b.store(1, ['c', 'd'], g);
    expect(b.row(2)).toBe('c');
    expect(b.row(3)).toBe('d');
    expect(b.row(0)).toBeUndefined();
    expect(b.missing(0, 4)).toEqual([0]);
  });

  it('drops an answer that arrives after the query changed', () => {
    const b = new RowBlocks<string>(2);
    const old = b.reset();
    b.markPending(0);
    const fresh = b.reset();
    expect(b.store(0, ['stale'], old)).toBe(false);
    expect(b.row(0)).toBeUndefined();
    expect(b.store(0, ['new'], fresh)).toBe(true);
    expect(b.row(0)).toBe('new');
  });

  it('makes a failed block missing again so it is retried', () => {
    const b = new RowBlocks<string>(10);
    const g = b.current;
    b.markPending(0);
    expect(b.missing(0, 5)).toEqual([]);
    b.fail(0, g);
    expect(b.missing(0, 5)).toEqual([0]);
  });

  it('rejects a block size that cannot page', () => {
    expect(() => new RowBlocks(0)).toThrow(RangeError);
  });
});
