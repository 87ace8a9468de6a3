// The table's selection gestures: what each click and key reports to the
// parent (which owns the selection).
import { flushSync, mount, unmount } from 'svelte';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Column } from '../lib/columns';
import VirtualTable from './VirtualTable.svelte';
import { fakeLayout } from './fakeLayout';

interface Row {
  id: number;
}

beforeAll(() => fakeLayout(320));

const columns: Column<Row>[] = [{ id: 'id', label: 'Id', width: '1fr', value: (r) => `row ${r.id}` }];

describe('VirtualTable selection', () => {
  let component: ReturnType<typeof mount> | null = null;
  afterEach(() => {
    if (component) unmount(component);
    component = null;
    document.body.innerHTML = '';
  });

  function render(selected: Set<number> = new Set()) {
    const calls = { onselect: vi.fn(), onanchor: vi.fn(), onselectall: vi.fn(), onheader: vi.fn(), onopen: vi.fn() };
    component = mount(VirtualTable<Row>, {
      target: document.body,
      props: {
        label: 'Test',
        columns,
        rowCount: 50,
        rowHeight: 32,
        row: (i: number) => ({ id: i }),
        rowKey: (r: Row) => String(r.id),
        rowTestId: 'test-row',
        onopen: calls.onopen,
        selectable: {
          isSelected: (r: Row) => selected.has(r.id),
          onselect: calls.onselect,
          onanchor: calls.onanchor,
          onselectall: calls.onselectall,
          header: selected.size > 0 ? 'some' : 'none',
          onheader: calls.onheader,
          label: (r: Row) => `invoice ${r.id}`,
        },
      },
    });
    flushSync();
    const rows = [...document.querySelectorAll<HTMLElement>('[data-testid="test-row"]')];
    const grid = document.querySelector<HTMLElement>('[role="grid"]');
    if (!grid) throw new Error('no grid');
    return { calls, rows, grid };
  }

  const key = (grid: HTMLElement, k: string, init: KeyboardEventInit = {}) => {
    grid.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true, cancelable: true, ...init }));
    flushSync();
  };

  it('marks selected rows for assistive technology and names each box', () => {
    const { rows, grid } = render(new Set([1]));
    expect(grid.getAttribute('aria-multiselectable')).toBe('true');
    expect(rows[1]?.getAttribute('aria-selected')).toBe('true');
    expect(rows[0]?.getAttribute('aria-selected')).toBe('false');
    expect(rows[1]?.querySelector('[role="checkbox"]')?.getAttribute('aria-label')).toBe('Select invoice 1');
  });

  it('a click on the box toggles, Shift+click ranges, Ctrl+click toggles, a plain click opens and anchors', () => {
    const { calls, rows } = render();
    rows[2]?.querySelector<HTMLElement>('[data-testid="row-check"]')?.click();
    expect(calls.onselect).toHaveBeenLastCalledWith(2, 'toggle');
    rows[5]?.dispatchEvent(new MouseEvent('click', { bubbles: true, shiftKey: true }));
    expect(calls.onselect).toHaveBeenLastCalledWith(5, 'range');
    rows[6]?.dispatchEvent(new MouseEvent('click', { bubbles: true, ctrlKey: true }));
    expect(calls.onselect).toHaveBeenLastCalledWith(6, 'toggle');
    expect(calls.onopen).not.toHaveBeenCalled();
    rows[7]?.dispatchEvent(new MouseEvent('click', { bubbles: true }));
    expect(calls.onopen).toHaveBeenCalledWith(7, { id: 7 });
    expect(calls.onanchor).toHaveBeenLastCalledWith(7);
  });

  it('Space toggles the active row, Enter opens it, Shift+arrows extend, arrows move the anchor', () => {
    const { calls, grid } = render();
    key(grid, 'ArrowDown');
    expect(calls.onanchor).toHaveBeenLastCalledWith(0);
    key(grid, ' ');
    expect(calls.onselect).toHaveBeenLastCalledWith(0, 'toggle');
    key(grid, 'ArrowDown', { shiftKey: true });
    expect(calls.onselect).toHaveBeenLastCalledWith(1, 'range');
    key(grid, 'Enter');
    expect(calls.onopen).toHaveBeenCalledWith(1, { id: 1 });
  });

  it('Ctrl+A and Cmd+A ask for select-all instead of selecting the page text', () => {
    const { calls, grid } = render();
    const event = new KeyboardEvent('keydown', { key: 'a', ctrlKey: true, bubbles: true, cancelable: true });
    grid.dispatchEvent(event);
    expect(event.defaultPrevented).toBe(true);
    key(grid, 'A', { metaKey: true });
    expect(calls.onselectall).toHaveBeenCalledTimes(2);
  });

  it('the header box reports its click', () => {
    const { calls } = render(new Set([3]));
    const header = document.querySelector<HTMLElement>('[data-testid="select-all"]');
    expect(header?.getAttribute('aria-checked')).toBe('mixed');
    header?.click();
    expect(calls.onheader).toHaveBeenCalledOnce();
  });
});
