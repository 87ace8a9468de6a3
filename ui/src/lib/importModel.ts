// The Import page's view model: what a file column can become, how sure the
// engine is about it, and the user's mapping edits (change, join by giving
// two columns the same field, split one column into parts, constants,
// date order). Pure functions so they are tested without a window; the
// engine's wire types are in ../gen (ImportSession, ImportMapping…).

import type { AmountLocale } from '../gen/AmountLocale';
import type { DateOrder } from '../gen/DateOrder';
import type { ImportField } from '../gen/ImportField';
import type { ImportFieldInfo } from '../gen/ImportFieldInfo';
import type { ImportMapping } from '../gen/ImportMapping';
import type { ImportSession } from '../gen/ImportSession';
import type { ImportRow } from '../gen/ImportRow';
import type { ImportRowFilter } from '../gen/ImportRowFilter';
import type { ImportRowStatus } from '../gen/ImportRowStatus';
import type { DuplicateOf } from '../gen/DuplicateOf';
import type { DocumentEntry } from '../gen/DocumentEntry';
import type { DocumentCandidate } from '../gen/DocumentCandidate';
import type { DocumentStatus } from '../gen/DocumentStatus';
import type { DocumentTarget } from '../gen/DocumentTarget';
import type { MatchBasis } from '../gen/MatchBasis';
import type { AgencyDocumentType } from '../gen/AgencyDocumentType';
import type { ApproveDocumentsOutcome } from '../gen/ApproveDocumentsOutcome';

export type { DateOrder };

/** Fields a column can fill; the engine's `CaseFieldTarget`, in the order the UI lists them. */
export const FIELDS = [
  'invoice_number',
  'issue_date',
  'due_date',
  'total_amount',
  'outstanding_amount',
  'currency',
  'description',
  'customer_id',
  'debtor_name',
  'debtor_type',
  'street',
  'street2',
  'postal_code',
  'city',
  'country',
  'state',
  'email',
  'phone',
  'company_registration_number',
  'contact_person',
] as const satisfies readonly ImportField[];

export type Field = ImportField;

export const FIELD_LABELS: Record<Field, string> = {
  invoice_number: 'Invoice number',
  issue_date: 'Invoice date',
  due_date: 'Due date',
  total_amount: 'Invoice total',
  outstanding_amount: 'Amount owed',
  currency: 'Currency',
  description: 'Description',
  customer_id: 'Customer id',
  debtor_name: 'Debtor name',
  debtor_type: 'Debtor type',
  street: 'Street',
  street2: 'Address line 2',
  postal_code: 'Postal code',
  city: 'City',
  country: 'Country',
  state: 'State / region',
  email: 'Email',
  phone: 'Phone',
  company_registration_number: 'VAT / company number',
  contact_person: 'Contact person',
};

/** Fields whose values may be glued from several columns (first + last name, street + number). */
export const JOINABLE: ReadonlySet<Field> = new Set<Field>([
  'description',
  'debtor_name',
  'street',
  'street2',
  'contact_person',
  'city',
]);

export function isField(value: unknown): value is Field {
  return typeof value === 'string' && (FIELDS as readonly string[]).includes(value);
}

export function fieldLabel(field: Field | null): string {
  return field ? FIELD_LABELS[field] : 'Not imported';
}

// ---- confidence ------------------------------------------------------------

export type ConfidenceLevel = 'high' | 'medium' | 'low' | 'none';

/** The engine pre-selects at ≥ 0.5 and asks below; 0.8 and up needs no second look. */
export function confidenceLevel(confidence: number | null | undefined): ConfidenceLevel {
  if (confidence === null || confidence === undefined || !(confidence > 0)) return 'none';
  if (confidence >= 0.8) return 'high';
  if (confidence >= 0.5) return 'medium';
  return 'low';
}

export function confidencePercent(confidence: number | null | undefined): string {
  if (confidence === null || confidence === undefined || !(confidence > 0)) return '—';
  return `${Math.round(Math.min(1, confidence) * 100)} %`;
}

