import { describe, expect, it } from 'vitest';
import {
  choiceProblem,
  clientRequest,
  connectLabel,
  dateFilters,
  failureKind,
  failureTitle,
  healthRows,
  orgChoices,
  signInOutcome,
  sortOrgs,
  type OrgChoice,
} from './oauth';
import { integrationCard, oauthHealth } from './cardFixtures';
import type { IntegrationCard, OAuthConnection, OAuthHealth } from './wire';

const now = new Date('2026-03-10T12:00:00Z');

const card = (partial: Partial<IntegrationCard>): IntegrationCard =>
  integrationCard('quickbooks', { title: 'QuickBooks Online', status: 'connected', ...partial });

const oauth = (partial: Partial<OAuthHealth>): OAuthHealth => oauthHealth('quickbooks', { environment: 'sandbox', ...partial });

const row = (rows: ReturnType<typeof healthRows>, key: string) => rows.find((r) => r.key === key);

describe('connectLabel', () => {
  it('says connect, reconnect or sign in again by status', () => {
    expect(connectLabel('quickbooks', 'not_connected')).toBe('Connect QuickBooks');
    expect(connectLabel('zoho', 'needs_reconnect')).toBe('Reconnect Zoho Books');
    expect(connectLabel('quickbooks', 'connected')).toBe('Connect another company');
    expect(connectLabel('zoho', 'error')).toBe('Sign in again');
  });
});

describe('failureKind and failureTitle', () => {
  const err = (code: string) => ({ code, message: 'm', hint: 'h' });

  it('tells a declined consent, a time-out and a cancel apart by code', () => {
    expect(failureKind(err('oauth_access_denied'))).toBe('denied');
    expect(failureKind(err('oauth_timeout'))).toBe('timed_out');
    expect(failureKind(err('oauth_cancelled'))).toBe('cancelled');
    expect(failureKind(err('oauth_state_mismatch'))).toBe('other');
  });

  it('titles each with the provider name', () => {
    expect(failureTitle('zoho', err('oauth_access_denied'))).toMatch(/^Zoho Books was not connected: access was declined/);
    expect(failureTitle('quickbooks', err('oauth_timeout'))).toMatch(/no answer from the browser in time/);
  });
});

