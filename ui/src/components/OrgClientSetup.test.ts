// The provider app's settings on the card: the secret is only ever "stored",
// problems are caught before saving, and demo mode needs nothing.
import { flushSync, mount, unmount } from 'svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import OrgClientSetup from './OrgClientSetup.svelte';
import type { OAuthClientSettings, SaveOAuthClientRequest } from '../lib/wire';

const tick = () => new Promise((r) => setTimeout(r, 0));

const settings = (partial: Partial<OAuthClientSettings>): OAuthClientSettings => ({
  provider: 'quickbooks',
  clientId: null,
  secretStored: false,
  environment: 'sandbox',
  redirect: 'loopback',
  redirectUris: [],
  demo: false,
  ready: false,
  ...partial,
});

function setValue(el: HTMLInputElement | HTMLTextAreaElement | null, value: string) {
  if (!el) throw new Error('no field');
  el.value = value;
  el.dispatchEvent(new Event('input', { bubbles: true }));
}

describe('OrgClientSetup', () => {
  let component: ReturnType<typeof mount> | null = null;
  afterEach(() => {
    if (component) unmount(component);
    component = null;
    document.body.innerHTML = '';
  });

  async function render(initial: OAuthClientSettings, save = vi.fn(async (r: SaveOAuthClientRequest) => settings({ ...r, clientId: r.clientId, secretStored: true, ready: true }))) {
    const onsaved = vi.fn();
    component = mount(OrgClientSetup, {
      target: document.body,
      props: { provider: 'quickbooks', load: async () => initial, save, onsaved, startOpen: !initial.ready },
    });
    await tick();
    flushSync();
    const q = <T extends HTMLElement = HTMLElement>(id: string) => document.querySelector<T>(`[data-testid="${id}"]`);
    return { q, save, onsaved };
  }

  it('says demo mode needs no app and offers no form', async () => {
    const { q } = await render(settings({ demo: true, ready: true, clientId: 'casebridge-demo-client' }));
    expect(q('quickbooks-app-demo')?.textContent).toContain('demo QuickBooks app');
    expect(q('quickbooks-app-form')).toBeNull();
  });

  it('catches a missing secret before saving, then saves and folds away', async () => {
    const { q, save, onsaved } = await render(settings({}));
    setValue(q<HTMLInputElement>('quickbooks-client-id'), 'ABC');
    q('quickbooks-app-save')?.click();
    flushSync();
    expect(q('quickbooks-app-problem')?.textContent).toBe('Enter the client secret of your QuickBooks app.');
    expect(save).not.toHaveBeenCalled();

    setValue(q<HTMLInputElement>('quickbooks-client-secret'), 'shh');
    q('quickbooks-app-save')?.click();
    await tick();
    flushSync();
    expect(save).toHaveBeenCalledWith(expect.objectContaining({ clientId: 'ABC', clientSecret: 'shh', redirectUris: [] }));
    expect(onsaved).toHaveBeenCalled();
    expect(q('quickbooks-app-form')).toBeNull();
    expect(document.body.textContent).not.toContain('shh');
  });

  it('never shows a stored secret, only that one is stored', async () => {
    const { q } = await render(settings({ clientId: 'ABC', secretStored: true, ready: true }));
    q('quickbooks-app-open')?.click();
    flushSync();
    const secret = q<HTMLInputElement>('quickbooks-client-secret');
    expect(secret?.value).toBe('');
    expect(secret?.placeholder).toContain('Stored');
  });
});
