// Fetching from a connected QuickBooks company / Zoho organization: bad
// date ranges are refused before calling, progress shows pages and invoices,
// Cancel asks the engine, and the summary says where the invoices went.
import { flushSync, mount, unmount } from 'svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import OrgFetch from './OrgFetch.svelte';
import HealthPanel from './HealthPanel.svelte';
import { ProviderFetch, type FetchCommands } from '../lib/oauthFetch.svelte';
import { FetchJob } from '../lib/fetchJob.svelte';
import type { SourceJobs } from '../lib/fetchJobSources';
import type { FetchSummary, JobEvent } from '../lib/wire';

const tick = () => new Promise((r) => setTimeout(r, 0));

function setup(withCancel: boolean) {
  let emit: (e: JobEvent) => void = () => {};
  let done!: (s: FetchSummary) => void;
  const commands: FetchCommands = {
    fetch: vi.fn(() => new Promise<FetchSummary>((resolve) => (done = resolve))),
    onProgress: vi.fn(async (handler: (e: JobEvent) => void) => {
      emit = handler;
      return () => {};
    }),
    ...(withCancel ? { cancel: vi.fn(async () => true) } : {}),
  };
  const job = new ProviderFetch('zoho', commands);
  const target = document.createElement('div');
  document.body.appendChild(target);
  const onfetched = vi.fn();
  const component = mount(OrgFetch, { target, props: { job, onfetched } });
  flushSync();
  const q = <T extends HTMLElement = HTMLElement>(id: string) => document.querySelector<T>(`[data-testid="${id}"]`);
  return { job, commands, component, q, onfetched, emit: (e: JobEvent) => emit(e), done: (s: FetchSummary) => done(s) };
}

function setValue(input: HTMLInputElement | null, value: string) {
  if (!input) throw new Error('no input');
  input.value = value;
  input.dispatchEvent(new Event('input', { bubbles: true }));
}

const submit = (form: HTMLFormElement | null) => form?.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));

describe('OrgFetch', () => {
  let component: ReturnType<typeof mount> | null = null;
  afterEach(() => {
    if (component) unmount(component);
    component = null;
    document.body.innerHTML = '';
  });

  it('refuses a due range that ends before it starts, without calling the engine', () => {
    const s = setup(true);
    component = s.component;
    setValue(s.q<HTMLInputElement>('zoho-fetch-due-from'), '2026-02-01');
    setValue(s.q<HTMLInputElement>('zoho-fetch-due-to'), '2026-01-01');
    submit(document.querySelector('form'));
    flushSync();
    expect(s.q('zoho-fetch-problem')?.textContent).toBe('The due range ends before it starts.');
    expect(s.commands.fetch).not.toHaveBeenCalled();
  });

  it('sends the filters, shows pages and invoices while fetching, Cancel, then the summary', async () => {
    const s = setup(true);
    component = s.component;
    setValue(s.q<HTMLInputElement>('zoho-fetch-created-from'), '2026-01-01');
    submit(document.querySelector('form'));
    await tick();
    flushSync();
    expect(s.commands.fetch).toHaveBeenCalledWith('zoho', { createdFrom: '2026-01-01', createdTo: null, dueFrom: null, dueTo: null });
    s.emit({
      jobId: 'j1',
      kind: 'fetch',
      phase: 'progress',
      done: 400,
      total: null,
      message: 'progress',
      counts: { pages: 2, accepted: null, rejected: null, uncertain: null },
    });
    flushSync();
    expect(s.q('zoho-fetch-status')?.textContent).toContain('Fetching: 2 pages, 400 invoices so far');
    expect((s.q<HTMLButtonElement>('zoho-fetch-start'))?.disabled).toBe(true);
    s.q('zoho-fetch-cancel')?.click();
    await tick();
    expect(s.commands.cancel).toHaveBeenCalledWith('zoho');
    s.done({ invoices: 400, pages: 2, skipped: 3, failures: [], cancelled: false });
    await tick();
    flushSync();
    expect(s.q('zoho-fetch-status')?.textContent).toContain(
      'Fetched 400 unpaid invoices from 2 pages; 3 skipped (paid, void, nothing owed or no number). They are on Invoices, ready for review.',
    );
    expect(s.q('zoho-fetch-cancel')).toBeNull();
    expect(s.onfetched).toHaveBeenCalled();
  });

  it('offers no Cancel when the engine cannot stop a fetch', async () => {
    const s = setup(false);
    component = s.component;
    submit(document.querySelector('form'));
    await tick();
    flushSync();
    expect(s.q('zoho-fetch-start')?.textContent).toContain('Fetching…');
    expect(s.q('zoho-fetch-cancel')).toBeNull();
  });
});

