// The Invoices fetch bar with every source: the picker lists Stripe,
// QuickBooks Online (company) and Zoho Books (organization), starts on the
// only / last-fetched / running source, says why the others cannot fetch,
// shows only the filters the chosen source takes, sends each source's request
// to its own engine command, and shows progress and Cancel per source.
import { flushSync, mount, unmount } from 'svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { integrationCard, oauthHealth } from '../lib/cardFixtures';
import type { FetchRequest, FetchSummary, IntegrationCard, JobEvent } from '../lib/wire';

const engine = vi.hoisted(() => ({
  cards: [] as IntegrationCard[],
  /** Resolves the pending fetch call (whichever source). */
  finish: (_s: FetchSummary) => {},
  fail: (_e: unknown) => {},
  emit: (_e: JobEvent) => {},
}));

vi.mock('../lib/api', () => {
  const pending = () =>
    new Promise<FetchSummary>((resolve, reject) => {
      engine.finish = resolve;
      engine.fail = reject;
    });
  return {
    api: {
      integrations: vi.fn(async () => engine.cards),
      fetchStripe: vi.fn(pending),
      fetchQuickbooks: vi.fn(pending),
      fetchZoho: vi.fn(pending),
      cancelFetch: vi.fn(async () => true),
      onJobProgress: vi.fn(async (handler: (e: JobEvent) => void) => {
        engine.emit = handler;
        return () => {};
      }),
      onOAuthFinished: vi.fn(async () => () => {}),
    },
  };
});

import FetchBar from './FetchBar.svelte';
import { api } from '../lib/api';
import { FetchJob, type FetchJobCommands } from '../lib/fetchJob.svelte';
import type { SourceJobs } from '../lib/fetchJobSources';
import type { DateFilters } from '../lib/oauth';
import { ProviderFetch, type FetchCommands } from '../lib/oauthFetch.svelte';

const tick = () => new Promise((r) => setTimeout(r, 0));
const settle = async () => {
  await tick();
  flushSync();
};
const q = <T extends HTMLElement = HTMLElement>(id: string) => document.querySelector<T>(`[data-testid="${id}"]`);
const text = (id: string) => q(id)?.textContent?.replace(/\s+/g, ' ').trim() ?? null;
/** The label of a date range (the group's aria-labelledby target). */
const rangeLabel = (id: string) => document.getElementById(id)?.textContent ?? null;

const oauth = oauthHealth;

const card = (kind: IntegrationCard['kind'], partial: Partial<IntegrationCard> = {}): IntegrationCard =>
  integrationCard(kind, { oauth: kind === 'quickbooks' || kind === 'zoho' ? oauth(kind) : null, ...partial });

const stripeOn = card('stripe', { status: 'connected', account: 'Demo Shop' });
const qboOn = card('quickbooks', { status: 'connected', account: 'Sandbox Company US 1' });
const zohoOn = card('zoho', { status: 'connected', account: 'Zylker Books' });
const agency = card('agency', { status: 'connected', account: 'Agency sandbox' });

const progress = (done: number, pages: number, phase: JobEvent['phase'] = 'progress', message = 'progress'): JobEvent => ({
  jobId: 'f1',
  kind: 'fetch',
  phase,
  done,
  total: null,
  counts: { pages, accepted: null, rejected: null, uncertain: null },
  message,
});

function setValue(input: HTMLInputElement | null, value: string) {
  if (!input) throw new Error('no input');
  input.value = value;
  input.dispatchEvent(new Event('input', { bubbles: true }));
}

function choose(kind: string) {
  const select = q<HTMLSelectElement>('fetch-source');
  if (!select) throw new Error('no picker');
  select.value = kind;
  select.dispatchEvent(new Event('change', { bubbles: true }));
  flushSync();
}

const submit = () => document.querySelector('form')?.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));

/** Fresh jobs per test, each with its own fake engine commands. */
function fakeJobs() {
  const fake = () => {
    let emit: (e: JobEvent) => void = () => {};
    let done!: (s: FetchSummary) => void;
    return {
      fetch: vi.fn(() => new Promise<FetchSummary>((resolve) => (done = resolve))),
      cancel: vi.fn(async () => true),
      onProgress: vi.fn(async (handler: (e: JobEvent) => void) => {
        emit = handler;
        return () => {};
      }),
      emit: (e: JobEvent) => emit(e),
      done: (s: FetchSummary) => done(s),
    };
  };
  const stripe = fake();
  const provider = fake();
  const stripeCommands: FetchJobCommands<FetchRequest> = stripe;
  const providerCommands: FetchCommands = provider;
  const jobs: SourceJobs = {
    stripe: new FetchJob(stripeCommands),
    quickbooks: new ProviderFetch('quickbooks', providerCommands),
    zoho: new ProviderFetch('zoho', providerCommands),
  };
  return { jobs, stripe, provider };
}