export function confidenceWords(confidence: number | null | undefined): string {
  const words: Record<ConfidenceLevel, string> = {
    high: 'sure',
    medium: 'likely — please check',
    low: 'a guess — please choose',
    none: 'no suggestion',
  };
  return words[confidenceLevel(confidence)];
}

// ---- the mapping draft -------------------------------------------------------

export const DATE_ORDER_LABELS: Record<DateOrder, string> = {
  day_first: 'Day first (31.12.2024)',
  month_first: 'Month first (12/31/2024)',
  iso: 'Year first (2024-12-31)',
  excel_serial: 'Spreadsheet serial numbers (45382)',
};

export const DATE_FIELDS = ['issue_date', 'due_date'] as const;
export type DateField = (typeof DATE_FIELDS)[number];

/** Fields a constant can fill, with the values offered. */
export const CONSTANT_FIELDS = ['currency', 'debtor_type'] as const;
export type ConstantField = (typeof CONSTANT_FIELDS)[number];

export interface SplitPartDraft {
  field: Field | null;
  from: number;
  to: number | null;
}

/** What one file column becomes. */
export type ColumnUse =
  | { kind: 'field'; field: Field | null }
  /** `separator` '' means any run of whitespace. */
  | { kind: 'split'; separator: string; parts: SplitPartDraft[] };

export interface ColumnDraft {
  column: number;
  header: string;
  samples: string[];
  suggested: Field | null;
  confidence: number;
  /** Why the engine suggested it, in words. */
  reason: string;
  use: ColumnUse;
}

export interface MappingDraft {
  columns: ColumnDraft[];
  /** Fields filled with the same value on every row; only for fields no column fills. */
  constants: Record<ConstantField, string>;
  /** Glue between joined columns. */
  joinSeparator: string;
  amountLocale: AmountLocale;
  dateOrders: Record<DateField, DateOrder | null>;
  /** Date fields whose sample fits more than one order. */
  ambiguousDates: DateField[];
}

export interface SuggestionInput {
  column: number;
  header: string;
  field: string | null;
  confidence: number;
  reason?: string;
  samples?: string[];
}

/** The engine pre-selects a suggestion at this confidence or more. */
export const PRESELECT_AT = 0.5;

/** Parts `from = i, to = i + 1`, the last one taking the rest. */
export function evenParts(fields: (Field | null)[]): SplitPartDraft[] {
  return fields.map((field, i) => ({ field, from: i, to: i === fields.length - 1 ? null : i + 1 }));
}

export function draftFromSuggestions(
  suggestions: SuggestionInput[],
  options: { ambiguousDates?: DateField[]; dateOrders?: Partial<Record<DateField, DateOrder | null>>; amountLocale?: AmountLocale } = {},
): MappingDraft {
  return {
    columns: [...suggestions]
      .sort((a, b) => a.column - b.column)
      .map((s) => {
        const suggested = isField(s.field) ? s.field : null;
        return {
          column: s.column,
          header: s.header,
          samples: (s.samples ?? []).slice(0, 3),
          suggested,
          confidence: s.confidence,
          reason: s.reason ?? '',
          use: { kind: 'field', field: s.confidence >= PRESELECT_AT ? suggested : null },
        };
      }),
    constants: { currency: '', debtor_type: '' },
    joinSeparator: ' ',
    amountLocale: options.amountLocale ?? 'decimal_point',
    dateOrders: { issue_date: null, due_date: null, ...options.dateOrders },
    ambiguousDates: options.ambiguousDates ?? [],
  };
}

/**
 * The engine's session → the editable draft: its suggestions for the
 * column list, its mapping (a saved profile's when one matched) for what
 * each column does now.
 */
