import { describe, expect, it } from 'vitest';
import {
  approvableAll,
  confidenceLevel,
  confidencePercent,
  draftFromSession,
  draftFromSuggestions,
  duplicateText,
  isEdited,
  joinedFields,
  mappingProblems,
  problemsAt,
  rowProblems,
  setField,
  setSplitPart,
  sortDocuments,
  sourcesByField,
  splitColumn,
  splitPiece,
  stageSummary,
  toWireMapping,
} from './importModel';
import type { DocumentEntry } from '../gen/DocumentEntry';
import type { ImportMapping } from '../gen/ImportMapping';
import type { ImportRow } from '../gen/ImportRow';
import { FIELDS, danishSession } from './importFixtures';

const sortFields = (m: ImportMapping) => ({ ...m, fields: [...m.fields].sort((a, b) => a.field.localeCompare(b.field)) });

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

describe('mapping draft from the engine session', () => {
  const draft = draftFromSession(danishSession());

  it('lists every column with up to three non-blank samples and the session mapping as the choice', () => {
    expect(draft.columns.map((c) => c.header)).toEqual(danishSession().headers);
    expect(draft.columns[0]?.samples).toEqual(['00123', '00124', '00125']);
    expect(draft.columns[6]?.samples).toEqual(['x']);
    expect(draft.columns[6]?.use).toEqual({ kind: 'field', field: null }); // 0.3 stays a suggestion
    expect(draft.amountLocale).toBe('decimal_comma');
    expect(isEdited(draft)).toBe(false);
  });

  it('gives back the same mapping it was made from', () => {
    expect(sortFields(toWireMapping(draft))).toEqual(sortFields(danishSession().mapping));
  });

  it('round-trips a saved profile with a join, a split and constants', () => {
    const profile: Partial<ImportMapping> = {
      fields: [
        { field: 'invoice_number', source: { kind: 'column', column: 0 } },
        { field: 'issue_date', source: { kind: 'column', column: 1 } },
        { field: 'debtor_name', source: { kind: 'join', columns: [2, 3], separator: ' ' } },
        { field: 'street', source: { kind: 'split', column: 4, part: { separator: ',', from: 0, to: 1 } } },
        { field: 'city', source: { kind: 'split', column: 4, part: { separator: ',', from: 1, to: null } } },
        { field: 'outstanding_amount', source: { kind: 'column', column: 5 } },
        { field: 'currency', source: { kind: 'constant', value: 'DKK' } },
        { field: 'debtor_type', source: { kind: 'constant', value: 'Company' } },
      ],
    };
    const session = danishSession(profile);
    const fromProfile = draftFromSession(session);
    expect(joinedFields(fromProfile)).toEqual(['debtor_name']);
    expect(fromProfile.columns[4]?.use.kind).toBe('split');
    expect(fromProfile.constants).toEqual({ currency: 'DKK', debtor_type: 'Company' });
    expect(sortFields(toWireMapping(fromProfile))).toEqual(sortFields(session.mapping));
  });
});

describe('mapping edits', () => {
  const draft = draftFromSession(danishSession());

  it('says what every invoice still needs, and accepts a constant currency', () => {
    expect(mappingProblems(draft, FIELDS)).toEqual(['Choose the currency column, or set one currency for every row.']);
    expect(mappingProblems({ ...draft, constants: { currency: 'DKK', debtor_type: '' } }, FIELDS)).toEqual([]);
    expect(mappingProblems({ ...draft, constants: { currency: 'kr', debtor_type: '' } }, FIELDS)).toContain(
      'The currency must be a three-letter ISO code such as DKK or EUR.',
    );
    const noNumber = setField(draft, 0, null);
    expect(mappingProblems(noNumber, FIELDS)).toContain('Choose the column with the invoice number.');
  });

  it('asks for the date order only while an ambiguous date column is mapped', () => {
    const ambiguous = { ...draft, constants: { currency: 'DKK', debtor_type: '' }, ambiguousDates: ['issue_date' as const], dateOrders: { issue_date: null, due_date: null } };
    expect(mappingProblems(ambiguous, FIELDS)).toEqual(['The invoice dates could be day-first or month-first: choose the date order.']);
    expect(mappingProblems({ ...ambiguous, dateOrders: { issue_date: 'month_first', due_date: null } }, FIELDS)).toEqual([]);
    expect(toWireMapping({ ...ambiguous, dateOrders: { issue_date: 'month_first', due_date: null } }).issueDateOrder).toBe('month_first');
  });

  it('moves a one-source field away from the column that had it', () => {
    const moved = setField(draft, 6, 'invoice_number');
    expect(moved.columns[0]?.use).toEqual({ kind: 'field', field: null });
    expect(toWireMapping(moved).fields).toContainEqual({ field: 'invoice_number', source: { kind: 'column', column: 6 } });
    expect(isEdited(moved)).toBe(true);
  });

  it('joins columns given the same name field, in file order, with the join separator', () => {
    const joined = setField(draft, 3, 'debtor_name');
    expect(toWireMapping(joined).fields).toContainEqual({
      field: 'debtor_name',
      source: { kind: 'join', columns: [2, 3], separator: ' ' },
    });
  });

  it('splits a column into fields and takes a split field back when another column gets it', () => {
    const split = splitColumn(draft, 4, ',', ['street', 'city']);
    expect(toWireMapping(split).fields).toContainEqual({
      field: 'city',
      source: { kind: 'split', column: 4, part: { separator: ',', from: 1, to: null } },
    });
    const cityElsewhere = setField(split, 6, 'postal_code');
    const taken = setSplitPart(cityElsewhere, 4, 1, 'postal_code');
    expect(sourcesByField(taken).get('postal_code')).toEqual([{ column: 4, part: 1 }]);
    expect(taken.columns[6]?.use).toEqual({ kind: 'field', field: null });
  });

  it('refuses a field fed by a split part and another column', () => {
    const split = splitColumn(draft, 4, ',', ['street', 'description']);
    const both = setField(split, 6, 'description');
    expect(mappingProblems(both, FIELDS)).toContain('Description comes from a split part and another column: choose one.');
  });
});