describe('HealthPanel', () => {
  afterEach(() => (document.body.innerHTML = ''));

  it('shows company, relative times with exact ones on hover, and the last error with its fix', () => {
    const target = document.createElement('div');
    document.body.appendChild(target);
    const c = mount(HealthPanel, {
      target,
      props: {
        now: new Date('2026-03-10T12:00:00Z'),
        card: {
          kind: 'quickbooks',
          title: 'QuickBooks Online',
          blurb: '',
          rateLimits: null,
          dailyQuota: null,
          status: 'needs_reconnect',
          account: 'Sandbox Company US 1',
          environment: 'sandbox',
          lastSuccessAt: '2026-03-09T12:00:00Z',
          tokenExpiresAt: null,
          lastError: { code: 'oauth_invalid_grant', message: 'QuickBooks no longer accepts the sign-in.', hint: 'Reconnect QuickBooks.' },
          oauth: {
            provider: 'quickbooks',
            environment: 'sandbox',
            clientReady: true,
            redirect: 'loopback',
            refreshTokenIssuedAt: '2026-03-01T12:00:00Z',
            dataCentre: null,
            needsOrganization: false,
            connecting: false,
          },
        },
      },
    });
    flushSync();
    const text = (id: string) => document.querySelector(`[data-testid="${id}"]`)?.textContent;
    expect(text('health-quickbooks-account')).toBe('Sandbox Company US 1');
    expect(text('health-quickbooks-last-success')).toBe('yesterday');
    expect(document.querySelector('[data-testid="health-quickbooks-last-success"]')?.getAttribute('title')).toMatch(/2026/);
    expect(text('health-quickbooks-refresh-age')).toBe('9 days ago');
    const notice = document.querySelector('[data-testid="error-notice"]');
    expect(notice?.getAttribute('data-code')).toBe('oauth_invalid_grant');
    expect(notice?.textContent).toContain('Reconnect QuickBooks.');
    unmount(c);
  });
});

describe('OrgFetch cancelled', () => {
  afterEach(() => (document.body.innerHTML = ''));

  it('says what was kept when the fetch was cancelled', async () => {
    const s = setup(true);
    submit(document.querySelector('form'));
    await tick();
    s.done({ invoices: 120, pages: 1, skipped: 0, failures: [], cancelled: true });
    await tick();
    flushSync();
    expect(s.q('zoho-fetch-status')?.textContent).toContain('Cancelled: kept 120 unpaid invoices from 1 page; the rest was not fetched.');
    unmount(s.component);
  });
});

describe('OrgFetch while another source fetches', () => {
  afterEach(() => (document.body.innerHTML = ''));

  it('waits for the running Stripe fetch (one fetch at a time), and counts its own job as its own', async () => {
    let finish!: (s: FetchSummary) => void;
    const commands = {
      fetch: vi.fn(() => new Promise<FetchSummary>((resolve) => (finish = resolve))),
      onProgress: vi.fn(async () => () => {}),
    };
    const zoho = new ProviderFetch('zoho', commands);
    const jobs: SourceJobs = { stripe: new FetchJob(commands), quickbooks: new ProviderFetch('quickbooks', commands), zoho };
    const running = jobs.stripe.start({ createdFrom: null, createdTo: null, dueFrom: null, dueTo: null, includeUncollectible: false });
    const target = document.createElement('div');
    document.body.appendChild(target);
    const component = mount(OrgFetch, { target, props: { job: zoho, jobs } });
    flushSync();
    const q = <T extends HTMLElement = HTMLElement>(id: string) => document.querySelector<T>(`[data-testid="${id}"]`);
    expect(q<HTMLButtonElement>('zoho-fetch-start')?.disabled).toBe(true);
    expect(q('zoho-fetch-busy')?.textContent).toContain('A Stripe fetch is running; fetch from Zoho Books when it ends.');
    submit(document.querySelector('form'));
    await tick();
    expect(commands.fetch).toHaveBeenCalledTimes(1);

    finish({ invoices: 0, pages: 0, skipped: 0, failures: [], cancelled: false });
    await running;
    flushSync();
    expect(q('zoho-fetch-busy')).toBeNull();
    submit(document.querySelector('form'));
    await tick();
    flushSync();
    expect(commands.fetch).toHaveBeenCalledTimes(2);
    // Its own running fetch is no "other" fetch.
    expect(q('zoho-fetch-busy')).toBeNull();
    expect(q('zoho-fetch-start')?.textContent).toContain('Fetching…');
    unmount(component);
  });
});
