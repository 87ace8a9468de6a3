import { flushSync, mount, unmount } from 'svelte';
import { afterEach, describe, expect, it } from 'vitest';
import ErrorNotice from './ErrorNotice.svelte';

describe('ErrorNotice', () => {
  let component: ReturnType<typeof mount> | null = null;
  afterEach(() => {
    if (component) unmount(component);
    component = null;
    document.body.innerHTML = '';
  });

  it('shows the message and the hint, with the code folded away', () => {
    component = mount(ErrorNotice, {
      target: document.body,
      props: {
        error: { code: 'stripe_key_missing_permission', message: 'The key cannot read Customers.', hint: 'Create a restricted key with Customers: Read.' },
        title: 'Could not connect Stripe',
      },
    });
    flushSync();
    const root = document.querySelector('[data-testid="error-notice"]');
    expect(root?.getAttribute('role')).toBe('alert');
    expect(root?.getAttribute('data-code')).toBe('stripe_key_missing_permission');
    expect(root?.querySelector('.title')?.textContent).toBe('Could not connect Stripe');
    expect(root?.querySelector('.message')?.textContent).toBe('The key cannot read Customers.');
    expect(root?.querySelector('.hint')?.textContent).toBe('Create a restricted key with Customers: Read.');
    const details = root?.querySelector('details');
    expect(details?.open).toBe(false);
    expect(details?.querySelector('code')?.textContent).toBe('stripe_key_missing_permission');
  });

  it('has no title line when none is given', () => {
    component = mount(ErrorNotice, {
      target: document.body,
      props: { error: { code: 'x', message: 'm', hint: 'h' } },
    });
    flushSync();
    expect(document.querySelector('.title')).toBeNull();
  });
});
