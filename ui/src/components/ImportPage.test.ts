// The Import page against a fake engine: a typed path opens the file, the
// mapping grid needs a currency before it reads rows, a bad cell shows its
// reason and is fixed in place, the error file and staging report back, and
// a ZIP's sure matches are approved in one go.
import { flushSync, mount, unmount } from 'svelte';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import ImportPage from '../pages/ImportPage.svelte';
import { fakeLayout } from './fakeLayout';
import { importFlow } from '../lib/importFlow.svelte';
import { danishSession } from '../lib/importFixtures';
import type { ImportBackend } from '../lib/importFlow.svelte';
import type { ImportPreview } from '../gen/ImportPreview';
import type { ImportRow } from '../gen/ImportRow';
import type { DocumentBatch } from '../gen/DocumentBatch';

beforeAll(() => fakeLayout(400));

const settle = () => new Promise((resolve) => setTimeout(resolve, 120));

function row(rowNumber: number, cells: string[], bad: boolean): ImportRow {
  return {
    rowNumber,
    cells,
    fixedColumns: [],
    status: bad ? 'invalid' : 'ready',
    cellErrors: bad
      ? [{ column: 5, field: 'outstanding_amount', code: 'amount_invalid', message: '“abc” is not an amount', hint: 'Write a number such as 1.234,56.' }]
      : [],
    readiness: [],
    duplicateOf: null,
    invoice: null,
  };
}

function preview(rows: ImportRow[]): ImportPreview {
  const invalid = rows.filter((r) => r.status === 'invalid').length;
  return { total: rows.length, valid: rows.length - invalid, ready: rows.length - invalid, needsFixing: 0, invalid, duplicates: 0, matching: rows.length, rows };
}

function fakeBackend() {
  let rows = [row(2, ['00123', '05.03.2024', 'Anna', 'Holm', 'Vestergade 1', '1.234,56', ''], false), row(3, ['00124', '06.03.2024', 'Bo', 'Berg', 'Nørregade 2', 'abc', ''], true)];
  const batch: DocumentBatch = {
    id: 'b1',
    fileName: 'docs.zip',
    counts: { matched: 1, conflicts: 0, unmatched: 1, refused: 0 },
    entries: [
      {
        index: 0,
        name: 'faktura-00123.pdf',
        size: 2048,
        kind: 'pdf',
        suggestedType: 'OriginalInvoice',
        status: {
          kind: 'matched',
          candidate: {
            target: { sourceRef: 'file:debitorer.csv:00123', invoiceNumber: '00123', debtorName: 'Anna Holm', caseId: null, agencyReference: null },
            confidence: 0.95,
            basis: 'file_name',
          },
        },
      },
      { index: 1, name: 'notes.pdf', size: 100, kind: 'pdf', suggestedType: 'Miscellaneous', status: { kind: 'unmatched' } },
    ],
  };
  return {
    open: vi.fn(async () => danishSession()),
    reopen: vi.fn(async () => danishSession()),
    preview: vi.fn(async (_s: string, _m: unknown, filter: string) =>
      preview(filter === 'errors' ? rows.filter((r) => r.status === 'invalid') : rows),
    ),
    fix: vi.fn(async (_s: string, fix: { rowNumber: number; column: number; value: string }) => {
      rows = rows.map((r) =>
        r.rowNumber === fix.rowNumber ? { ...row(r.rowNumber, r.cells.map((c, i) => (i === fix.column ? fix.value : c)), false), fixedColumns: [fix.column] } : r,
      );
      return rows.find((r) => r.rowNumber === fix.rowNumber) as ImportRow;
    }),
    exportErrors: vi.fn(async () => ({ path: '/tmp/debitorer-errors.xlsx', rows: 1 })),
    stage: vi.fn(async (_s: string, _r: unknown, onprogress: (p: { done: number; total: number; message: string }) => void) => {
      onprogress({ done: 1, total: 2, message: '' });
      return { staged: 2, ready: 2, needsFixing: 0, invalid: 0, duplicates: 0, account: 'debitorer.csv', profile: null };
    }),
    close: vi.fn(async () => true),
    profiles: vi.fn(async () => []),
    renameProfile: vi.fn(),
    deleteProfile: vi.fn(),
    exportProfile: vi.fn(),
    importProfile: vi.fn(),
    openZip: vi.fn(async () => batch),
    approve: vi.fn(async () => ({ stored: 1, alreadyStored: 0, upload: { uploaded: 0, waitingForCase: 1, failed: [] } })),
    uploadPending: vi.fn(async () => ({ uploaded: 1, waitingForCase: 0, failed: [] })),
  } satisfies ImportBackend;
}

const byTestId = (id: string) => document.querySelector<HTMLElement>(`[data-testid="${id}"]`);
const all = (id: string) => [...document.querySelectorAll<HTMLElement>(`[data-testid="${id}"]`)];

function typeInto(el: HTMLInputElement, value: string) {
  el.value = value;
  el.dispatchEvent(new Event('input', { bubbles: true }));
}

