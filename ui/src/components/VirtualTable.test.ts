import { flushSync, mount, unmount } from 'svelte';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Column } from '../lib/columns';
import VirtualTable from './VirtualTable.svelte';
import { fakeLayout } from './fakeLayout';

interface Row {
  id: number;
}

const VIEWPORT = 320;
const ROW = 32;

beforeAll(() => fakeLayout(VIEWPORT));

const columns: Column<Row>[] = [{ id: 'id', label: 'Id', width: '1fr', value: (r) => `row ${r.id}` }];

describe('VirtualTable', () => {
  let component: ReturnType<typeof mount> | null = null;
  afterEach(() => {
    if (component) unmount(component);
    component = null;
    document.body.innerHTML = '';
  });

  function render(rowCount: number, onrange = vi.fn(), onopen = vi.fn()) {
    component = mount(VirtualTable<Row>, {
      target: document.body,
      props: {
        label: 'Test',
        columns,
        rowCount,
        rowHeight: ROW,
        row: (i: number) => ({ id: i }),
        rowKey: (r: Row) => String(r.id),
        rowTestId: 'test-row',
        onrange,
        onopen,
      },
    });
    flushSync();
    return { onrange, onopen };
  }

  it('renders a screenful of 100,000 rows, not all of them', () => {
    const { onrange } = render(100_000);
    const rows = document.querySelectorAll('[data-testid="test-row"]');
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.length).toBeLessThanOrEqual(VIEWPORT / ROW + 1 + 8);
    expect(rows[0]?.textContent?.trim()).toBe('row 0');
    const spacer = document.querySelector('.spacer') as HTMLElement;
    expect(spacer.style.height).toBe(`${100_000 * ROW}px`);
    expect(onrange).toHaveBeenLastCalledWith(0, rows.length);
    expect(document.querySelector('[role="grid"]')?.getAttribute('aria-rowcount')).toBe('100001');
  });

  it('moves the active row with the keyboard and opens it with Enter', () => {
    const { onopen } = render(50);
    const grid = document.querySelector('[role="grid"]') as HTMLElement;
    grid.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowDown', bubbles: true }));
    grid.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowDown', bubbles: true }));
    flushSync();
    const activeId = grid.getAttribute('aria-activedescendant');
    expect(activeId).toMatch(/-r1$/);
    grid.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    expect(onopen).toHaveBeenCalledWith(1, { id: 1 });
  });

  it('stops at the last row on End and ArrowDown', () => {
    render(3);
    const grid = document.querySelector('[role="grid"]') as HTMLElement;
    grid.dispatchEvent(new KeyboardEvent('keydown', { key: 'End', bubbles: true }));
    grid.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowDown', bubbles: true }));
    flushSync();
    expect(grid.getAttribute('aria-activedescendant')).toMatch(/-r2$/);
  });
});