export function draftFromSession(session: ImportSession): MappingDraft {
  const samples = (column: number) =>
    session.sample
      .map((r) => r.cells[column] ?? '')
      .filter((v) => v.trim() !== '')
      .slice(0, 3);
  const base = draftFromSuggestions(
    session.headers.map((header, column) => {
      const s = session.suggestions.find((x) => x.column === column);
      return { column, header, field: s?.field ?? null, confidence: s?.confidence ?? 0, reason: s?.reason, samples: samples(column) };
    }),
    {
      amountLocale: session.mapping.amountLocale,
      dateOrders: { issue_date: session.mapping.issueDateOrder, due_date: session.mapping.dueDateOrder },
      ambiguousDates: session.dateColumns.filter((d) => d.ambiguous && isDateField(d.field)).map((d) => d.field as DateField),
    },
  );
  return applyMapping(base, session.mapping);
}

function isDateField(field: string): field is DateField {
  return (DATE_FIELDS as readonly string[]).includes(field);
}

/** Sets every column's use from a wire mapping (the columns not in it are not imported). */
export function applyMapping(draft: MappingDraft, mapping: ImportMapping): MappingDraft {
  const uses = new Map<number, ColumnUse>();
  const constants: Record<ConstantField, string> = { currency: '', debtor_type: '' };
  let joinSeparator = draft.joinSeparator;
  for (const { field, source } of mapping.fields) {
    if (source.kind === 'column') uses.set(source.column, { kind: 'field', field });
    else if (source.kind === 'join') {
      joinSeparator = source.separator;
      for (const column of source.columns) uses.set(column, { kind: 'field', field });
    } else if (source.kind === 'split') {
      const had = uses.get(source.column);
      const separator = source.part.separator ?? '';
      const parts = had?.kind === 'split' ? had.parts : [];
      uses.set(source.column, {
        kind: 'split',
        separator,
        parts: [...parts, { field, from: source.part.from, to: source.part.to }].sort((a, b) => a.from - b.from),
      });
    } else if ((CONSTANT_FIELDS as readonly string[]).includes(field)) {
      constants[field as ConstantField] = source.value;
    }
  }
  return {
    ...draft,
    constants,
    joinSeparator,
    amountLocale: mapping.amountLocale,
    dateOrders: { issue_date: mapping.issueDateOrder, due_date: mapping.dueDateOrder },
    columns: draft.columns.map((c) => ({ ...c, use: uses.get(c.column) ?? { kind: 'field', field: null } })),
  };
}

/** The draft as the engine reads it: at most one source per field. */
export function toWireMapping(draft: MappingDraft): ImportMapping {
  const fields: ImportMapping['fields'] = [];
  for (const [field, sources] of sourcesByField(draft)) {
    const whole = sources.filter((s) => s.part === null);
    if (whole.length === sources.length) {
      const [only] = whole;
      fields.push({
        field,
        source:
          whole.length === 1 && only
            ? { kind: 'column', column: only.column }
            : { kind: 'join', columns: whole.map((s) => s.column), separator: draft.joinSeparator },
      });
      continue;
    }
    // A split part cannot be joined with another source (mappingProblems says so); the first wins.
    const first = sources.find((s) => s.part !== null);
    const use = draft.columns.find((c) => c.column === first?.column)?.use;
    const part = first && first.part !== null && use?.kind === 'split' ? use.parts[first.part] : undefined;
    if (first && use?.kind === 'split' && part) {
      fields.push({
        field,
        source: { kind: 'split', column: first.column, part: { separator: use.separator === '' ? null : use.separator, from: part.from, to: part.to } },
      });
    }
  }
  for (const field of CONSTANT_FIELDS) {
    const value = draft.constants[field].trim();
    if (value && !fields.some((f) => f.field === field)) fields.push({ field, source: { kind: 'constant', value } });
  }
  return {
    fields,
    amountLocale: draft.amountLocale,
    issueDateOrder: draft.dateOrders.issue_date,
    dueDateOrder: draft.dateOrders.due_date,
  };
}

function replaceColumn(draft: MappingDraft, column: number, use: ColumnUse): MappingDraft {
  return { ...draft, columns: draft.columns.map((c) => (c.column === column ? { ...c, use } : c)) };
}

