// What the Integrations page says about the two OAuth sources (QuickBooks
// Online, Zoho Books) and every card's health, as plain functions the
// components call and the tests pin down. Times are relative to a `now`
// passed in, so the tests control the clock.

import { formatInstant, formatRelative } from './dates';
import type {
  DailyQuotaSeen,
  IntegrationCard,
  IntegrationKind,
  OAuthClientSettings,
  OAuthConnection,
  OAuthEnvironment,
  OAuthHealth,
  OAuthProvider,
  RedirectKind,
  SaveOAuthClientRequest,
  UiError,
  ZohoOrganization,
} from './wire';

export type { OAuthProvider };

export interface ProviderText {
  /** "QuickBooks" in buttons, the card's title elsewhere. */
  short: string;
  /** What the user connects to at this provider: a company or an organization. */
  accountNoun: 'company' | 'organization';
}

export const PROVIDER_TEXT: Record<OAuthProvider, ProviderText> = {
  quickbooks: { short: 'QuickBooks', accountNoun: 'company' },
  zoho: { short: 'Zoho Books', accountNoun: 'organization' },
};

export function isOAuthProvider(kind: IntegrationKind): kind is OAuthProvider {
  return kind === 'quickbooks' || kind === 'zoho';
}

/**
 * Zoho keeps at most 20 refresh tokens per user and client: the 21st consent
 * silently deletes the oldest, which can disconnect another Casebridge
 * install (or the CLI) signed in with the same Zoho user.
 */
export const ZOHO_REFRESH_TOKEN_WARNING =
  'Zoho keeps at most 20 sign-ins (refresh tokens) per user for an app; each reconnect uses one and the 21st silently ends the oldest. If Casebridge also runs on another computer or in the CLI with this Zoho user, that one may need to reconnect too.';

/** The connect button's words for a card in this status. */
export function connectLabel(provider: OAuthProvider, status: IntegrationCard['status']): string {
  const name = PROVIDER_TEXT[provider].short;
  switch (status) {
    case 'not_connected':
      return `Connect ${name}`;
    case 'needs_reconnect':
      return `Reconnect ${name}`;
    case 'connected':
    case 'error':
      return provider === 'zoho' ? 'Sign in again' : 'Connect another company';
  }
}

/** Whether starting a sign-in now is a reconnect (and Zoho's warning applies). */
export function isReconnect(status: IntegrationCard['status']): boolean {
  return status !== 'not_connected';
}

export type FailureKind = 'denied' | 'timed_out' | 'cancelled' | 'other';

/**
 * Sorts a failed sign-in by its stable error code so the page can title it.
 * The codes are the engine's (`oauth_access_denied`, `oauth_timeout`, …); the
 * match is on the words so `access_denied` from the provider reads the same.
 */
export function failureKind(error: UiError): FailureKind {
  const code = error.code.toLowerCase();
  if (code.includes('denied')) return 'denied';
  if (code.includes('timeout') || code.includes('timed_out')) return 'timed_out';
  if (code.includes('cancel')) return 'cancelled';
  return 'other';
}

export function failureTitle(provider: OAuthProvider, error: UiError): string {
  const name = PROVIDER_TEXT[provider].short;
  switch (failureKind(error)) {
    case 'denied':
      return `${name} was not connected: access was declined in the browser`;
    case 'timed_out':
      return `${name} was not connected: no answer from the browser in time`;
    case 'cancelled':
      return `${name} sign-in was cancelled`;
    case 'other':
      return `${name} was not connected`;
  }
}

/** One line of the health panel. `title` is the exact time, for a tooltip. */
export interface HealthRow {
  key: string;
  label: string;
  value: string;
  title?: string;
  /** Draws attention (expired token, old refresh token). */
  warn?: boolean;
}

const DAY = 86_400_000;

/**
 * QuickBooks refresh tokens last 100 days from issue (rolling: every refresh
 * may issue a new one); Zoho's do not expire. Warn in the last two weeks.
 */
