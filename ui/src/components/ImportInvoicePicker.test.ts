// A document the matcher could not place is attached to an invoice the user finds.
import { flushSync, mount, unmount } from 'svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import ImportInvoicePicker from './ImportInvoicePicker.svelte';
import type { InvoiceRow } from '../lib/wire';

const row = (n: string): InvoiceRow => ({
  sourceRef: `file:debitorer.csv/${n}`,
  provider: 'file',
  creditorReference: n,
  debtorName: 'Fyns Maling ApS',
  amount: '99.00',
  currency: 'DKK',
  issueDate: '2024-03-07',
  dueDate: null,
  debtAgeDays: null,
  readiness: 'ready',
  issueCount: 0,
});

describe('ImportInvoicePicker', () => {
  let component: ReturnType<typeof mount> | null = null;
  afterEach(() => {
    if (component) unmount(component);
    component = null;
    document.body.innerHTML = '';
  });

  it('searches the invoices and hands back the one picked; says when nothing matches', async () => {
    const search = vi.fn(async (text: string) => (text === '00125' ? [row('00125')] : []));
    const onpick = vi.fn();
    component = mount(ImportInvoicePicker, { target: document.body, props: { label: 'kontrakt.pdf', onpick, search } });
    flushSync();
    const input = document.querySelector('[data-testid="document-picker-search"]') as HTMLInputElement;
    const form = document.querySelector('[data-testid="document-picker"]') as HTMLFormElement;

    input.value = 'nope';
    input.dispatchEvent(new Event('input', { bubbles: true }));
    form.requestSubmit();
    await Promise.resolve();
    await Promise.resolve();
    flushSync();
    expect(document.body.textContent).toContain('No invoice matches “nope”.');

    input.value = '00125';
    input.dispatchEvent(new Event('input', { bubbles: true }));
    form.requestSubmit();
    await Promise.resolve();
    await Promise.resolve();
    flushSync();
    expect(search).toHaveBeenLastCalledWith('00125');
    (document.querySelector('[data-testid="document-picker-choice"]') as HTMLButtonElement).click();
    expect(onpick).toHaveBeenCalledWith('file:debitorer.csv/00125', row('00125'));
  });
});
