import { describe, expect, it } from 'vitest';
import { exportDocument, exportFileName } from './exportPayloads';
import type { SubmitPreview } from './wire';

const preview: SubmitPreview = {
  destination: 'Debitura test environment — Acme at https://example.test',
  totals: [{ currency: 'EUR', amount: '100.00', count: 1 }],
  willSend: [
    {
      sourceRef: 'stripe:acct_1/in_1',
      creditorReference: 'INV-1',
      debtorName: 'Buyer ApS',
      amount: '100.00',
      currency: 'EUR',
      payload: { creditorReference: 'INV-1', amountToRecover: 100, debtor: { name: 'Buyer ApS' } },
      warnings: [],
    },
  ],
  blocked: [
    {
      sourceRef: 'stripe:acct_1/in_2',
      creditorReference: 'INV-2',
      issues: [{ code: 'city_missing', field: 'debtor.city', severity: 'blocking', message: 'no city', hint: 'add it' }],
    },
  ],
};

describe('payload export', () => {
  it('carries every payload byte for byte and the blocked items with reasons', () => {
    const doc = JSON.parse(exportDocument(preview, new Date('2026-01-31T14:05:00Z')));
    expect(doc.exportedAt).toBe('2026-01-31T14:05:00.000Z');
    expect(doc.destination).toBe(preview.destination);
    expect(doc.willSend[0].payload).toEqual(preview.willSend[0]?.payload);
    expect(doc.blocked[0].issues[0].code).toBe('city_missing');
  });

  it('names the file by local date and time', () => {
    expect(exportFileName(new Date(2026, 0, 31, 14, 5))).toBe('casebridge-payloads-2026-01-31-1405.json');
  });
});
