// The dialog keeps keyboard focus inside and closes on Esc only when it may.
import { createRawSnippet, flushSync, mount, unmount } from 'svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import Modal from './Modal.svelte';

const body = createRawSnippet(() => ({
  render: () => '<div><button data-testid="first">First</button><button data-testid="last" data-autofocus>Last</button></div>',
}));

describe('Modal', () => {
  let component: ReturnType<typeof mount> | null = null;
  afterEach(() => {
    if (component) unmount(component);
    component = null;
    document.body.innerHTML = '';
  });

  function render(onclose: (() => void) | null) {
    const outside = document.createElement('button');
    outside.textContent = 'behind';
    document.body.appendChild(outside);
    outside.focus();
    const target = document.createElement('div');
    document.body.appendChild(target);
    component = mount(Modal, { target, props: { title: 'Confirm', onclose, children: body } });
    flushSync();
    const dialog = document.querySelector<HTMLElement>('[role="dialog"]');
    if (!dialog) throw new Error('no dialog');
    return { dialog, outside };
  }

  const tab = (dialog: HTMLElement, shiftKey = false) => {
    const event = new KeyboardEvent('keydown', { key: 'Tab', shiftKey, bubbles: true, cancelable: true });
    (document.activeElement ?? dialog).dispatchEvent(event);
    return event;
  };

  it('focuses the marked element and wraps Tab and Shift+Tab inside', () => {
    const { dialog } = render(vi.fn());
    expect(dialog.getAttribute('aria-modal')).toBe('true');
    expect(document.activeElement?.getAttribute('data-testid')).toBe('last');
    expect(tab(dialog).defaultPrevented).toBe(true);
    // First focusable is the header's Close button.
    expect(document.activeElement?.textContent?.trim()).toBe('Close');
    expect(tab(dialog, true).defaultPrevented).toBe(true);
    expect(document.activeElement?.getAttribute('data-testid')).toBe('last');
  });

  it('closes on Esc when it may, and returns focus to where it was on unmount', () => {
    const onclose = vi.fn();
    const { dialog, outside } = render(onclose);
    dialog.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    expect(onclose).toHaveBeenCalledOnce();
    if (component) unmount(component);
    component = null;
    expect(document.activeElement).toBe(outside);
  });

  it('has no Close button and ignores Esc while it must not be left', () => {
    const { dialog } = render(null);
    expect(dialog.querySelector('[data-testid="modal-close"]')).toBeNull();
    const event = new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, cancelable: true });
    dialog.dispatchEvent(event);
    expect(document.body.contains(dialog)).toBe(true);
  });
});