let component: ReturnType<typeof mount> | null = null;

async function show(cards: IntegrationCard[], jobs?: SourceJobs, onnavigate = vi.fn()) {
  engine.cards = cards;
  const target = document.createElement('div');
  document.body.appendChild(target);
  component = mount(FetchBar, { target, props: jobs ? { jobs, onnavigate } : { onnavigate } });
  await settle();
  return onnavigate;
}

beforeEach(() => vi.clearAllMocks());

afterEach(() => {
  if (component) unmount(component);
  component = null;
  document.body.innerHTML = '';
});

describe('FetchBar picker', () => {
  it('starts on the only connected source, names each account, and disables the others with their reason', async () => {
    const { jobs } = fakeJobs();
    await show(
      [stripeOn, card('quickbooks', { oauth: oauth('quickbooks', { clientReady: false }) }), card('zoho', { status: 'needs_reconnect' }), agency],
      jobs,
    );
    const select = q<HTMLSelectElement>('fetch-source');
    expect(select?.value).toBe('stripe');
    expect([...(select?.options ?? [])].map((o) => [o.value, o.disabled, o.textContent])).toEqual([
      ['stripe', false, 'Stripe · Demo Shop'],
      ['quickbooks', true, 'QuickBooks Online — not connected'],
      ['zoho', true, 'Zoho Books — needs reconnecting'],
    ]);
    expect(text('fetch-unavailable')).toBe(
      'QuickBooks Online: not connected; your QuickBooks Online app (client ID and secret) is not set up yet · ' +
        'Zoho Books: the sign-in stopped working; reconnect it — Open Integrations',
    );
    expect(q('fetch-unavailable-stripe')).toBeNull();
  });

  it('links the unavailable sources to Integrations', async () => {
    const { jobs } = fakeJobs();
    const onnavigate = await show([stripeOn, card('quickbooks')], jobs);
    q('fetch-integrations')?.click();
    expect(onnavigate).toHaveBeenCalledWith('integrations');
  });

  it('starts on the source fetched last when several are connected, and shows its company', async () => {
    const { jobs } = fakeJobs();
    await show(
      [
        { ...stripeOn, lastSuccessAt: '2026-03-01T10:00:00Z' },
        { ...qboOn, lastSuccessAt: '2026-03-09T10:00:00Z' },
        { ...zohoOn, lastSuccessAt: null },
      ],
      jobs,
    );
    expect(q<HTMLSelectElement>('fetch-source')?.value).toBe('quickbooks');
    expect(q('fetch-source-quickbooks')?.textContent).toBe('QuickBooks Online · Sandbox Company US 1');
    expect(q('fetch-source-zoho')?.textContent).toBe('Zoho Books · Zylker Books');
    expect(q('fetch-unavailable')).toBeNull();
  });

  it('does not offer a Zoho sign-in without an organization', async () => {
    const { jobs } = fakeJobs();
    await show([card('stripe'), card('zoho', { status: 'connected', oauth: oauth('zoho', { needsOrganization: true }) })], jobs);
    // Nothing can fetch: the empty state, with each reason.
    expect(q('fetch-source')).toBeNull();
    expect(text('fetch-none')).toContain('Connect Stripe or Zoho Books on Integrations to fetch unpaid invoices.');
    expect(text('fetch-unavailable-zoho')).toBe('Zoho Books: signed in, but no organization chosen yet');
    // One way to Integrations in the empty state.
    expect(q('fetch-integrations')).toBeNull();
    expect(q('fetch-connect')).not.toBeNull();
  });

  it('keeps the empty state pointing to Integrations when nothing is connected', async () => {
    const { jobs } = fakeJobs();
    const onnavigate = await show([card('stripe'), card('quickbooks'), card('zoho'), agency], jobs);
    expect(q('fetch-start')).toBeNull();
    expect(text('fetch-none')).toContain('Connect Stripe, QuickBooks Online or Zoho Books on Integrations');
    q('fetch-connect')?.click();
    expect(onnavigate).toHaveBeenCalledWith('integrations');
  });

  it('shows the load error with its code and hint', async () => {
    vi.mocked(api.integrations).mockRejectedValueOnce({ code: 'store_locked', message: 'The cache is busy.', hint: 'Try again.' });
    await show([], fakeJobs().jobs);
    const notice = q('error-notice');
    expect(notice?.getAttribute('data-code')).toBe('store_locked');
    expect(notice?.textContent).toContain('Try again.');
  });
});