describe('splitPiece cuts as the engine does', () => {
  it('keeps pieces between separators, blank ones dropped, negative indexes from the end', () => {
    expect(splitPiece('Vestergade 1, 8000 Aarhus', ',', 0, 1)).toBe('Vestergade 1');
    expect(splitPiece('Vestergade 1, 8000 Aarhus', ',', 1, null)).toBe('8000 Aarhus');
    expect(splitPiece('Anna  Marie Holm', '', -1, null)).toBe('Holm');
    expect(splitPiece('Anna  Marie Holm', '', 0, -1)).toBe('Anna Marie');
    expect(splitPiece('a,,b', ',', 1, 2)).toBe('b');
    expect(splitPiece('one', ',', 3, null)).toBe('');
  });
});

describe('preview rows', () => {
  const row: ImportRow = {
    rowNumber: 7,
    cells: ['00127', '31.02.2024', 'Eva', '', '', 'abc', ''],
    fixedColumns: [],
    status: 'invalid',
    cellErrors: [
      { column: 1, field: 'issue_date', code: 'date_impossible', message: '“31.02.2024” is not a date that exists', hint: 'Fix the date.' },
      { column: 5, field: 'outstanding_amount', code: 'amount_invalid', message: '“abc” is not an amount', hint: 'Write a number.' },
    ],
    readiness: [
      { column: null, code: 'city_missing', field: 'debtor.city', severity: 'blocking', message: 'The debtor has no city', hint: 'Map a city column.' },
    ],
    duplicateOf: null,
    invoice: null,
  };

  it('puts reading errors on their cell and field-less issues on the row', () => {
    expect(problemsAt(row, 1).map((p) => p.code)).toEqual(['date_impossible']);
    expect(problemsAt(row, 1)[0]?.kind).toBe('error');
    expect(problemsAt(row, 0)).toEqual([]);
    expect(rowProblems(row).map((p) => [p.code, p.kind])).toEqual([['city_missing', 'blocking']]);
  });

  it('says what a duplicate duplicates and sums up the file', () => {
    expect(duplicateText({ kind: 'submitted', creditor_reference: '00123' })).toBe('already submitted as 00123');
    expect(duplicateText({ kind: 'earlier_row', row_number: 4 })).toBe('same invoice as row 4');
    expect(stageSummary({ total: 10, valid: 7, ready: 5, needsFixing: 2, invalid: 1, duplicates: 2 })).toBe(
      '5 rows ready, 3 need fixing, 2 duplicates',
    );
    expect(stageSummary({ total: 1201, valid: 1200, ready: 1200, needsFixing: 0, invalid: 1, duplicates: 0 })).toBe(
      '1,200 rows ready, 1 needs fixing, 0 duplicates',
    );
  });
});

describe('ZIP documents', () => {
  const target = (n: string) => ({ sourceRef: `file:x:${n}`, invoiceNumber: n, debtorName: null, caseId: null, agencyReference: null });
  const entry = (index: number, status: DocumentEntry['status']): DocumentEntry => ({
    index,
    name: `doc${index}.pdf`,
    size: 1000,
    kind: 'pdf',
    suggestedType: 'OriginalInvoice',
    status,
  });
  const docs = [
    entry(0, { kind: 'matched', candidate: { target: target('1'), confidence: 0.95, basis: 'file_name' } }),
    entry(1, { kind: 'refused', reason: { code: 'path_traversal', message: 'x', hint: 'y' } }),
    entry(2, { kind: 'unmatched' }),
    entry(3, {
      kind: 'conflict',
      reason: 'several_invoices',
      candidates: [
        { target: target('2'), confidence: 0.7, basis: 'pdf_text' },
        { target: target('3'), confidence: 0.7, basis: 'pdf_text' },
      ],
    }),
    entry(4, { kind: 'matched', candidate: { target: target('4'), confidence: 0.7, basis: 'pdf_text' } }),
  ];

  it('lists conflicts and unmatched first and refused last', () => {
    expect(sortDocuments(docs).map((d) => d.index)).toEqual([3, 2, 0, 4, 1]);
  });

  it('approves all only sure single matches that are not approved yet', () => {
    expect(approvableAll(docs, new Set())).toEqual([{ index: 0, sourceRef: 'file:x:1' }]);
    expect(approvableAll(docs, new Set([0]))).toEqual([]);
  });
});

describe('draftFromSuggestions', () => {
  it('never offers a field name the UI does not know', () => {
    const d = draftFromSuggestions([{ column: 0, header: 'x', field: 'no_such_field', confidence: 0.9 }]);
    expect(d.columns[0]?.suggested).toBeNull();
    expect(d.columns[0]?.use).toEqual({ kind: 'field', field: null });
  });
});
