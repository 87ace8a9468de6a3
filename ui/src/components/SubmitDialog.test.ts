// The result list says, per case, what happened and what to do.
import { flushSync, mount, unmount } from 'svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import SubmitDialog from './SubmitDialog.svelte';
import { submitFlow } from '../lib/submitFlow.svelte';
import type { SubmissionResult, SubmitPreview } from '../lib/wire';

const item = (ref: string) => ({
  sourceRef: `stripe:acct/${ref}`,
  creditorReference: ref,
  debtorName: 'Buyer',
  amount: '10.00',
  currency: 'EUR',
  payload: { creditorReference: ref },
  warnings: [],
});

const preview: SubmitPreview = {
  destination: 'Debitura test environment — Acme at https://example.test',
  totals: [{ currency: 'EUR', amount: '40.00', count: 4 }],
  willSend: ['A', 'R', 'U', 'Q'].map(item),
  blocked: [],
};

function result(ref: string, partial: Partial<SubmissionResult>): SubmissionResult {
  return {
    sourceRef: `stripe:acct/${ref}`,
    creditorReference: ref,
    state: 'accepted',
    agencyReference: null,
    linkedExistingCase: false,
    error: null,
    fieldIssues: [],
    ...partial,
  };
}

describe('SubmitDialog results', () => {
  let component: ReturnType<typeof mount> | null = null;
  afterEach(() => {
    if (component) unmount(component);
    component = null;
    submitFlow.stage = { kind: 'closed' };
    document.body.innerHTML = '';
  });

  it('lists rejected first with reason, hint and field issues; explains uncertain; notes a linked case; counts what stayed queued', () => {
    submitFlow.stage = {
      kind: 'done',
      preview,
      outcome: {
        batchId: 'b1',
        queued: preview,
        summary: {
          batchId: 'b1',
          accepted: 1,
          rejected: 1,
          uncertain: 1,
          queued: 0,
          stoppedBecause: { code: 'cancelled', message: 'sending was stopped', hint: 'Queued cases stay queued.' },
          results: [
            result('A', { agencyReference: 'AG-1', linkedExistingCase: true }),
            result('U', {
              state: 'uncertain',
              error: { code: 'timeout', message: 'no answer in time', hint: 'checked before re-sending' },
            }),
            result('R', {
              state: 'rejected',
              error: { code: 'validation', message: 'the agency refused the case', hint: 'fix the fields below' },
              fieldIssues: [
                { code: 'agency_field_rejected', field: 'debtor.zipCode', severity: 'blocking', message: 'invalid', hint: 'Fix debtor.zipCode' },
              ],
            }),
          ],
        },
      },
    };
    component = mount(SubmitDialog, { target: document.body, props: { onnavigate: vi.fn() } });
    flushSync();

    const items = [...document.querySelectorAll<HTMLElement>('[data-testid="result-item"]')];
    expect(items.map((i) => i.dataset.state)).toEqual(['rejected', 'uncertain', 'accepted']);
    expect(items[0]?.textContent).toContain('the agency refused the case');
    expect(items[0]?.textContent).toContain('fix the fields below');
    expect(items[0]?.textContent).toContain('debtor.zipCode');
    expect(document.querySelector('[data-testid="uncertain-explained"]')?.textContent).toMatch(
      /checked with the agency before anything is re-sent/,
    );
    expect(items[2]?.querySelector('[data-testid="agency-reference"]')?.textContent).toContain('AG-1');
    expect(items[2]?.querySelector('[data-testid="linked-existing"]')).not.toBeNull();
    expect(document.querySelector('[data-testid="submit-counts"]')?.textContent).toMatch(/1\s*still queued/);
    expect(document.querySelector('[data-testid="submit-stopped"]')?.textContent).toMatch(/1 case was not sent yet\. It stays\s+queued/);
  });

  it('offers no way to send without an agency connection', () => {
    submitFlow.stage = { kind: 'confirm', preview, connection: null };
    component = mount(SubmitDialog, { target: document.body, props: { onnavigate: vi.fn() } });
    flushSync();
    expect(document.querySelector('[data-testid="submit-not-connected"]')).not.toBeNull();
    expect(document.querySelector<HTMLButtonElement>('[data-testid="submit-send"]')?.disabled).toBe(true);
  });
});
