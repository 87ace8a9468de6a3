// Which sources the fetch bar offers and which it starts on, and that the
// table's refresh counter counts the fetches of every source.
import { describe, expect, it, vi } from 'vitest';
import type { FetchSummary, IntegrationCard } from './wire';

vi.mock('./api', () => ({
  api: {
    onOAuthFinished: vi.fn(async () => () => {}),
  },
}));

import { FetchJob } from './fetchJob.svelte';
import { defaultSource, fetchesCompleted, runningSource, sourceChoices, type SourceChoice, type SourceJobs } from './fetchJobSources';
import { ProviderFetch } from './oauthFetch.svelte';

const choice = (kind: SourceChoice['kind'], lastSuccessAt: string | null, unavailable: SourceChoice['unavailable'] = null): SourceChoice => ({
  kind,
  name: kind,
  account: null,
  unavailable,
  lastSuccessAt,
});

const off = { short: 'not connected', detail: 'Connect it on Integrations.' };

describe('defaultSource', () => {
  it('is the only source that can fetch, even when another was fetched later', () => {
    expect(defaultSource([choice('stripe', '2026-03-09T00:00:00Z', off), choice('zoho', null)])).toBe('zoho');
  });

  it('is the one with the latest successful fetch among those that can fetch', () => {
    const choices = [choice('stripe', '2026-03-01T00:00:00Z'), choice('quickbooks', '2026-03-05T00:00:00Z'), choice('zoho', '2026-03-02T00:00:00Z')];
    expect(defaultSource(choices)).toBe('quickbooks');
  });

  it('is the first that can fetch when none was fetched yet or the time is unreadable', () => {
    expect(defaultSource([choice('stripe', null, off), choice('quickbooks', 'yesterday'), choice('zoho', null)])).toBe('quickbooks');
  });

  it('is null when nothing can fetch', () => {
    expect(defaultSource([choice('stripe', '2026-03-01T00:00:00Z', off)])).toBeNull();
    expect(defaultSource([])).toBeNull();
  });
});

describe('sourceChoices', () => {
  it('keeps the fetch sources in the cards’ order and leaves files and the agency out', () => {
    const cards = (['agency', 'zoho', 'files', 'stripe'] as const).map(
      (kind) => ({ kind, status: 'connected', account: `${kind} account`, lastSuccessAt: null, oauth: null }) as unknown as IntegrationCard,
    );
    expect(sourceChoices(cards).map((c) => [c.kind, c.account, c.unavailable])).toEqual([
      ['zoho', 'zoho account', null],
      ['stripe', 'stripe account', null],
    ]);
  });

  it('lets a source whose last fetch failed try again', () => {
    const cards = [{ kind: 'stripe', status: 'error', account: null, lastSuccessAt: null, oauth: null } as unknown as IntegrationCard];
    expect(sourceChoices(cards)[0]?.unavailable).toBeNull();
  });
});

describe('runningSource and fetchesCompleted', () => {
  it('see every source’s job', async () => {
    let finish!: (s: FetchSummary) => void;
    const commands = {
      fetch: vi.fn(() => new Promise<FetchSummary>((resolve) => (finish = resolve))),
      onProgress: vi.fn(async () => () => {}),
    };
    const jobs: SourceJobs = {
      stripe: new FetchJob(commands),
      quickbooks: new ProviderFetch('quickbooks', commands),
      zoho: new ProviderFetch('zoho', commands),
    };
    expect(runningSource(jobs)).toBeNull();
    const run = jobs.quickbooks.start({ createdFrom: null, createdTo: null, dueFrom: null, dueTo: null });
    expect(runningSource(jobs)).toBe('quickbooks');
    await new Promise((r) => setTimeout(r, 0));
    finish({ invoices: 1, pages: 1, skipped: 0, failures: [], cancelled: false });
    await run;
    expect(runningSource(jobs)).toBeNull();
    expect(fetchesCompleted(jobs)).toBe(1);
  });
});
