// Connecting an OAuth source from its card: the browser wait with Cancel,
// what a declined consent says, the company's name, Zoho's reconnect warning
// (Esc leaves it) and the organization picker.
import { flushSync, mount, unmount } from 'svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import OrgConnect from './OrgConnect.svelte';
import type { OAuthProvider } from '../lib/oauth';
import { SignInFlow, type SignInCommands, type SignInStarted } from '../lib/oauthConnect.svelte';
import type { ConnectionStatus, OAuthConnection } from '../lib/wire';

const tick = () => new Promise((r) => setTimeout(r, 0));

function setup(
  provider: OAuthProvider,
  status: ConnectionStatus,
  extra: { needsOrganization?: boolean; ondisconnect?: () => Promise<void> } = {},
) {
  let finish!: { resolve: (c: OAuthConnection) => void; reject: (e: unknown) => void };
  const commands = {
    begin: vi.fn(async (): Promise<SignInStarted> => ({ authorizeUrl: 'http://127.0.0.1:1/oauth/authorize?client_id=x', warning: null })),
    organizations: vi.fn(async () => [
      { organizationId: '2', name: 'Beta GmbH', currencyCode: 'EUR', isDefault: false, isActive: true },
    ]),
    finish: vi.fn(() => new Promise<OAuthConnection>((resolve, reject) => (finish = { resolve, reject }))),
    cancel: vi.fn(async () => {
      finish.reject({ code: 'oauth_cancelled', message: 'The sign-in was cancelled.', hint: '' });
      return true;
    }),
    chooseOrg: vi.fn(async (_p: OAuthProvider, id: string) => ({
      provider: 'zoho' as const,
      environment: 'production' as const,
      company: id === '2' ? 'Beta GmbH' : 'Alpha',
      accountId: id,
      dataCentre: 'eu',
      needsOrganization: false,
      organizations: [],
      warning: null,
    })),
  } satisfies SignInCommands;
  const flow = new SignInFlow(commands);
  const target = document.createElement('div');
  document.body.appendChild(target);
  const component = mount(OrgConnect, { target, props: { provider, status, flow, demo: true, ...extra } });
  flushSync();
  const q = (id: string) => document.querySelector<HTMLElement>(`[data-testid="${id}"]`);
  return { flow, commands, component, q, finish: () => finish };
}