/** Takes `field` away from every column but `except` (for fields with one source). */
function releaseField(draft: MappingDraft, field: Field, except: number): MappingDraft {
  return {
    ...draft,
    columns: draft.columns.map((c) => {
      if (c.column === except) return c;
      if (c.use.kind === 'field' && c.use.field === field) return { ...c, use: { kind: 'field', field: null } };
      if (c.use.kind === 'split' && c.use.parts.some((p) => p.field === field))
        return { ...c, use: { ...c.use, parts: c.use.parts.map((p) => (p.field === field ? { ...p, field: null } : p)) } };
      return c;
    }),
  };
}

/**
 * Maps `column` to `field`. A field that cannot be joined leaves the column
 * that had it (each field has one source); a joinable one is joined with it.
 */
export function setField(draft: MappingDraft, column: number, field: Field | null): MappingDraft {
  const next = replaceColumn(draft, column, { kind: 'field', field });
  return field && !JOINABLE.has(field) ? releaseField(next, field, column) : next;
}

/** Gives part `index` of split `column` the field; a field filled by a split part has no other source. */
export function setSplitPart(draft: MappingDraft, column: number, index: number, field: Field | null): MappingDraft {
  const c = draft.columns.find((x) => x.column === column);
  if (!c || c.use.kind !== 'split') return draft;
  const parts = c.use.parts.map((p, i) => (i === index ? { ...p, field } : field && p.field === field ? { ...p, field: null } : p));
  const released = field ? releaseField(draft, field, column) : draft;
  return replaceColumn(released, column, { kind: 'split', separator: c.use.separator, parts });
}

export function splitColumn(draft: MappingDraft, column: number, separator: string, fields: (Field | null)[]): MappingDraft {
  return replaceColumn(draft, column, { kind: 'split', separator, parts: evenParts(fields) });
}

export function unsplitColumn(draft: MappingDraft, column: number): MappingDraft {
  return replaceColumn(draft, column, { kind: 'field', field: null });
}

/**
 * The piece of `value` a split part keeps, as the engine cuts it: pieces lie
 * between separators ('' = whitespace), blank ones dropped; negative indexes
 * count from the end; the kept pieces are joined back with the separator.
 */
export function splitPiece(value: string, separator: string, from: number, to: number | null): string {
  const pieces = (separator === '' ? value.split(/\s+/) : value.split(separator)).map((p) => p.trim()).filter((p) => p !== '');
  const at = (i: number) => Math.max(0, Math.min(pieces.length, i < 0 ? pieces.length + i : i));
  const kept = pieces.slice(at(from), to === null ? pieces.length : at(to));
  return kept.join(separator === '' ? ' ' : separator.trim() === '' ? separator : `${separator.trim()} `).trim();
}

/** Each field → the columns (in file order) that fill it; more than one means joined. */
export function sourcesByField(draft: MappingDraft): Map<Field, { column: number; part: number | null }[]> {
  const out = new Map<Field, { column: number; part: number | null }[]>();
  const add = (field: Field | null, column: number, part: number | null) => {
    if (!field) return;
    out.set(field, [...(out.get(field) ?? []), { column, part }]);
  };
  for (const c of draft.columns) {
    if (c.use.kind === 'field') add(c.use.field, c.column, null);
    else c.use.parts.forEach((p, i) => add(p.field, c.column, i));
  }
  return out;
}

export function joinedFields(draft: MappingDraft): Field[] {
  return [...sourcesByField(draft)].filter(([, s]) => s.length > 1).map(([f]) => f);
}

const DEFAULT_REQUIRED: Field[] = ['invoice_number', 'issue_date', 'outstanding_amount', 'currency'];

/**
 * What must be settled before rows can be read: every required field has a
 * source (a column or, for currency and debtor type, a constant), and
 * ambiguous date columns have an order.
 */