describe('healthRows', () => {
  it('shows nothing but the account for a card that is not connected', () => {
    const rows = healthRows(card({ status: 'not_connected' }), now);
    expect(rows).toEqual([]);
  });

  it('names the QuickBooks company and counts relative times from the given now', () => {
    const rows = healthRows(
      card({ account: 'Sandbox Company US 1', environment: 'sandbox', lastSuccessAt: '2026-03-10T11:55:00Z', tokenExpiresAt: '2026-03-10T12:45:00Z' }),
      now,
    );
    expect(row(rows, 'account')).toMatchObject({ label: 'Company', value: 'Sandbox Company US 1' });
    expect(row(rows, 'last-success')?.value).toBe('5 minutes ago');
    expect(row(rows, 'token-expiry')).toMatchObject({ label: 'Access token expires', value: 'in 45 minutes' });
  });

  it('says never for a connection that never fetched', () => {
    expect(row(healthRows(card({}), now), 'last-success')?.value).toBe('never');
  });

  it('calls the agency time the last successful call, not a fetch', () => {
    expect(row(healthRows(card({ kind: 'agency', lastSuccessAt: '2026-03-10T11:59:00Z' }), now), 'last-success')).toMatchObject({
      label: 'Last successful call',
      value: '1 minute ago',
    });
  });

  it('explains an expired access token as normal (renewed on the next fetch)', () => {
    const r = row(healthRows(card({ tokenExpiresAt: '2026-03-10T10:00:00Z' }), now), 'token-expiry');
    expect(r?.label).toBe('Access token expired');
    expect(r?.value).toBe('2 hours ago (renewed on the next fetch)');
    // Not when the sign-in itself is gone.
    const dead = row(healthRows(card({ status: 'needs_reconnect', tokenExpiresAt: '2026-03-10T10:00:00Z' }), now), 'token-expiry');
    expect(dead?.value).toBe('2 hours ago');
  });

  it('ages the QuickBooks refresh token and warns in its last two weeks of 100 days', () => {
    const fresh = healthRows(card({ oauth: oauth({ refreshTokenIssuedAt: '2026-03-07T12:00:00Z' }) }), now);
    expect(row(fresh, 'refresh-age')?.value).toBe('3 days ago');
    expect(row(fresh, 'refresh-expiry')).toMatchObject({ warn: false });
    expect(row(fresh, 'refresh-expiry')?.value).toBe('in 97 days (renewed as it is used)');

    const old = healthRows(card({ oauth: oauth({ refreshTokenIssuedAt: '2025-12-05T12:00:00Z' }) }), now);
    expect(row(old, 'refresh-expiry')).toMatchObject({ warn: true });

    const dead = healthRows(card({ oauth: oauth({ refreshTokenIssuedAt: '2025-11-01T12:00:00Z' }) }), now);
    expect(row(dead, 'refresh-expiry')?.value).toMatch(/^expired .* ago: reconnect$/);
  });

  it('says Zoho sign-ins do not expire, and shows the data centre', () => {
    const rows = healthRows(
      card({ kind: 'zoho', account: 'Acme GmbH', oauth: oauth({ provider: 'zoho', dataCentre: 'eu', refreshTokenIssuedAt: '2026-03-09T12:00:00Z' }) }),
      now,
    );
    expect(row(rows, 'account')).toMatchObject({ label: 'Organization', value: 'Acme GmbH' });
    expect(row(rows, 'data-centre')?.value).toBe('eu');
    expect(row(healthRows(card({ kind: 'zoho', environment: 'eu', oauth: oauth({ provider: 'zoho', dataCentre: 'eu' }) }), now), 'environment')).toBeUndefined();
    expect(row(rows, 'refresh-expiry')?.value).toMatch(/does not expire/);
  });

  it('flags a Zoho sign-in that still waits for its organization', () => {
    const rows = healthRows(card({ kind: 'zoho', account: 'ignored', oauth: oauth({ provider: 'zoho', needsOrganization: true }) }), now);
    expect(row(rows, 'account')).toMatchObject({ value: 'not chosen yet', warn: true });
  });

  it('ignores a malformed refresh-token time instead of showing "Invalid Date"', () => {
    const rows = healthRows(card({ oauth: oauth({ refreshTokenIssuedAt: 'yesterday' }) }), now);
    expect(row(rows, 'refresh-age')).toBeUndefined();
  });

  it('shows the daily quota the last fetch left, warning from 80 % used', () => {
    const quota = (used: number, limit: number | null, resetsAt: string | null = null) =>
      row(healthRows(card({ kind: 'zoho', dailyQuota: { used, limit, countedAt: '2026-03-10T11:00:00Z', resetsAt } }), now), 'daily-quota');
    expect(quota(312, 10_000, '2026-03-10T17:00:00Z')).toMatchObject({
      label: 'Daily request quota',
      value: '312 of 10,000 used today, resets in 5 hours',
      warn: false,
    });
    expect(quota(799, 1_000)?.warn).toBe(false);
    expect(quota(800, 1_000)).toMatchObject({ value: '800 of 1,000 used today', warn: true });
    expect(quota(57, null)).toMatchObject({ value: '57 used today', warn: false });
    expect(row(healthRows(card({ kind: 'zoho' }), now), 'daily-quota')).toBeUndefined();
  });

  it('ends with the source\'s rate limits, connected or not', () => {
    const limits = 'QuickBooks allows 10 requests a second.';
    const rows = healthRows(card({ status: 'not_connected', rateLimits: limits }), now);
    expect(rows).toEqual([{ key: 'rate-limits', label: 'Rate limits', value: limits }]);
    expect(healthRows(card({ lastSuccessAt: '2026-03-10T11:00:00Z', rateLimits: limits }), now).at(-1)?.key).toBe('rate-limits');
  });

  it('says which file was imported last and when, on the Files card', () => {
    expect(healthRows(card({ kind: 'files', status: 'not_connected' }), now)).toEqual([
      { key: 'last-success', label: 'Last import', value: 'none yet' },
    ]);
    const rows = healthRows(card({ kind: 'files', status: 'not_connected', account: 'march.csv', lastSuccessAt: '2026-03-10T11:58:00Z' }), now);
    expect(row(rows, 'last-success')?.value).toBe('2 minutes ago');
    expect(row(rows, 'account')).toMatchObject({ label: 'File', value: 'march.csv' });
  });
});

describe('organizations', () => {
  const orgs: OrgChoice[] = [
    { id: '3', name: 'Zeta', detail: null, isDefault: true, active: true },
    { id: '1', name: 'Alpha', detail: null, isDefault: false, active: false },
    { id: '2', name: 'Beta', detail: null, isDefault: false, active: true },
  ];

  it('lists active ones first by name, leaving the default where its name puts it', () => {
    expect(sortOrgs(orgs).map((o) => o.name)).toEqual(['Beta', 'Zeta', 'Alpha']);
  });

  it('needs an explicit, active choice', () => {
    expect(choiceProblem(orgs, null)).toMatch(/Choose an organization/);
    expect(choiceProblem(orgs, '1')).toMatch(/Alpha is inactive/);
    expect(choiceProblem(orgs, '9')).toMatch(/no longer in the list/);
    expect(choiceProblem([], null)).toMatch(/no organization/);
    expect(choiceProblem(orgs, '2')).toBeNull();
  });

  it('maps the engine list, currency as detail', () => {
    expect(
      orgChoices([{ organizationId: '77', name: 'Acme', currencyCode: 'EUR', isDefault: true, isActive: true }]),
    ).toEqual([{ id: '77', name: 'Acme', detail: 'Currency EUR', isDefault: true, active: true }]);
  });
});