describe('OrgConnect', () => {
  let component: ReturnType<typeof mount> | null = null;
  afterEach(() => {
    if (component) unmount(component);
    component = null;
    document.body.innerHTML = '';
  });

  it('connects QuickBooks in one click: waits for the browser, then shows the company by name', async () => {
    const s = setup('quickbooks', 'not_connected');
    component = s.component;
    const start = s.q('quickbooks-connect-start');
    expect(start?.textContent?.trim()).toBe('Connect QuickBooks');
    start?.click();
    await tick();
    flushSync();
    const waiting = s.q('quickbooks-waiting');
    expect(waiting?.getAttribute('role')).toBe('status');
    expect(waiting?.textContent).toContain('Waiting for you to approve in your browser…');
    expect(s.q('quickbooks-authorize-url')?.textContent).toContain('/oauth/authorize');
    expect(s.q('quickbooks-cancel')).not.toBeNull();
    s.finish().resolve({
      provider: 'quickbooks',
      environment: 'sandbox',
      dataCentre: null,
      company: 'Sandbox Company US 1',
      accountId: '9130',
      needsOrganization: false,
      organizations: [],
      warning: null,
    });
    await tick();
    flushSync();
    expect(s.q('quickbooks-waiting')).toBeNull();
    expect(s.q('quickbooks-connected')?.textContent).toContain('Connected to Sandbox Company US 1.');
  });

  it('Cancel stops waiting and shows the button again, without an error', async () => {
    const s = setup('quickbooks', 'not_connected');
    component = s.component;
    s.q('quickbooks-connect-start')?.click();
    await tick();
    flushSync();
    s.q('quickbooks-cancel')?.click();
    await tick();
    flushSync();
    expect(s.commands.cancel).toHaveBeenCalledWith('quickbooks');
    expect(s.q('quickbooks-waiting')).toBeNull();
    expect(document.querySelector('[data-testid="error-notice"]')).toBeNull();
    expect(s.q('quickbooks-connect-start')?.textContent?.trim()).toBe('Connect QuickBooks');
  });

  it('says access was declined, with the engine message and hint, and offers to try again', async () => {
    const s = setup('quickbooks', 'not_connected');
    component = s.component;
    s.q('quickbooks-connect-start')?.click();
    await tick();
    s.finish().reject({
      code: 'oauth_access_denied',
      message: 'QuickBooks says access was denied.',
      hint: 'Connect again and click Connect on the QuickBooks page.',
    });
    await tick();
    flushSync();
    const notice = document.querySelector('[data-testid="error-notice"]');
    expect(notice?.getAttribute('data-code')).toBe('oauth_access_denied');
    expect(notice?.textContent).toContain('access was declined in the browser');
    expect(notice?.textContent).toContain('QuickBooks says access was denied.');
    expect(s.q('quickbooks-connect-start')?.textContent?.trim()).toBe('Try again');
  });

  it('explains needs-reconnect and warns about Zoho’s 20 refresh tokens before reconnecting; Esc leaves', async () => {
    const s = setup('zoho', 'needs_reconnect');
    component = s.component;
    expect(s.q('zoho-reconnect-why')?.textContent).toContain('no longer accepts the saved sign-in');
    const start = s.q('zoho-connect-start');
    expect(start?.textContent?.trim()).toBe('Reconnect Zoho Books');
    expect(start?.classList.contains('primary')).toBe(true);
    start?.click();
    flushSync();
    expect(s.q('zoho-refresh-token-warning')?.textContent).toContain('at most 20');
    expect(s.commands.begin).not.toHaveBeenCalled();
    expect(document.activeElement?.getAttribute('data-testid')).toBe('zoho-reconnect-confirm');
    s.q('zoho-reconnect-dialog')?.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    await tick();
    flushSync();
    expect(s.q('zoho-reconnect-dialog')).toBeNull();
    expect(s.commands.begin).not.toHaveBeenCalled();

    s.q('zoho-connect-start')?.click();
    flushSync();
    s.q('zoho-reconnect-confirm')?.click();
    await tick();
    flushSync();
    expect(s.commands.begin).toHaveBeenCalledWith('zoho');
    expect(s.q('zoho-waiting')).not.toBeNull();
  });

  it('lets the user choose the Zoho organization, none preselected, and confirms it', async () => {
    const s = setup('zoho', 'not_connected');
    component = s.component;
    s.q('zoho-connect-start')?.click();
    await tick();
    s.finish().resolve({
      provider: 'zoho',
      environment: 'production',
      dataCentre: 'eu',
      company: null,
      accountId: null,
      needsOrganization: true,
      organizations: [
        { organizationId: '1', name: 'Alpha', currencyCode: 'EUR', isDefault: true, isActive: true },
        { organizationId: '2', name: 'Beta GmbH', currencyCode: 'EUR', isDefault: false, isActive: true },
      ],
      warning: null,
    });
    await tick();
    flushSync();
    const options = document.querySelectorAll<HTMLInputElement>('[data-testid="org-option"] input');
    expect(options.length).toBe(2);
    expect([...options].some((o) => o.checked)).toBe(false);
    expect(document.querySelector('[data-org-id="1"]')?.textContent).toContain('default in Zoho Books');

    // Confirming without a choice says what to do and saves nothing.
    s.q('org-confirm')?.click();
    flushSync();
    expect(s.q('org-problem')?.textContent).toContain('Choose an organization');
    expect(s.commands.chooseOrg).not.toHaveBeenCalled();

    options[1]?.click();
    flushSync();
    s.q('org-confirm')?.click();
    await tick();
    flushSync();
    expect(s.commands.chooseOrg).toHaveBeenCalledWith('zoho', '2');
    expect(s.q('org-picker')).toBeNull();
    expect(s.q('zoho-connected')?.textContent).toContain('Connected to Beta GmbH.');
  });

  it('disables connecting a second source while one sign-in waits', async () => {
    const s = setup('quickbooks', 'not_connected');
    component = s.component;
    const target = document.createElement('div');
    document.body.appendChild(target);
    const zoho = mount(OrgConnect, { target, props: { provider: 'zoho', status: 'not_connected', flow: s.flow } });
    s.q('quickbooks-connect-start')?.click();
    await tick();
    flushSync();
    const other = s.q('zoho-connect-start') as HTMLButtonElement | null;
    expect(other?.disabled).toBe(true);
    expect(other?.title).toContain('Another sign-in is waiting');
    unmount(zoho);
  });

  it('asks once before disconnecting and says cached invoices stay', async () => {
    const ondisconnect = vi.fn(async () => {});
    const s = setup('quickbooks', 'connected', { ondisconnect });
    component = s.component;
    s.q('quickbooks-disconnect')?.click();
    flushSync();
    expect(s.q('quickbooks-disconnect-dialog')?.textContent).toMatch(/Invoices already\s+fetched stay/);
    expect(ondisconnect).not.toHaveBeenCalled();
    s.q('quickbooks-disconnect-confirm')?.click();
    await tick();
    flushSync();
    expect(ondisconnect).toHaveBeenCalledTimes(1);
    expect(s.q('quickbooks-disconnect-dialog')).toBeNull();
  });

  it('offers to choose a Zoho organization that was put off, loading the list first', async () => {
    const s = setup('zoho', 'connected', { needsOrganization: true });
    component = s.component;
    expect(s.q('zoho-needs-org')?.textContent).toContain('no organization is chosen yet');
    s.q('zoho-choose-org')?.click();
    await tick();
    flushSync();
    expect(s.commands.organizations).toHaveBeenCalled();
    expect(document.querySelectorAll('[data-testid="org-option"]').length).toBe(1);
  });
});