describe('FetchBar filters per source', () => {
  it('shows created/due and "Also uncollectible" for Stripe, invoice date/due without it for QuickBooks and Zoho', async () => {
    const { jobs } = fakeJobs();
    await show([stripeOn, qboOn, zohoOn], jobs);
    choose('stripe');
    expect(rangeLabel('fetch-created')).toBe('Created');
    expect(q('fetch-uncollectible')).not.toBeNull();
    for (const kind of ['quickbooks', 'zoho']) {
      choose(kind);
      expect(rangeLabel('fetch-created'), kind).toBe('Invoice date');
      expect(q('fetch-created-from')?.getAttribute('aria-label'), kind).toBe('Invoice date from');
      expect(rangeLabel('fetch-due'), kind).toBe('Due');
      expect(q('fetch-uncollectible'), kind).toBeNull();
    }
  });

  it('refuses a range that ends before it starts, without calling the engine', async () => {
    const { jobs, provider } = fakeJobs();
    await show([qboOn], jobs);
    setValue(q<HTMLInputElement>('fetch-due-from'), '2026-02-01');
    setValue(q<HTMLInputElement>('fetch-due-to'), '2026-01-01');
    submit();
    flushSync();
    expect(text('fetch-problem')).toBe('The due range ends before it starts.');
    expect(provider.fetch).not.toHaveBeenCalled();
  });
});

// The window's own jobs, wired to the (mocked) engine commands: each source
// goes to its own command with the request that command takes.
describe('FetchBar sends each source to its engine command', () => {
  const finished: FetchSummary = { invoices: 5, pages: 1, skipped: 0, failures: [], cancelled: false };

  it('Stripe: fetch_stripe with the dates and "Also uncollectible"', async () => {
    await show([stripeOn, qboOn, zohoOn]);
    choose('stripe');
    setValue(q<HTMLInputElement>('fetch-created-from'), '2026-01-01');
    setValue(q<HTMLInputElement>('fetch-due-to'), '2026-03-31');
    q<HTMLInputElement>('fetch-uncollectible')?.click();
    submit();
    await settle();
    expect(api.fetchStripe).toHaveBeenCalledWith({
      createdFrom: '2026-01-01',
      createdTo: null,
      dueFrom: null,
      dueTo: '2026-03-31',
      includeUncollectible: true,
    });
    expect(api.fetchQuickbooks).not.toHaveBeenCalled();
    expect(api.fetchZoho).not.toHaveBeenCalled();
    engine.finish(finished);
    await settle();
  });

  it('QuickBooks: fetch_quickbooks with the dates only, cancel through cancel_fetch', async () => {
    await show([stripeOn, qboOn, zohoOn]);
    choose('stripe');
    // Ticked for Stripe, then hidden: QuickBooks has no such filter and must not get it.
    q<HTMLInputElement>('fetch-uncollectible')?.click();
    choose('quickbooks');
    setValue(q<HTMLInputElement>('fetch-created-to'), '2026-02-28');
    submit();
    await settle();
    expect(api.fetchQuickbooks).toHaveBeenCalledWith({
      createdFrom: null,
      createdTo: '2026-02-28',
      dueFrom: null,
      dueTo: null,
      includeUncollectible: false,
    });
    expect(api.fetchStripe).not.toHaveBeenCalled();
    q('fetch-cancel')?.click();
    await settle();
    expect(api.cancelFetch).toHaveBeenCalledTimes(1);
    engine.finish({ ...finished, cancelled: true });
    await settle();
  });

  it('Zoho: fetch_zoho with the dates only', async () => {
    await show([stripeOn, qboOn, zohoOn]);
    choose('zoho');
    setValue(q<HTMLInputElement>('fetch-due-from'), '2026-01-15');
    submit();
    await settle();
    expect(api.fetchZoho).toHaveBeenCalledWith({ createdFrom: null, createdTo: null, dueFrom: '2026-01-15', dueTo: null, includeUncollectible: false });
    expect(api.fetchQuickbooks).not.toHaveBeenCalled();
    engine.finish(finished);
    await settle();
    // The finished fetch re-reads the cards (new last success / last error).
    expect(api.integrations).toHaveBeenCalledTimes(2);
  });
});