export function mappingProblems(draft: MappingDraft, fields: ImportFieldInfo[] = []): string[] {
  const mapped = sourcesByField(draft);
  const required = fields.length > 0 ? fields.filter((f) => f.required).map((f) => f.field) : DEFAULT_REQUIRED;
  const label = (f: Field) => fields.find((x) => x.field === f)?.label ?? FIELD_LABELS[f];
  const problems: string[] = [];
  for (const field of required) {
    if (mapped.has(field)) continue;
    if (field === 'outstanding_amount' && mapped.has('total_amount')) continue;
    if ((CONSTANT_FIELDS as readonly string[]).includes(field) && draft.constants[field as ConstantField].trim()) continue;
    problems.push(
      field === 'currency'
        ? 'Choose the currency column, or set one currency for every row.'
        : `Choose the column with the ${label(field).toLowerCase()}.`,
    );
  }
  const currency = draft.constants.currency.trim();
  if (currency && !mapped.has('currency') && !/^[A-Z]{3}$/.test(currency))
    problems.push('The currency must be a three-letter ISO code such as DKK or EUR.');
  for (const [field, sources] of mapped) {
    if (sources.length > 1 && sources.some((s) => s.part !== null))
      problems.push(`${label(field)} comes from a split part and another column: choose one.`);
  }
  for (const field of draft.ambiguousDates) {
    if (mapped.has(field) && !draft.dateOrders[field])
      problems.push(`The ${label(field).toLowerCase()}s could be day-first or month-first: choose the date order.`);
  }
  return problems;
}

/** Whether the user changed anything the engine suggested. */
export function isEdited(draft: MappingDraft): boolean {
  return (
    draft.columns.some(
      (c) => c.use.kind === 'split' || c.use.field !== (c.confidence >= PRESELECT_AT ? c.suggested : null),
    ) ||
    draft.constants.currency !== '' ||
    draft.constants.debtor_type !== ''
  );
}

// ---- reading choices ---------------------------------------------------------

export const DELIMITERS: { value: string; label: string }[] = [
  { value: ',', label: 'Comma ( , )' },
  { value: ';', label: 'Semicolon ( ; )' },
  { value: '\t', label: 'Tab' },
  { value: '|', label: 'Pipe ( | )' },
];

export function delimiterLabel(delimiter: string): string {
  return DELIMITERS.find((d) => d.value === delimiter)?.label ?? `“${delimiter}”`;
}

/** Encodings the engine reads (encoding_rs labels). */
export const ENCODINGS = [
  'UTF-8',
  'UTF-16LE',
  'UTF-16BE',
  'windows-1252',
  'windows-1250',
  'ISO-8859-1',
  'ISO-8859-2',
  'ISO-8859-15',
];

// ---- preview -----------------------------------------------------------------

export type RowFilter = ImportRowFilter;

/** A problem shown on a cell or on the whole row: a reading error or a readiness rule. */
export interface RowProblem {
  column: number | null;
  code: string;
  message: string;
  hint: string;
  /** Reading errors make the row invalid; blocking readiness issues make it need fixing. */
  kind: 'error' | 'blocking' | 'warning';
}

export function rowProblemsAll(row: ImportRow): RowProblem[] {
  return [
    ...row.cellErrors.map((e): RowProblem => ({ column: e.column, code: e.code, message: e.message, hint: e.hint, kind: 'error' })),
    ...row.readiness.map((r): RowProblem => ({ column: r.column, code: r.code, message: r.message, hint: r.hint, kind: r.severity })),
  ];
}

export function problemsAt(row: ImportRow, column: number): RowProblem[] {
  return rowProblemsAll(row).filter((p) => p.column === column);
}

/** Problems no single cell carries (an empty or ragged row, a field with no column). */
export function rowProblems(row: ImportRow): RowProblem[] {
  return rowProblemsAll(row).filter((p) => p.column === null);
}

export const STATUS_LABELS: Record<ImportRowStatus, string> = {
  ready: 'Ready',
  needs_fixing: 'Needs fixing',
  invalid: "Can't be read",
  duplicate: 'Duplicate',
};