const QUICKBOOKS_REFRESH_DAYS = 100;
const REFRESH_WARN_DAYS = 14;

/** Days until `value`, negative when past; null when unknown or malformed. */
function daysUntil(value: string | null | undefined, now: Date): number | null {
  if (!value) return null;
  const t = new Date(value).getTime();
  if (Number.isNaN(t)) return null;
  return (t - now.getTime()) / DAY;
}

function timeRow(key: string, label: string, value: string, now: Date, warn = false): HealthRow {
  return { key, label, value: formatRelative(value, now), title: formatInstant(value), warn };
}

function refreshRows(oauth: OAuthHealth, now: Date): HealthRow[] {
  const issued = oauth.refreshTokenIssuedAt;
  if (!issued || Number.isNaN(new Date(issued).getTime())) return [];
  const age = timeRow('refresh-age', 'Refresh token issued', issued, now);
  if (oauth.provider === 'zoho') {
    return [age, { key: 'refresh-expiry', label: 'Sign-in valid until', value: 'does not expire (until revoked)' }];
  }
  const expires = new Date(new Date(issued).getTime() + QUICKBOOKS_REFRESH_DAYS * DAY).toISOString();
  const left = daysUntil(expires, now) ?? 0;
  const row = timeRow('refresh-expiry', 'Sign-in valid until', expires, now, left < REFRESH_WARN_DAYS);
  if (left <= 0) row.value = `expired ${row.value}: reconnect`;
  else row.value = `${row.value} (renewed as it is used)`;
  return [age, row];
}

/** A daily quota counts as nearly spent from this share on. */
const QUOTA_WARN_SHARE = 0.8;

const count = (n: number) => n.toLocaleString('en-US');

/** "312 of 10,000 used today, resets in 5 hours"; warns when 80 % is used. */
function quotaRow(quota: DailyQuotaSeen, now: Date): HealthRow {
  const used = quota.limit === null ? `${count(quota.used)} used today` : `${count(quota.used)} of ${count(quota.limit)} used today`;
  const resets = quota.resetsAt ? `, resets ${formatRelative(quota.resetsAt, now)}` : '';
  return {
    key: 'daily-quota',
    label: 'Daily request quota',
    value: `${used}${resets}`,
    title: `Counted ${formatInstant(quota.countedAt)}`,
    warn: quota.limit !== null && quota.limit > 0 && quota.used >= quota.limit * QUOTA_WARN_SHARE,
  };
}

/** The Files card has no connection: it says which file was imported last, and when. */
function fileRows(card: IntegrationCard, now: Date): HealthRow[] {
  if (!card.lastSuccessAt) return [{ key: 'last-success', label: 'Last import', value: 'none yet' }];
  const rows = [timeRow('last-success', 'Last import', card.lastSuccessAt, now)];
  if (card.account) rows.push({ key: 'account', label: 'File', value: card.account });
  return rows;
}

/**
 * The health rows of one card: the account (company / organization), the
 * environment, last successful fetch, token expiry, refresh-token age and
 * validity, the daily quota, each only when known, and the source's rate limits.
 */
export function healthRows(card: IntegrationCard, now: Date): HealthRow[] {
  const rows = card.kind === 'files' ? fileRows(card, now) : connectionRows(card, now);
  if (card.dailyQuota) rows.push(quotaRow(card.dailyQuota, now));
  if (card.rateLimits) rows.push({ key: 'rate-limits', label: 'Rate limits', value: card.rateLimits });
  return rows;
}

