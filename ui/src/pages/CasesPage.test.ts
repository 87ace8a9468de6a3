// The Cases page asks the sources after each successful agency poll (only cases due) and
// when the user presses "Check now at source" (every case); a failed source shows once,
// with the way to fix it, and a failed poll asks no source.
import { flushSync, mount, unmount } from 'svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CasePage, JobEvent, SourceCheckSummary } from '../lib/wire';

const engine = vi.hoisted(() => ({
  pollFails: false,
  summary: null as SourceCheckSummary | null,
  /** Set while "Check now" waits: the test emits progress, then finishes it. */
  finish: null as ((s: SourceCheckSummary) => void) | null,
  emit: (_e: JobEvent) => {},
}));

vi.mock('../lib/api', () => ({
  api: {
    cases: vi.fn(async (): Promise<CasePage> => ({ rows: [], total: 0, lastPolledAt: null })),
    refreshCases: vi.fn(async () => {
      if (engine.pollFails) throw { code: 'agency_not_connected', message: 'No agency.', hint: 'Connect it.' };
      return 0;
    }),
    checkAtSource: vi.fn(async ({ now }: { now: boolean }) =>
      now ? new Promise<SourceCheckSummary>((resolve) => (engine.finish = resolve)) : engine.summary,
    ),
    pendingSubmissions: vi.fn(async () => 0),
    onJobProgress: vi.fn(async (handler: (e: JobEvent) => void) => {
      engine.emit = handler;
      return () => {};
    }),
  },
}));

import CasesPage from './CasesPage.svelte';
import { api } from '../lib/api';

const tick = () => new Promise((r) => setTimeout(r, 0));
const q = (id: string) => document.querySelector<HTMLElement>(`[data-testid="${id}"]`);
const summary = (partial: Partial<SourceCheckSummary>): SourceCheckSummary => ({
  asked: 0,
  open: 0,
  paid: 0,
  gone: 0,
  failed: 0,
  newlyPaid: 0,
  errors: [],
  alreadyRunning: false,
  ...partial,
});

describe('CasesPage at-source checks', () => {
  let component: ReturnType<typeof mount> | null = null;
  afterEach(() => {
    if (component) unmount(component);
    component = null;
    vi.clearAllMocks();
    engine.pollFails = false;
    document.body.innerHTML = '';
  });

  const open = async () => {
    component = mount(CasesPage, { target: document.body, props: { onnavigate: () => {} } });
    for (let i = 0; i < 5; i++) await tick();
    flushSync();
  };

  it('checks only the due cases after a poll, and every case on "Check now"', async () => {
    engine.summary = summary({});
    await open();
    expect(api.refreshCases).toHaveBeenCalledTimes(1);
    expect(api.checkAtSource).toHaveBeenCalledExactlyOnceWith({ now: false });
    expect(q('check-summary'), 'a background check says nothing').toBeNull();
    expect(q('paid-at-source-banner'), 'nothing newly paid').toBeNull();

    q('check-at-source')?.click();
    for (let i = 0; i < 5; i++) await tick();
    expect(api.checkAtSource).toHaveBeenLastCalledWith({ now: true });
    const progress = (kind: string, message: string): JobEvent => ({
      jobId: 'j',
      kind,
      phase: 'progress',
      done: 1,
      total: 3,
      message,
      counts: { pages: null, accepted: null, rejected: null, uncertain: null },
    });
    engine.emit(progress('source_check', 'Checked 1 of 3 invoices at their source (Stripe)'));
    engine.emit(progress('fetch', 'a fetch elsewhere is not this check'));
    flushSync();
    expect(q('check-progress')?.textContent).toBe('Checked 1 of 3 invoices at their source (Stripe)');

    engine.finish?.(summary({ asked: 3, paid: 1, open: 2, newlyPaid: 1 }));
    for (let i = 0; i < 5; i++) await tick();
    flushSync();
    expect(q('check-progress')).toBeNull();
    expect(q('paid-at-source-banner')?.textContent).toContain('1 invoice was paid at the source');
    expect(q('check-summary')?.textContent).toBe('Last check: 1 paid at source · 2 still open');
  });

  it('shows a failed source once, with the way to Integrations', async () => {
    engine.summary = summary({
      asked: 1,
      failed: 3,
      errors: [{ code: 'stripe_key_rejected', message: 'Stripe refused the key.', hint: 'Reconnect Stripe.' }],
    });
    await open();
    const notice = q('check-error');
    expect(notice?.textContent).toContain('Stripe refused the key.');
    expect(notice?.textContent).toContain('Open Integrations');
  });

  it('asks no source when the agency poll failed', async () => {
    engine.pollFails = true;
    engine.summary = summary({});
    await open();
    expect(q('poll-error')).not.toBeNull();
    expect(api.checkAtSource).not.toHaveBeenCalled();
  });
});
