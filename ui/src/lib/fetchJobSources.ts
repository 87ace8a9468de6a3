// The sources the Invoices fetch bar can fetch from (Stripe, QuickBooks
// Online, Zoho Books): which of them can fetch now and why the others
// cannot, which one the bar preselects, which filters each source's engine
// request honours, and the one window-wide job per source (the same objects
// the Integrations page drives, so a fetch started there shows here too).
//
// The engine keeps one fetch's cancel at a time and fetch progress events
// do not name their source, so the bar runs one fetch at a time.

import { fetchJob, type FetchJob } from './fetchJob.svelte';
import type { DateFilters } from './oauth';
import { providerFetches } from './oauthSession.svelte';
import type { FetchRequest, IntegrationCard, IntegrationKind } from './wire';

export type FetchSourceKind = Extract<IntegrationKind, 'stripe' | 'quickbooks' | 'zoho'>;

/** Picker order when the cards do not say otherwise. */
export const FETCH_SOURCE_KINDS: readonly FetchSourceKind[] = ['stripe', 'quickbooks', 'zoho'];

export function isFetchSource(kind: IntegrationKind): kind is FetchSourceKind {
  return (FETCH_SOURCE_KINDS as readonly IntegrationKind[]).includes(kind);
}

/** What a source's fetch can be narrowed by, as its engine request is read. */
export interface SourceFilters {
  /** The label of the `createdFrom`/`createdTo` range at this source. */
  created: string;
  /** The label of the `dueFrom`/`dueTo` range. */
  due: string;
  /** Stripe's `uncollectible` status; QuickBooks and Zoho have none (the engine ignores the flag). */
  uncollectible: boolean;
}

export interface FetchSourceText {
  name: string;
  filters: SourceFilters;
}

export const FETCH_SOURCE_TEXT: Record<FetchSourceKind, FetchSourceText> = {
  stripe: { name: 'Stripe', filters: { created: 'Created', due: 'Due', uncollectible: true } },
  // The engine's created range is QuickBooks' TxnDate (the invoice date): there is no creation filter.
  quickbooks: { name: 'QuickBooks Online', filters: { created: 'Invoice date', due: 'Due', uncollectible: false } },
  // Zoho Books filters on the invoice date too (`date_start`/`date_end`).
  zoho: { name: 'Zoho Books', filters: { created: 'Invoice date', due: 'Due', uncollectible: false } },
};

/** Why a source cannot fetch now: a few words for the picker, a little more for the line under it (which links to Integrations). */
export interface Unavailable {
  short: string;
  detail: string;
}

/** One entry of the source picker. */
export interface SourceChoice {
  kind: FetchSourceKind;
  name: string;
  /** Account, company or organization name; null when the engine does not know it. */
  account: string | null;
  /** Null when this source can fetch now. */
  unavailable: Unavailable | null;
  /** RFC 3339, the card's last successful fetch. */
  lastSuccessAt: string | null;
}

function whyUnavailable(card: IntegrationCard, name: string): Unavailable | null {
  if (card.oauth && !card.oauth.clientReady && card.status === 'not_connected') {
    return { short: 'not connected', detail: `not connected; your ${name} app (client ID and secret) is not set up yet` };
  }
  switch (card.status) {
    case 'not_connected':
      return { short: 'not connected', detail: 'not connected' };
    case 'needs_reconnect':
      return { short: 'needs reconnecting', detail: 'the sign-in stopped working; reconnect it' };
    case 'connected':
    case 'error':
      // A failed last fetch may work now; the card shows its error.
      if (card.oauth?.needsOrganization) {
        return { short: 'no organization chosen', detail: 'signed in, but no organization chosen yet' };
      }
      return null;
  }
}

/** The picker's entries, in the cards' order; cards that are no fetch source (files, agency) are left out. */
export function sourceChoices(cards: readonly IntegrationCard[]): SourceChoice[] {
  return cards
    .filter((c): c is IntegrationCard & { kind: FetchSourceKind } => isFetchSource(c.kind))
    .map((card) => {
      const name = FETCH_SOURCE_TEXT[card.kind].name;
      return {
        kind: card.kind,
        name,
        account: card.account,
        unavailable: whyUnavailable(card, name),
        lastSuccessAt: card.lastSuccessAt,
      };
    });
}

const instant = (value: string | null): number => {
  const t = value ? Date.parse(value) : Number.NaN;
  return Number.isNaN(t) ? Number.NEGATIVE_INFINITY : t;
};

/**
 * The source the picker starts on (unless a fetch runs, which is shown
 * instead): the only one that can fetch, else the one fetched last (the
 * latest successful fetch), else the first that can. Null when none can.
 */
export function defaultSource(choices: readonly SourceChoice[]): FetchSourceKind | null {
  const ready = choices.filter((c) => c.unavailable === null);
  let best: SourceChoice | null = null;
  for (const choice of ready) {
    if (best === null || instant(choice.lastSuccessAt) > instant(best.lastSuccessAt)) best = choice;
  }
  return best?.kind ?? null;
}

/** The window-wide fetch job of each source. */
export interface SourceJobs {
  stripe: FetchJob<FetchRequest>;
  quickbooks: FetchJob<DateFilters>;
  zoho: FetchJob<DateFilters>;
}

export const fetchJobs: SourceJobs = {
  stripe: fetchJob,
  quickbooks: providerFetches.quickbooks,
  zoho: providerFetches.zoho,
};

/** The source whose fetch runs now, if any. */
export function runningSource(jobs: SourceJobs): FetchSourceKind | null {
  return FETCH_SOURCE_KINDS.find((kind) => jobs[kind].running) ?? null;
}

/** How many fetches of any source have ended: the table re-reads when it changes. */
export function fetchesCompleted(jobs: SourceJobs): number {
  return FETCH_SOURCE_KINDS.reduce((sum, kind) => sum + jobs[kind].completed, 0);
}

/**
 * Starts `kind`'s fetch with the filters it takes: Stripe's request carries
 * "also uncollectible", the others' only the date ranges.
 */
export function startFetch(jobs: SourceJobs, kind: FetchSourceKind, dates: DateFilters, includeUncollectible: boolean): Promise<void> {
  if (kind === 'stripe') return jobs.stripe.start({ ...dates, includeUncollectible });
  return jobs[kind].start(dates);
}
