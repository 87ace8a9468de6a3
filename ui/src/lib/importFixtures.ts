// Test data for the Import page's tests: an engine session for a Danish
// semicolon CSV, shaped like the engine's ImportSession.

import type { ImportFieldInfo } from '../gen/ImportFieldInfo';
import type { ImportMapping } from '../gen/ImportMapping';
import type { ImportSession } from '../gen/ImportSession';

export const FIELDS: ImportFieldInfo[] = [
  { field: 'invoice_number', label: 'Invoice number', required: true },
  { field: 'issue_date', label: 'Invoice date', required: true },
  { field: 'outstanding_amount', label: 'Amount owed', required: true },
  { field: 'currency', label: 'Currency', required: true },
  { field: 'debtor_name', label: 'Debtor name', required: false },
];

export function danishSession(mapping: Partial<ImportMapping> = {}): ImportSession {
  const headers = ['Fakturanr', 'Fakturadato', 'Fornavn', 'Efternavn', 'Adresse', 'Beløb', 'Noter'];
  return {
    id: 's1',
    fileName: 'debitorer.csv',
    kind: 'delimited',
    recognised: 'CSV, semicolon-separated, UTF-8, header on row 1',
    encoding: { name: 'UTF-8', confidence: 1, method: 'valid_utf8', alternatives: ['windows-1252'], hadErrors: false },
    dialect: { delimiter: ';', quote: '"', headerRow: 1, preambleRows: 0 },
    sheets: [],
    sheet: null,
    headers,
    sample: [
      { rowNumber: 2, cells: ['00123', '05.03.2024', 'Anna', 'Holm', 'Vestergade 1, 8000 Aarhus', '1.234,56', ''] },
      { rowNumber: 3, cells: ['00124', '06.03.2024', 'Bo', 'Berg', 'Nørregade 2, 1165 København', '99,00', 'x'] },
      { rowNumber: 4, cells: ['00125', '07.03.2024', 'Carl', 'Dam', '', '10,00', ''] },
      { rowNumber: 5, cells: ['00126', '08.03.2024', 'Dorte', 'Eg', 'Torvet 3, 5000 Odense', '11,00', ''] },
    ],
    suggestions: [
      { column: 0, header: 'Fakturanr', field: 'invoice_number', confidence: 0.97, reason: 'known name', shape: 'code' },
      { column: 1, header: 'Fakturadato', field: 'issue_date', confidence: 0.95, reason: 'known name', shape: 'date' },
      { column: 2, header: 'Fornavn', field: 'debtor_name', confidence: 0.6, reason: 'similar', shape: 'text' },
      { column: 3, header: 'Efternavn', field: null, confidence: 0, reason: '', shape: 'text' },
      { column: 4, header: 'Adresse', field: 'street', confidence: 0.9, reason: 'known name', shape: 'text' },
      { column: 5, header: 'Beløb', field: 'outstanding_amount', confidence: 0.92, reason: 'known name', shape: 'amount' },
      { column: 6, header: 'Noter', field: 'description', confidence: 0.3, reason: 'weak', shape: 'text' },
    ],
    profile: null,
    mapping: {
      fields: [
        { field: 'invoice_number', source: { kind: 'column', column: 0 } },
        { field: 'issue_date', source: { kind: 'column', column: 1 } },
        { field: 'debtor_name', source: { kind: 'column', column: 2 } },
        { field: 'street', source: { kind: 'column', column: 4 } },
        { field: 'outstanding_amount', source: { kind: 'column', column: 5 } },
      ],
      amountLocale: 'decimal_comma',
      issueDateOrder: 'day_first',
      dueDateOrder: null,
      ...mapping,
    },
    dateColumns: [{ field: 'issue_date', column: 1, inferred: 'day_first', ambiguous: false }],
    fields: FIELDS,
    headerFingerprint: 'hf1:abc',
  };
}