function connectionRows(card: IntegrationCard, now: Date): HealthRow[] {
  const rows: HealthRow[] = [];
  const oauth = card.oauth ?? null;
  if (oauth?.needsOrganization) {
    rows.push({ key: 'account', label: 'Organization', value: 'not chosen yet', warn: true });
  } else if (card.account) {
    const label = card.kind === 'quickbooks' ? 'Company' : card.kind === 'zoho' ? 'Organization' : 'Account';
    rows.push({ key: 'account', label, value: card.account });
  }
  // Zoho's environment is its data centre; one row says it.
  if (card.environment && card.environment !== oauth?.dataCentre) {
    rows.push({ key: 'environment', label: 'Environment', value: card.environment });
  }
  if (oauth?.dataCentre) rows.push({ key: 'data-centre', label: 'Data centre', value: oauth.dataCentre });
  if (card.status !== 'not_connected') {
    // The agency is not fetched from: its time is the last call that worked.
    const label = card.kind === 'agency' ? 'Last successful call' : 'Last successful fetch';
    rows.push(
      card.lastSuccessAt
        ? timeRow('last-success', label, card.lastSuccessAt, now)
        : { key: 'last-success', label, value: 'never' },
    );
  }
  if (card.tokenExpiresAt) {
    const expired = (daysUntil(card.tokenExpiresAt, now) ?? 1) <= 0;
    const row = timeRow('token-expiry', 'Access token expires', card.tokenExpiresAt, now);
    if (expired) {
      row.label = 'Access token expired';
      // Normal while the sign-in works: it is refreshed on the next call.
      if (card.status !== 'needs_reconnect') row.value = `${row.value} (renewed on the next fetch)`;
    }
    rows.push(row);
  }
  if (oauth && card.status !== 'not_connected') rows.push(...refreshRows(oauth, now));
  return rows;
}

// ---- organization picker ------------------------------------------------

/** A company or organization the user may choose, as the picker shows it. */
export interface OrgChoice {
  id: string;
  name: string;
  /** Extra words under the name: currency, country, time zone. */
  detail: string | null;
  /** The provider's default organization: marked, never preselected. */
  isDefault: boolean;
  /** Inactive organizations are listed but cannot be chosen. */
  active: boolean;
}

export function orgChoices(orgs: readonly ZohoOrganization[]): OrgChoice[] {
  return orgs.map((o) => ({
    id: o.organizationId,
    name: o.name,
    detail: o.currencyCode ? `Currency ${o.currencyCode}` : null,
    isDefault: o.isDefault,
    active: o.isActive,
  }));
}

/** What the page does after a sign-in came back: show the company, or ask for the organization. */
export function signInOutcome(
  connection: OAuthConnection,
): { kind: 'connected'; account: string; warning: UiError | null } | { kind: 'choose'; orgs: OrgChoice[] } {
  if (connection.needsOrganization) return { kind: 'choose', orgs: orgChoices(connection.organizations) };
  const noun = PROVIDER_TEXT[connection.provider].accountNoun;
  const account = connection.company ?? (connection.accountId ? `${noun} ${connection.accountId}` : `the ${noun}`);
  return { kind: 'connected', account, warning: connection.warning };
}

/** Active first, then by name; the default is not moved to the top so the user reads the list. */
export function sortOrgs(orgs: readonly OrgChoice[]): OrgChoice[] {
  return [...orgs].sort((a, b) => Number(b.active) - Number(a.active) || a.name.localeCompare(b.name));
}

/** Why the choice cannot be confirmed yet, or null when it can. */
export function choiceProblem(orgs: readonly OrgChoice[], chosenId: string | null): string | null {
  if (orgs.length === 0) return 'This sign-in can see no organization. Sign in with a user that belongs to one.';
  if (chosenId === null) return 'Choose an organization to continue.';
  const org = orgs.find((o) => o.id === chosenId);
  if (!org) return 'That organization is no longer in the list. Choose another one.';
  if (!org.active) return `${org.name} is inactive in Zoho Books. Choose an active organization.`;
  return null;
}

// ---- fetch filters --------------------------------------------------------

export interface DateFilterForm {
  createdFrom: string;
  createdTo: string;
  dueFrom: string;
  dueTo: string;
}