describe('FetchBar progress and cancel', () => {
  it.each(['stripe', 'quickbooks', 'zoho'] as const)('%s: progress, one Cancel, then what was kept', async (kind) => {
    const { jobs, stripe, provider } = fakeJobs();
    const engineOf = kind === 'stripe' ? stripe : provider;
    await show([stripeOn, qboOn, zohoOn], jobs);
    choose(kind);
    expect(q('fetch-cancel')).toBeNull();
    submit();
    await settle();
    expect(engineOf.fetch).toHaveBeenCalledTimes(1);
    engineOf.emit(progress(300, 3));
    flushSync();
    expect(text('fetch-status')).toBe('Fetching: 3 pages, 300 invoices so far');
    expect(q<HTMLButtonElement>('fetch-start')?.disabled).toBe(true);
    expect(q<HTMLSelectElement>('fetch-source')?.disabled).toBe(true);

    engineOf.emit(progress(300, 3, 'waiting', 'Waiting 4 s for the rate limit'));
    flushSync();
    expect(text('fetch-status')).toBe('Waiting 4 s for the rate limit — 3 pages, 300 invoices so far');

    q('fetch-cancel')?.click();
    await settle();
    expect(engineOf.cancel).toHaveBeenCalledTimes(1);
    expect(q<HTMLButtonElement>('fetch-cancel')?.disabled).toBe(true);
    expect(text('fetch-status')).toBe('Cancelling — keeping the 300 invoices read so far');
    q('fetch-cancel')?.click();
    await settle();
    expect(engineOf.cancel).toHaveBeenCalledTimes(1);

    engineOf.done({ invoices: 400, pages: 4, skipped: 0, failures: [], cancelled: true });
    await settle();
    expect(q('fetch-cancel')).toBeNull();
    expect(text('fetch-status')).toBe('Cancelled: kept 400 unpaid invoices from 4 pages; the rest was not fetched.');
    expect(q<HTMLButtonElement>('fetch-start')?.disabled).toBe(false);
    expect(q<HTMLSelectElement>('fetch-source')?.value).toBe(kind);
  });

  it('says how much was fetched, what was skipped and what could not be read', async () => {
    const { jobs, provider } = fakeJobs();
    await show([zohoOn], jobs);
    submit();
    await settle();
    provider.done({
      invoices: 1234,
      pages: 1,
      skipped: 2,
      failures: [{ code: 'zoho_daily_limit', message: 'Zoho’s daily API limit was reached.', hint: 'Fetch again tomorrow.' }],
      cancelled: false,
    });
    await settle();
    expect(text('fetch-status')).toBe('Fetched 1,234 unpaid invoices from 1 page; 2 skipped (paid, void, nothing owed or no number).');
    expect(q('error-notice')?.getAttribute('data-code')).toBe('zoho_daily_limit');
    expect(provider.cancel).not.toHaveBeenCalled();
  });

  it('shows a failed fetch as the engine error with its code and hint, titled with the source', async () => {
    const { jobs } = fakeJobs();
    const failing = {
      fetch: vi.fn(async () => {
        throw { code: 'oauth_invalid_grant', message: 'QuickBooks no longer accepts the sign-in.', hint: 'Reconnect QuickBooks.' };
      }),
      onProgress: vi.fn(async () => () => {}),
    };
    jobs.quickbooks = new ProviderFetch('quickbooks', failing);
    await show([qboOn], jobs);
    submit();
    await settle();
    const notice = q('error-notice');
    expect(notice?.getAttribute('data-code')).toBe('oauth_invalid_grant');
    expect(notice?.textContent).toContain('The QuickBooks Online fetch failed');
    expect(notice?.textContent).toContain('Reconnect QuickBooks.');
    expect(q<HTMLButtonElement>('fetch-start')?.disabled).toBe(false);
  });

  it('shows a fetch started on Integrations as running here (same job), and only that one runs', async () => {
    const { jobs, provider } = fakeJobs();
    // Started elsewhere before the page opened (e.g. from the Zoho card).
    void (jobs.zoho as FetchJob<DateFilters>).start({ createdFrom: null, createdTo: null, dueFrom: null, dueTo: null });
    await tick();
    await show([{ ...stripeOn, lastSuccessAt: '2026-03-09T10:00:00Z' }, zohoOn], jobs);
    expect(q<HTMLSelectElement>('fetch-source')?.value).toBe('zoho');
    expect(q<HTMLSelectElement>('fetch-source')?.disabled).toBe(true);
    provider.emit(progress(200, 1));
    flushSync();
    expect(text('fetch-status')).toBe('Fetching: 1 page, 200 invoices so far');
    expect(q('fetch-start')?.textContent?.trim()).toBe('Fetching…');
    submit();
    await settle();
    expect(provider.fetch).toHaveBeenCalledTimes(1);

    provider.done({ invoices: 200, pages: 1, skipped: 0, failures: [], cancelled: false });
    await settle();
    // The source that ran stays picked with its summary, though Stripe's last success is more recent.
    expect(q<HTMLSelectElement>('fetch-source')?.value).toBe('zoho');
    expect(text('fetch-status')).toBe('Fetched 200 unpaid invoices from 1 page.');
  });
});
