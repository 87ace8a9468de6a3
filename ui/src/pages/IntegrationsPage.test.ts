// The Integrations page puts the OAuth controls only where they can work:
// connect when the provider app is set up, the app form when it is not, fetch
// only once an organization is chosen, and the health of every card.
import { flushSync, mount, unmount } from 'svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { integrationCard, oauthHealth } from '../lib/cardFixtures';
import type { IntegrationCard } from '../lib/wire';

const cards: IntegrationCard[] = [];

vi.mock('../lib/api', () => ({
  api: {
    integrations: vi.fn(async () => cards),
    oauthClientSettings: vi.fn(async (provider: 'quickbooks' | 'zoho') => ({
      provider,
      clientId: null,
      secretStored: false,
      environment: 'production',
      redirect: 'loopback',
      redirectUris: [],
      demo: false,
      ready: provider === 'zoho',
    })),
    onOAuthFinished: vi.fn(async () => () => {}),
    onJobProgress: vi.fn(async () => () => {}),
  },
}));

const oauth = oauthHealth;

const card = (partial: Partial<IntegrationCard>): IntegrationCard =>
  integrationCard('stripe', { title: 'T', blurb: 'B', ...partial });

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('IntegrationsPage', () => {
  let component: ReturnType<typeof mount> | null = null;
  afterEach(() => {
    if (component) unmount(component);
    component = null;
    document.body.innerHTML = '';
    cards.length = 0;
  });

  it('asks for the QuickBooks app first, and keeps Zoho from fetching until an organization is chosen', async () => {
    cards.push(
      card({ kind: 'quickbooks', title: 'QuickBooks Online', oauth: oauth('quickbooks', { clientReady: false }) }),
      card({ kind: 'zoho', title: 'Zoho Books', status: 'connected', oauth: oauth('zoho', { needsOrganization: true, dataCentre: 'eu' }) }),
    );
    const { default: IntegrationsPage } = await import('./IntegrationsPage.svelte');
    component = mount(IntegrationsPage, { target: document.body, props: { info: null } });
    await tick();
    await tick();
    flushSync();
    const q = (id: string) => document.querySelector(`[data-testid="${id}"]`);
    expect(q('quickbooks-needs-app')?.textContent).toContain('client ID and secret');
    expect(q('quickbooks-connect-start')).toBeNull();
    expect(q('quickbooks-app-form')).not.toBeNull();

    expect(q('zoho-choose-org')).not.toBeNull();
    expect(q('zoho-fetch')).toBeNull();
    expect(q('health-zoho-account')?.textContent).toBe('not chosen yet');
    expect(q('health-zoho-data-centre')?.textContent).toBe('eu');
  });

  it('offers fetch on a connected QuickBooks card, and the Files card links to Import with the last file', async () => {
    cards.push(
      card({ kind: 'quickbooks', status: 'connected', account: 'Craig’s Design', oauth: oauth('quickbooks', {}) }),
      card({
        kind: 'files',
        status: 'not_connected',
        account: 'march-invoices.xlsx',
        lastSuccessAt: new Date(Date.now() - 3 * 60_000).toISOString(),
      }),
    );
    const { default: IntegrationsPage } = await import('./IntegrationsPage.svelte');
    component = mount(IntegrationsPage, { target: document.body, props: { info: null } });
    await tick();
    await tick();
    flushSync();
    const q = (id: string) => document.querySelector(`[data-testid="${id}"]`);
    expect(q('quickbooks-fetch')).not.toBeNull();
    expect(q('health-quickbooks-account')?.textContent).toBe('Craig’s Design');
    expect(q('quickbooks-disconnect')).not.toBeNull();
    expect(q('files-import-link')?.getAttribute('href')).toBe('#/import');
    expect(q('health-files-account')?.textContent).toBe('march-invoices.xlsx');
    expect(q('health-files-last-success')?.textContent).toBe('3 minutes ago');
    // A file is not a connection: no "Not connected" on its card.
    expect(q('integration-files')?.querySelector('.status')).toBeNull();
  });
});
