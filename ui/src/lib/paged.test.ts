import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PagedRows, type Page } from './paged.svelte';

interface Row {
  i: number;
}

function fakeEngine(total: number) {
  const calls: number[] = [];
  const fetchPage = vi.fn(async (offset: number, limit: number): Promise<Page<Row>> => {
    calls.push(offset);
    const rows = Array.from({ length: Math.max(0, Math.min(limit, total - offset)) }, (_, k) => ({ i: offset + k }));
    return { rows, total };
  });
  return { calls, fetchPage };
}

describe('PagedRows', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('loads the first block on reload and serves its rows', async () => {
    const { calls, fetchPage } = fakeEngine(100_000);
    const paged = new PagedRows<Row, Page<Row>>(fetchPage, 100);
    paged.reload();
    await vi.runAllTimersAsync();
    expect(calls).toEqual([0]);
    expect(paged.total).toBe(100_000);
    expect(paged.row(42)).toEqual({ i: 42 });
    expect(paged.row(100)).toBeUndefined();
  });

  it('fetches only where the view comes to rest, not every window it passed', async () => {
    const { calls, fetchPage } = fakeEngine(100_000);
    const paged = new PagedRows<Row, Page<Row>>(fetchPage, 100, 50);
    paged.reload();
    await vi.runAllTimersAsync();
    for (let start = 0; start < 99_000; start += 1_000) {
      paged.ensure(start, start + 40);
      await vi.advanceTimersByTimeAsync(10);
    }
    paged.ensure(99_950, 99_990);
    await vi.runAllTimersAsync();
    expect(calls).toEqual([0, 99_900]);
    expect(paged.row(99_989)).toEqual({ i: 99_989 });
  });

  it('drops rows of the previous query when the query changes mid-flight', async () => {
    let release: (() => void) | null = null;
    let query = 'old';
    const fetchPage = vi.fn(
      (offset: number) =>
        new Promise<Page<string>>((resolve) => {
          const answer = { rows: [`${query}-${offset}`], total: 1 };
          release = () => resolve(answer);
        }),
    );
    const paged = new PagedRows<string, Page<string>>(fetchPage, 1);
    paged.reload();
    const stale = release as unknown as () => void;
    query = 'new';
    paged.reload();
    stale();
    await vi.runAllTimersAsync();
    expect(paged.row(0)).toBeUndefined();
    (release as unknown as () => void)();
    await vi.runAllTimersAsync();
    expect(paged.row(0)).toBe('new-0');
  });

  it('keeps the error and lets a later scroll retry the block', async () => {
    let fail = true;
    const fetchPage = vi.fn(async (offset: number): Promise<Page<Row>> => {
      if (fail) throw { code: 'store_busy', message: 'The database is busy.', hint: 'Try again.' };
      return { rows: [{ i: offset }], total: 1 };
    });
    const paged = new PagedRows<Row, Page<Row>>(fetchPage, 1);
    paged.reload();
    await vi.runAllTimersAsync();
    expect(paged.error?.code).toBe('store_busy');
    fail = false;
    paged.ensure(0, 1);
    await vi.runAllTimersAsync();
    expect(paged.row(0)).toEqual({ i: 0 });
    expect(paged.error).toBeNull();
  });
});