describe('signInOutcome', () => {
  const base: OAuthConnection = {
    provider: 'quickbooks',
    environment: 'sandbox',
    company: null,
    accountId: null,
    dataCentre: null,
    needsOrganization: false,
    organizations: [],
    warning: null,
  };

  it('names the company, or its id when QuickBooks gave no name', () => {
    expect(signInOutcome({ ...base, company: 'Craig’s Design' })).toMatchObject({ kind: 'connected', account: 'Craig’s Design' });
    expect(signInOutcome({ ...base, accountId: '9130' })).toMatchObject({ kind: 'connected', account: 'company 9130' });
  });

  it('asks for the organization when Zoho needs one, never taking the default', () => {
    const out = signInOutcome({
      ...base,
      provider: 'zoho',
      needsOrganization: true,
      organizations: [{ organizationId: '1', name: 'A', currencyCode: null, isDefault: true, isActive: true }],
    });
    expect(out).toEqual({ kind: 'choose', orgs: [{ id: '1', name: 'A', detail: null, isDefault: true, active: true }] });
  });
});

describe('dateFilters', () => {
  const blank = { createdFrom: '', createdTo: '', dueFrom: '', dueTo: '' };

  it('turns blanks into no filter and keeps dates', () => {
    expect(dateFilters({ ...blank, dueTo: ' 2026-01-31 ' })).toEqual({
      ok: { createdFrom: null, createdTo: null, dueFrom: null, dueTo: '2026-01-31' },
    });
  });

  it('refuses a malformed date, naming the field', () => {
    expect(dateFilters({ ...blank, createdFrom: '31/01/2026' })).toEqual({
      problem: 'Created from is not a date (YYYY-MM-DD): 31/01/2026',
    });
  });

  it('refuses ranges that end before they start', () => {
    expect(dateFilters({ ...blank, createdFrom: '2026-02-01', createdTo: '2026-01-01' })).toEqual({
      problem: 'The created range ends before it starts.',
    });
    expect(dateFilters({ ...blank, dueFrom: '2026-02-01', dueTo: '2026-01-01' })).toEqual({
      problem: 'The due range ends before it starts.',
    });
  });
});

describe('clientRequest', () => {
  const form = {
    clientId: ' ABC123 ',
    clientSecret: '',
    environment: 'sandbox' as const,
    redirect: 'loopback' as const,
    redirectUris: 'http://localhost/callback\n\n http://127.0.0.1:8765/callback ',
  };

  it('trims, keeps a stored secret when the field is empty, and lists the redirect URIs', () => {
    expect(clientRequest('quickbooks', form, true)).toEqual({
      ok: {
        provider: 'quickbooks',
        clientId: 'ABC123',
        clientSecret: null,
        environment: 'sandbox',
        redirect: 'loopback',
        redirectUris: ['http://localhost/callback', 'http://127.0.0.1:8765/callback'],
      },
    });
  });

  it('asks for the client ID, and for the secret when none is stored', () => {
    expect(clientRequest('zoho', { ...form, clientId: ' ' }, true)).toEqual({ problem: 'Enter the client ID of your Zoho Books app.' });
    expect(clientRequest('zoho', form, false)).toEqual({ problem: 'Enter the client secret of your Zoho Books app.' });
  });

  it('refuses a loopback URI that is not on this computer', () => {
    const out = clientRequest('zoho', { ...form, redirectUris: 'http://0.0.0.0/callback' }, true);
    expect(out).toEqual({ problem: 'A loopback redirect must be http://127.0.0.1/… or http://localhost/… : http://0.0.0.0/callback' });
  });

  it('refuses QuickBooks production over plain http, and a bounce page that is not https', () => {
    expect(clientRequest('quickbooks', { ...form, environment: 'production' }, true)).toMatchObject({ problem: expect.stringMatching(/only accept HTTPS/) });
    expect(clientRequest('quickbooks', { ...form, redirect: 'deep_link', redirectUris: 'http://example.com/bounce' }, true)).toEqual({
      problem: 'The bounce page must be an https:// address: http://example.com/bounce',
    });
    expect(clientRequest('quickbooks', { ...form, redirect: 'deep_link', redirectUris: '' }, true)).toMatchObject({ problem: expect.stringMatching(/bounce page/) });
  });

  it('always saves Zoho as production (Zoho has no sandbox apps)', () => {
    const out = clientRequest('zoho', { ...form, clientSecret: 's3cret' }, false);
    expect(out).toMatchObject({ ok: { environment: 'production', clientSecret: 's3cret' } });
  });
});