export function duplicateText(dup: DuplicateOf): string {
  if (dup.kind === 'submitted')
    return dup.creditor_reference ? `already submitted as ${dup.creditor_reference}` : 'already submitted as a case';
  if (dup.kind === 'cached') return 'already imported or fetched before';
  return `same invoice as row ${dup.row_number}`;
}

const nf = new Intl.NumberFormat('en-US');
const plural = (n: number, one: string, many: string) => `${nf.format(n)} ${n === 1 ? one : many}`;

export function formatCount(n: number, one: string, many: string): string {
  return plural(n, one, many);
}

export interface PreviewCounts {
  total: number;
  valid: number;
  ready: number;
  needsFixing: number;
  invalid: number;
  duplicates: number;
}

export function stageSummary(c: PreviewCounts): string {
  return [
    `${plural(c.ready, 'row', 'rows')} ready`,
    `${nf.format(c.needsFixing + c.invalid)} need${c.needsFixing + c.invalid === 1 ? 's' : ''} fixing`,
    plural(c.duplicates, 'duplicate', 'duplicates'),
  ].join(', ');
}

/** What "Import N valid rows" stages: ready rows and rows that become invoices needing a fix on Invoices. */
export function stageable(c: PreviewCounts): number {
  return c.valid;
}

// ---- ZIP documents -------------------------------------------------------------

export type DocumentGroup = DocumentStatus['kind'];

export function documentCandidates(entry: DocumentEntry): DocumentCandidate[] {
  if (entry.status.kind === 'matched') return [entry.status.candidate];
  if (entry.status.kind === 'conflict') return entry.status.candidates;
  return [];
}

export const DOCUMENT_GROUP_ORDER: DocumentGroup[] = ['conflict', 'unmatched', 'matched', 'refused'];

export function sortDocuments(docs: DocumentEntry[]): DocumentEntry[] {
  const rank = (d: DocumentEntry) => DOCUMENT_GROUP_ORDER.indexOf(d.status.kind);
  return [...docs].sort((a, b) => rank(a) - rank(b) || a.index - b.index);
}

/** Which documents "Approve all" approves: single sure matches not yet approved, never conflicts or guesses. */
export function approvableAll(docs: DocumentEntry[], approved: ReadonlySet<number>): { index: number; sourceRef: string }[] {
  return docs.flatMap((d) =>
    d.status.kind === 'matched' && !approved.has(d.index) && confidenceLevel(d.status.candidate.confidence) === 'high'
      ? [{ index: d.index, sourceRef: d.status.candidate.target.sourceRef }]
      : [],
  );
}

export function candidateLabel(target: DocumentTarget): string {
  return `Invoice ${target.invoiceNumber}${target.debtorName ? ` — ${target.debtorName}` : ''}`;
}

export const MATCH_BASIS_LABELS: Record<MatchBasis, string> = {
  file_name: 'invoice number in the file name',
  folder_name: 'invoice number in the folder name',
  pdf_text: 'invoice number in the PDF text',
};

export const DOCUMENT_TYPE_LABELS: Record<AgencyDocumentType, string> = {
  OriginalInvoice: 'Original invoice',
  DebtorDocuments: 'Debtor documents',
  CreditorDocuments: 'Creditor documents',
  PartnerDocuments: 'Partner documents',
  DemandLetter: 'Demand letter',
  Miscellaneous: 'Other',
};

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export function uploadSummaryText(outcome: ApproveDocumentsOutcome): string {
  const parts = [`${plural(outcome.stored, 'document', 'documents')} stored`];
  if (outcome.alreadyStored > 0) parts.push(`${nf.format(outcome.alreadyStored)} already there`);
  if (outcome.upload === null) parts.push('they upload once the agency is connected');
  else {
    parts.push(`${nf.format(outcome.upload.uploaded)} uploaded`);
    if (outcome.upload.waitingForCase > 0) parts.push(`${nf.format(outcome.upload.waitingForCase)} upload once their case exists`);
    if (outcome.upload.failed.length > 0) parts.push(`${nf.format(outcome.upload.failed.length)} failed`);
  }
  return parts.join(', ');
}
