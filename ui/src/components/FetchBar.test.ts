// The Stripe fetch bar: progress while fetching, Cancel asks the engine to
// stop once, and a cancelled fetch says what it kept.
import { flushSync, mount, unmount } from 'svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { FetchSummary, IntegrationCard, JobEvent } from '../lib/wire';

vi.mock('../lib/api', () => ({
  api: {
    integrations: vi.fn(
      async (): Promise<Partial<IntegrationCard>[]> => [
        { kind: 'stripe', status: 'connected', account: 'acct_demo', lastSuccessAt: null },
      ],
    ),
  },
}));

import FetchBar from './FetchBar.svelte';
import { FetchJob } from '../lib/fetchJob.svelte';

const tick = () => new Promise((r) => setTimeout(r, 0));

async function setup() {
  let emit: (e: JobEvent) => void = () => {};
  let done!: (s: FetchSummary) => void;
  const commands = {
    fetch: vi.fn(() => new Promise<FetchSummary>((resolve) => (done = resolve))),
    cancel: vi.fn(async () => true),
    onProgress: vi.fn(async (handler: (e: JobEvent) => void) => {
      emit = handler;
      return () => {};
    }),
  };
  const job = new FetchJob(commands);
  const target = document.createElement('div');
  document.body.appendChild(target);
  const component = mount(FetchBar, { target, props: { job, onnavigate: () => {} } });
  await tick();
  flushSync();
  const q = <T extends HTMLElement = HTMLElement>(id: string) => document.querySelector<T>(`[data-testid="${id}"]`);
  return { job, commands, component, q, emit: (e: JobEvent) => emit(e), done: (s: FetchSummary) => done(s) };
}

const progress = (done: number, pages: number): JobEvent => ({
  jobId: 'f1',
  kind: 'fetch',
  phase: 'progress',
  done,
  total: null,
  counts: { pages, accepted: null, rejected: null, uncertain: null },
  message: `${pages} pages, ${done} invoices so far`,
});

describe('FetchBar', () => {
  let component: ReturnType<typeof mount> | null = null;
  afterEach(() => {
    if (component) unmount(component);
    component = null;
    document.body.innerHTML = '';
  });

  it('offers Cancel only while fetching, asks the engine once, and reports what was kept', async () => {
    const s = await setup();
    component = s.component;
    expect(s.q('fetch-cancel')).toBeNull();
    document.querySelector('form')?.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
    await tick();
    flushSync();
    s.emit(progress(300, 3));
    flushSync();
    expect(s.q('fetch-status')?.textContent).toContain('3 pages, 300 invoices so far');

    s.q('fetch-cancel')?.click();
    await tick();
    flushSync();
    expect(s.commands.cancel).toHaveBeenCalledTimes(1);
    expect(s.q<HTMLButtonElement>('fetch-cancel')?.disabled).toBe(true);
    expect(s.q('fetch-status')?.textContent).toContain('Cancelling — keeping the 300 invoices read so far');
    s.q('fetch-cancel')?.click();
    await tick();
    expect(s.commands.cancel).toHaveBeenCalledTimes(1);

    s.done({ invoices: 400, pages: 4, skipped: 0, failures: [], cancelled: true });
    await tick();
    flushSync();
    expect(s.q('fetch-cancel')).toBeNull();
    expect(s.q('fetch-status')?.textContent).toContain('Cancelled: kept 400 unpaid invoices from 4 pages');
    expect(s.q<HTMLButtonElement>('fetch-start')?.disabled).toBe(false);
  });

  it('says how much was fetched when the fetch ran to the end', async () => {
    const s = await setup();
    component = s.component;
    document.querySelector('form')?.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
    await tick();
    s.done({ invoices: 1234, pages: 13, skipped: 2, failures: [], cancelled: false });
    await tick();
    flushSync();
    expect(s.q('fetch-status')?.textContent).toContain('Fetched 1,234 unpaid invoices from 13 pages; 2 skipped');
    expect(s.commands.cancel).not.toHaveBeenCalled();
  });
});