describe('ImportPage', () => {
  let component: ReturnType<typeof mount> | null = null;
  afterEach(() => {
    if (component) unmount(component);
    component = null;
    importFlow.reset();
    document.body.innerHTML = '';
  });

  async function openPath(path: string) {
    const backend = fakeBackend();
    importFlow.setBackend(backend);
    component = mount(ImportPage, { target: document.body });
    flushSync();
    typeInto(byTestId('import-path') as HTMLInputElement, path);
    flushSync();
    (byTestId('import-path-open') as HTMLButtonElement).click();
    await settle();
    flushSync();
    return backend;
  }

  it('opens a typed path, shows what was recognised and the suggested mapping with confidence', async () => {
    const backend = await openPath('/data/debitorer.csv');
    expect(backend.open).toHaveBeenCalledWith('/data/debitorer.csv');
    expect(byTestId('import-recognised-text')?.textContent).toContain('semicolon-separated');
    expect((byTestId('import-delimiter') as HTMLSelectElement).value).toBe(';');
    expect(all('mapping-row')).toHaveLength(7);
    const first = all('mapping-row')[0] as HTMLElement;
    expect(first.querySelector<HTMLSelectElement>('[data-testid="mapping-field"]')?.value).toBe('invoice_number');
    expect(first.querySelector('[data-testid="mapping-confidence"]')?.getAttribute('data-level')).toBe('high');
  });

  it('asks for a currency before reading rows, then sends it as a constant', async () => {
    const backend = await openPath('/data/debitorer.csv');
    const confirm = byTestId('mapping-confirm') as HTMLButtonElement;
    expect(confirm.disabled).toBe(true);
    expect(byTestId('mapping-problems')?.textContent).toContain('currency');
    typeInto(byTestId('mapping-currency') as HTMLInputElement, 'dkk');
    flushSync();
    expect(confirm.disabled).toBe(false);
    confirm.click();
    await settle();
    flushSync();
    const mapping = backend.preview.mock.calls[0]?.[1] as { fields: { field: string; source: unknown }[] };
    expect(mapping.fields).toContainEqual({ field: 'currency', source: { kind: 'constant', value: 'DKK' } });
    expect(byTestId('import-summary')?.textContent).toBe('1 row ready, 1 needs fixing, 0 duplicates');
  });

  it('highlights a bad cell with its reason, fixes it in place, exports the error file and stages', async () => {
    const backend = await openPath('/data/debitorer.csv');
    typeInto(byTestId('mapping-currency') as HTMLInputElement, 'DKK');
    flushSync();
    (byTestId('mapping-confirm') as HTMLButtonElement).click();
    await settle();
    flushSync();
    await settle();
    flushSync();

    const bad = byTestId('import-bad-cell') as HTMLElement;
    expect(bad.getAttribute('title')).toBe('“abc” is not an amount');

    (byTestId('import-export-errors') as HTMLButtonElement).click();
    await settle();
    flushSync();
    expect(byTestId('import-export-note')?.textContent).toContain('/tmp/debitorer-errors.xlsx');

    const badRow = all('import-row').find((r) => r.dataset.key === '3') as HTMLElement;
    badRow.click();
    flushSync();
    const input = byTestId('import-fix-5') as HTMLInputElement;
    expect(input.getAttribute('aria-invalid')).toBe('true');
    expect(document.getElementById(input.getAttribute('aria-describedby') ?? '')?.textContent).toContain('Write a number');
    typeInto(input, '99,00');
    flushSync();
    (byTestId('import-fix-save') as HTMLButtonElement).click();
    await settle();
    flushSync();
    await settle();
    flushSync();
    expect(backend.fix).toHaveBeenCalledWith('s1', { rowNumber: 3, column: 5, value: '99,00' });
    expect(byTestId('import-bad-cell')).toBeNull();
    expect(byTestId('import-summary')?.textContent).toBe('2 rows ready, 0 need fixing, 0 duplicates');
    expect(byTestId('import-editor-title')?.textContent).toBe('Row 3 · Ready');
    (byTestId('import-fix-5') as HTMLInputElement).dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    flushSync();
    await settle();
    expect(byTestId('import-row-editor')).toBeNull();
    expect(document.activeElement?.getAttribute('role')).toBe('grid');

    (byTestId('import-stage') as HTMLButtonElement).click();
    await settle();
    flushSync();
    expect(backend.stage).toHaveBeenCalled();
    expect(byTestId('import-staged')?.textContent).toContain('2 invoices added to Invoices');
    expect(byTestId('import-open-invoices')).not.toBeNull();
  });

  it('lists a ZIP’s documents, unmatched first, and approves the sure match', async () => {
    const backend = await openPath('/data/docs.zip');
    expect(backend.openZip).toHaveBeenCalledWith('/data/docs.zip');
    const rows = all('document-row');
    expect(rows.map((r) => r.dataset.name)).toEqual(['notes.pdf', 'faktura-00123.pdf']);
    (byTestId('documents-approve-all') as HTMLButtonElement).click();
    await settle();
    flushSync();
    expect(backend.approve).toHaveBeenCalledWith('b1', [{ index: 0, sourceRef: 'file:debitorer.csv:00123' }]);
    expect(byTestId('documents-outcome')?.textContent).toContain('1 upload once their case exists');
    expect(byTestId('document-upload')?.textContent).toContain('Approved');
    (byTestId('documents-upload-now') as HTMLButtonElement).click();
    await settle();
    flushSync();
    expect(backend.uploadPending).toHaveBeenCalled();
    expect(byTestId('documents-outcome')?.textContent).toBe('1 document stored, 1 uploaded');
    expect(byTestId('documents-upload-now')).toBeNull();
  });

  it('says plainly when a file cannot be imported', async () => {
    const backend = await openPath('/data/invoice.pdf');
    expect(backend.open).not.toHaveBeenCalled();
    expect(byTestId('import-unsupported')?.textContent).toContain('.pdf');
  });
});