export interface DateFilters {
  createdFrom: string | null;
  createdTo: string | null;
  dueFrom: string | null;
  dueTo: string | null;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The fetch's date filters from the form, or what is wrong with them: a
 * malformed date, or a range that ends before it starts (the provider would
 * answer with nothing, which looks like "no unpaid invoices").
 */
export function dateFilters(form: DateFilterForm): { ok: DateFilters } | { problem: string } {
  const out: DateFilters = { createdFrom: null, createdTo: null, dueFrom: null, dueTo: null };
  const labels: Record<keyof DateFilters, string> = {
    createdFrom: 'Created from',
    createdTo: 'Created to',
    dueFrom: 'Due from',
    dueTo: 'Due to',
  };
  for (const key of Object.keys(labels) as (keyof DateFilters)[]) {
    const v = form[key].trim();
    if (v === '') continue;
    if (!ISO_DATE.test(v) || Number.isNaN(Date.parse(`${v}T00:00:00Z`))) {
      return { problem: `${labels[key]} is not a date (YYYY-MM-DD): ${v}` };
    }
    out[key] = v;
  }
  if (out.createdFrom && out.createdTo && out.createdFrom > out.createdTo) {
    return { problem: 'The created range ends before it starts.' };
  }
  if (out.dueFrom && out.dueTo && out.dueFrom > out.dueTo) {
    return { problem: 'The due range ends before it starts.' };
  }
  return { ok: out };
}

// ---- provider app (client id and secret) ---------------------------------

export interface ClientForm {
  clientId: string;
  /** Empty keeps the stored secret. */
  clientSecret: string;
  environment: OAuthEnvironment;
  redirect: RedirectKind;
  /** One per line; empty = the defaults. */
  redirectUris: string;
}

export function clientForm(settings: OAuthClientSettings): ClientForm {
  return {
    clientId: settings.clientId ?? '',
    clientSecret: '',
    environment: settings.environment,
    redirect: settings.redirect,
    redirectUris: settings.redirectUris.join('\n'),
  };
}

const LOOPBACK_URI = /^http:\/\/(127\.0\.0\.1|localhost)(:\d{1,5})?\/\S*$/;
const HTTPS_URI = /^https:\/\/[^/\s]+\/\S*$/;

/**
 * The save request, or what to fix first. Each check is one the provider
 * would otherwise fail on much later, in the browser.
 */
export function clientRequest(
  provider: OAuthProvider,
  form: ClientForm,
  secretStored: boolean,
): { ok: SaveOAuthClientRequest } | { problem: string } {
  const name = PROVIDER_TEXT[provider].short;
  const clientId = form.clientId.trim();
  const clientSecret = form.clientSecret.trim();
  if (clientId === '') return { problem: `Enter the client ID of your ${name} app.` };
  if (clientSecret === '' && !secretStored) return { problem: `Enter the client secret of your ${name} app.` };
  const redirectUris = form.redirectUris
    .split('\n')
    .map((u) => u.trim())
    .filter((u) => u !== '');
  if (form.redirect === 'loopback') {
    const bad = redirectUris.find((u) => !LOOPBACK_URI.test(u));
    if (bad) return { problem: `A loopback redirect must be http://127.0.0.1/… or http://localhost/… : ${bad}` };
    if (provider === 'quickbooks' && form.environment === 'production') {
      return { problem: 'QuickBooks production apps only accept HTTPS redirects: choose the deep link with a bounce page.' };
    }
  } else {
    if (redirectUris.length === 0) return { problem: 'Enter the address of the HTTPS bounce page registered with the app.' };
    const bad = redirectUris.find((u) => !HTTPS_URI.test(u));
    if (bad) return { problem: `The bounce page must be an https:// address: ${bad}` };
  }
  return {
    ok: {
      provider,
      clientId,
      clientSecret: clientSecret === '' ? null : clientSecret,
      // Zoho has no separate sandbox apps.
      environment: provider === 'zoho' ? 'production' : form.environment,
      redirect: form.redirect,
      redirectUris,
    },
  };
}
