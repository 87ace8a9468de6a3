// The Cases page's "At source" column: a label per status (file imports are "Not tracked", not
// "Unknown"), how long ago the source answered, the highlight when the agency must be told,
// and the action text that goes with it.
import { flushSync, mount, unmount } from 'svelte';
import { afterEach, describe, expect, it } from 'vitest';
import CaseAtSourceCell from './CaseAtSourceCell.svelte';
import { actionFor, checkSummaryText, checkedText, DIRECT_PAYMENT_HELP, statusNote } from './caseAtSource';
import type { CaseRow } from '../lib/wire';

const now = new Date('2026-11-22T10:00:00Z');
const minutesAgo = (m: number) => new Date(now.getTime() - m * 60_000).toISOString();

const row = (partial: Partial<CaseRow>): CaseRow => ({
  agencyCaseId: 'c1',
  agencyReference: 'REF1',
  creditorReference: 'INV-1',
  debtorName: 'Acme ApS',
  amount: '100.00',
  currency: 'DKK',
  lifecycle: 'Active',
  paidAmount: '0',
  sourceStatus: 'open',
  sourceCheckedAt: null,
  sourceCheckError: null,
  submittedAt: null,
  lastPolledAt: null,
  ...partial,
});

describe('checkedText', () => {
  it('says how long ago the source answered', () => {
    expect(checkedText(row({ sourceCheckedAt: minutesAgo(5) }), now)).toBe('checked at source 5 minutes ago');
  });

  it('adds that the last check failed, keeping the time of the last answer', () => {
    const error = { code: 'stripe_key_rejected', message: 'Stripe refused the key.', hint: 'Reconnect Stripe.' };
    expect(checkedText(row({ sourceCheckedAt: minutesAgo(60), sourceCheckError: error }), now)).toBe(
      'checked at source 1 hour ago; the last check failed',
    );
    expect(checkedText(row({ sourceStatus: 'unknown', sourceCheckError: error }), now)).toBe('could not be checked yet');
  });

  it('says nothing for cases without a source or not asked yet', () => {
    expect(checkedText(row({ sourceStatus: 'not_tracked' }), now)).toBeNull();
    expect(checkedText(row({ sourceStatus: 'unknown' }), now)).toBeNull();
  });
});

describe('actionFor', () => {
  it('tells the user to report a direct payment when the invoice was paid at source', () => {
    const action = actionFor(row({ sourceStatus: 'paid_at_source' }));
    expect(action?.text).toContain('direct payment');
    expect(action?.text).toContain('does not send this for you');
    expect(action?.link).toBe(DIRECT_PAYMENT_HELP);
  });

  it('suggests closing the case when the invoice was voided or deleted', () => {
    expect(actionFor(row({ sourceStatus: 'gone_at_source' }))?.text).toContain('close or withdraw');
  });

  it('asks nothing of the user while the invoice is still open', () => {
    expect(actionFor(row({ sourceStatus: 'open' }))).toBeNull();
    expect(statusNote(row({ sourceStatus: 'not_tracked' }))).toContain('imported from a file');
  });
});

describe('checkSummaryText', () => {
  const base = { asked: 0, paid: 0, gone: 0, open: 0, failed: 0, alreadyRunning: false };
  it('lists only the outcomes that happened', () => {
    expect(checkSummaryText({ ...base, asked: 3, paid: 1, open: 2 })).toBe('1 paid at source · 2 still open');
    expect(checkSummaryText({ ...base, failed: 2 })).toBe('2 could not be checked');
  });

  it('explains a check that asked nothing', () => {
    expect(checkSummaryText(base)).toContain('checked in the last minute');
    expect(checkSummaryText({ ...base, alreadyRunning: true })).toBe('A check is already running.');
  });
});

describe('CaseAtSourceCell', () => {
  let component: ReturnType<typeof mount> | null = null;
  afterEach(() => {
    if (component) unmount(component);
    component = null;
    document.body.innerHTML = '';
  });

  const render = (r: CaseRow) => {
    component = mount(CaseAtSourceCell, { target: document.body, props: { row: r, now } });
    flushSync();
    return document.querySelector('[data-testid="at-source"]') as HTMLElement;
  };

  it('highlights a case paid at source and says when the source said so', () => {
    const cell = render(row({ sourceStatus: 'paid_at_source', sourceCheckedAt: minutesAgo(3) }));
    expect(cell.querySelector('.label')?.textContent).toBe('Paid at source');
    expect(cell.classList.contains('attention')).toBe(true);
    expect(cell.querySelector('.checked')?.textContent).toBe('checked at source 3 minutes ago');
  });

  it('shows a file-imported case as not tracked, muted, without a check time', () => {
    const cell = render(row({ sourceStatus: 'not_tracked' }));
    expect(cell.querySelector('.label')?.textContent).toBe('Not tracked');
    expect(cell.classList.contains('attention')).toBe(false);
    expect(cell.classList.contains('muted')).toBe(true);
    expect(cell.querySelector('.checked')).toBeNull();
  });

  it('keeps a still-open case plain and puts a failed check in the tooltip', () => {
    const error = { code: 'network', message: 'Stripe could not be reached.', hint: 'Try again later.' };
    const cell = render(row({ sourceStatus: 'open', sourceCheckedAt: minutesAgo(20), sourceCheckError: error }));
    expect(cell.querySelector('.label')?.textContent).toBe('Still open');
    expect(cell.classList.contains('attention')).toBe(false);
    expect(cell.getAttribute('title')).toBe('Last check failed: Stripe could not be reached.');
  });
});
