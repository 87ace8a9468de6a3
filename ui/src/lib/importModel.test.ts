import { describe, expect, it } from 'vitest';
import {
  approvableAll,
  confidenceLevel,
  confidencePercent,
  countRows,
  documentGroup,
  draftFromSuggestions,
  isEdited,
  joinedFields,
  mappingProblems,
  matchesFilter,
  setField,
  sortDocuments,
  sourcesByField,
  splitColumn,
  splitValue,
  stageSummary,
  type DocumentView,
  type PreviewRow,
} from './importModel';

const danish = draftFromSuggestions([
  { column: 1, header: 'Fakturadato', field: 'issue_date', confidence: 0.95, samples: ['05.03.2024', '06.03.2024', '07.03.2024', '08.03.2024'] },
  { column: 0, header: 'Fakturanr', field: 'invoice_number', confidence: 0.97 },
  { column: 2, header: 'Kunde', field: 'debtor_name', confidence: 0.6 },
  { column: 3, header: 'Beløb', field: 'outstanding_amount', confidence: 0.9 },
  { column: 4, header: 'Noter', field: 'description', confidence: 0.3 },
  { column: 5, header: 'Efternavn', field: 'no_such_field', confidence: 0.9 },
]);

describe('confidence', () => {
  it('buckets at 0.8 and the engine pre-selection line of 0.5', () => {
    expect(confidenceLevel(0.8)).toBe('high');
    expect(confidenceLevel(0.79)).toBe('medium');
    expect(confidenceLevel(0.5)).toBe('medium');
    expect(confidenceLevel(0.49)).toBe('low');
    expect(confidenceLevel(0)).toBe('none');
    expect(confidenceLevel(null)).toBe('none');
    expect(confidencePercent(0.874)).toBe('87 %');
    expect(confidencePercent(undefined)).toBe('—');
  });
});

describe('mapping draft', () => {
  it('orders columns, keeps three samples, pre-selects only confident known fields', () => {
    expect(danish.columns.map((c) => c.column)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(danish.columns[1].samples).toHaveLength(3);
    expect(danish.columns[4].use).toEqual({ kind: 'field', field: null }); // 0.3 is only a suggestion
    expect(danish.columns[5].suggested).toBeNull(); // unknown field names never reach a select
    expect(isEdited(danish)).toBe(false);
  });

  it('says what is missing before rows can be read', () => {
    expect(mappingProblems(danish)).toEqual(['Choose the currency column, or set one currency for every row.']);
    const withCurrency = { ...danish, constants: { currency: 'DKK', debtorType: '' as const } };
    expect(mappingProblems(withCurrency)).toEqual([]);
    expect(mappingProblems({ ...danish, constants: { currency: 'kr', debtorType: '' } })).toContain(
      'The currency must be a three-letter ISO code such as DKK or EUR.',
    );
    const ambiguous = { ...withCurrency, dateAmbiguous: true };
    expect(mappingProblems(ambiguous)).toEqual(['The dates could be day-first or month-first: choose the date order.']);
    expect(mappingProblems({ ...ambiguous, dateOrder: 'dmy' })).toEqual([]);
  });

  it('moves a one-source field from the column that had it', () => {
    const moved = setField(danish, 4, 'invoice_number');
    expect(moved.columns[0].use).toEqual({ kind: 'field', field: null });
    expect(moved.columns[4].use).toEqual({ kind: 'field', field: 'invoice_number' });
    expect(isEdited(moved)).toBe(true);
    expect(mappingProblems(moved)).not.toContain('Choose the column with the invoice number.');
  });

  it('joins columns that get the same joinable field, in file order', () => {
    const joined = setField(danish, 5, 'debtor_name');
    expect(joinedFields(joined)).toEqual(['debtor_name']);
    expect(sourcesByField(joined).get('debtor_name')).toEqual([
      { column: 2, part: null },
      { column: 5, part: null },
    ]);
  });

  it('splits a column into fields and takes a split part away when the field goes elsewhere', () => {
    const split = splitColumn(danish, 4, ',', ['street', 'city']);
    expect(sourcesByField(split).get('city')).toEqual([{ column: 4, part: 1 }]);
    const moved = setField(split, 5, 'postal_code');
    expect(sourcesByField(moved).get('postal_code')).toEqual([{ column: 5, part: null }]);
    const taken = setField(splitColumn(danish, 4, ',', ['street', 'postal_code']), 5, 'postal_code');
    expect(taken.columns[4].use).toEqual({ kind: 'split', separator: ',', parts: ['street', null] });
  });

  it('splits a value into exactly the parts asked for, the rest kept in the last', () => {
    expect(splitValue('Vesterbrogade 1, 1620 København V, DK', ',', 2)).toEqual(['Vesterbrogade 1', '1620 København V, DK']);
    expect(splitValue('Anna', ' ', 2)).toEqual(['Anna', '']);
    expect(splitValue(' x ', '', 3)).toEqual(['x']);
  });
});

describe('preview rows', () => {
  const rows: PreviewRow[] = [
    { row: 2, cells: ['1'], problems: [], duplicateOf: null },
    { row: 3, cells: ['2'], problems: [{ column: 3, field: 'outstanding_amount', code: 'amount_invalid', message: 'x' }], duplicateOf: null },
    { row: 4, cells: ['3'], problems: [], duplicateOf: 'already submitted' },
    { row: 5, cells: ['4'], problems: [{ column: null, field: 'city', code: 'city_missing', message: 'y' }], duplicateOf: null },
  ];

  it('counts ready, needs fixing and duplicates, and filters the same way', () => {
    const counts = countRows(rows);
    expect(counts).toEqual({ all: 4, errors: 2, ready: 1, needs_fixing: 2, duplicate: 1 });
    expect(rows.filter((r) => matchesFilter(r, 'errors')).map((r) => r.row)).toEqual([3, 5]);
    expect(rows.filter((r) => matchesFilter(r, 'duplicates')).map((r) => r.row)).toEqual([4]);
    expect(stageSummary(counts)).toBe('1 row ready, 2 need fixing, 1 duplicate');
    expect(stageSummary({ ready: 1200, needs_fixing: 1, duplicate: 0 })).toBe('1,200 rows ready, 1 needs fixing, 0 duplicates');
  });
});

describe('ZIP documents', () => {
  const doc = (path: string, confidences: number[], extra: Partial<DocumentView> = {}): DocumentView => ({
    id: path,
    path,
    sizeBytes: 1000,
    documentType: 'invoice',
    candidates: confidences.map((confidence, i) => ({ label: `Invoice ${i}`, sourceRef: `file:x/${i}`, caseRef: null, confidence, reason: 'file name' })),
    refused: null,
    approved: false,
    upload: 'not_yet',
    uploadError: null,
    ...extra,
  });

  it('puts conflicts and unmatched first and refused last', () => {
    const docs = [doc('b.pdf', [0.9]), doc('z.exe', [], { refused: 'type' }), doc('c.pdf', []), doc('a.pdf', [0.7, 0.6])];
    expect(docs.map(documentGroup)).toEqual(['matched', 'refused', 'unmatched', 'conflict']);
    expect(sortDocuments(docs).map((d) => d.path)).toEqual(['a.pdf', 'c.pdf', 'b.pdf', 'z.exe']);
  });

  it('approves all only the single confident matches not yet approved', () => {
    const docs = [doc('sure.pdf', [0.95]), doc('guess.pdf', [0.6]), doc('two.pdf', [0.9, 0.9]), doc('done.pdf', [0.9], { approved: true })];
    expect(approvableAll(docs).map((d) => d.path)).toEqual(['sure.pdf']);
  });
});
