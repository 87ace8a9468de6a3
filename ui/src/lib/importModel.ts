// The Import page's view model: what a file column can become, how sure the
// engine is about it, and the user's mapping edits (change, join by giving
// two columns the same field, split one column into parts, constants,
// date order). Pure functions so they are tested without a window; the
// engine's wire types arrive through `importWire.ts`.

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
] as const;

export type Field = (typeof FIELDS)[number];

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

export type DateOrder = 'dmy' | 'mdy' | 'ymd';
export const DATE_ORDER_LABELS: Record<DateOrder, string> = {
  dmy: 'Day first (31.12.2024)',
  mdy: 'Month first (12/31/2024)',
  ymd: 'Year first (2024-12-31)',
};

export type DebtorType = 'company' | 'private';

/** What one file column becomes. */
export type ColumnUse =
  | { kind: 'field'; field: Field | null }
  | { kind: 'split'; separator: string; parts: (Field | null)[] };

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

export interface Constants {
  currency: string;
  debtorType: DebtorType | '';
}

export interface MappingDraft {
  columns: ColumnDraft[];
  constants: Constants;
  /** For date columns whose order the values leave open; null until the user picks. */
  dateOrder: DateOrder | null;
  dateAmbiguous: boolean;
  /** Glue between joined columns. */
  joinSeparator: string;
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

export function draftFromSuggestions(
  suggestions: SuggestionInput[],
  options: { dateAmbiguous?: boolean; dateOrder?: DateOrder | null } = {},
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
    constants: { currency: '', debtorType: '' },
    dateOrder: options.dateOrder ?? null,
    dateAmbiguous: options.dateAmbiguous ?? false,
    joinSeparator: ' ',
  };
}

function replaceColumn(draft: MappingDraft, column: number, use: ColumnUse): MappingDraft {
  return { ...draft, columns: draft.columns.map((c) => (c.column === column ? { ...c, use } : c)) };
}

/**
 * Maps `column` to `field`. A field that cannot be joined leaves the column
 * that had it (each field has one source); a joinable one is joined with it.
 */
export function setField(draft: MappingDraft, column: number, field: Field | null): MappingDraft {
  let next = replaceColumn(draft, column, { kind: 'field', field });
  if (field && !JOINABLE.has(field)) {
    next = {
      ...next,
      columns: next.columns.map((c) => {
        if (c.column === column) return c;
        if (c.use.kind === 'field' && c.use.field === field) return { ...c, use: { kind: 'field', field: null } };
        if (c.use.kind === 'split' && c.use.parts.includes(field))
          return { ...c, use: { ...c.use, parts: c.use.parts.map((p) => (p === field ? null : p)) } };
        return c;
      }),
    };
  }
  return next;
}

export function splitColumn(draft: MappingDraft, column: number, separator: string, parts: (Field | null)[]): MappingDraft {
  return replaceColumn(draft, column, { kind: 'split', separator, parts });
}

export function unsplitColumn(draft: MappingDraft, column: number): MappingDraft {
  return replaceColumn(draft, column, { kind: 'field', field: null });
}

/** Splits `value` the way a split column will: at most `parts` pieces, the rest kept in the last. */
export function splitValue(value: string, separator: string, parts: number): string[] {
  if (parts <= 1 || separator === '') return [value.trim()];
  const pieces = value.split(separator);
  const head = pieces.slice(0, parts - 1).map((p) => p.trim());
  const tail = pieces.slice(parts - 1).join(separator).trim();
  return pieces.length >= parts ? [...head, tail] : [...pieces.map((p) => p.trim()), ...Array(parts - pieces.length).fill('')];
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
    else c.use.parts.forEach((p, i) => add(p, c.column, i));
  }
  return out;
}

export function joinedFields(draft: MappingDraft): Field[] {
  return [...sourcesByField(draft)].filter(([, s]) => s.length > 1).map(([f]) => f);
}

/** What must be there before rows can be read: an invoice number, an amount, a currency. */
export function mappingProblems(draft: MappingDraft): string[] {
  const mapped = sourcesByField(draft);
  const problems: string[] = [];
  if (!mapped.has('invoice_number')) problems.push('Choose the column with the invoice number.');
  if (!mapped.has('outstanding_amount') && !mapped.has('total_amount'))
    problems.push('Choose the column with the amount owed.');
  if (!mapped.has('currency') && !draft.constants.currency)
    problems.push('Choose the currency column, or set one currency for every row.');
  if (draft.constants.currency && !/^[A-Z]{3}$/.test(draft.constants.currency))
    problems.push('The currency must be a three-letter ISO code such as DKK or EUR.');
  if (draft.dateAmbiguous && !draft.dateOrder && (mapped.has('issue_date') || mapped.has('due_date')))
    problems.push('The dates could be day-first or month-first: choose the date order.');
  return problems;
}

/** Whether the user changed anything the engine suggested (then the profile is saved on confirm). */
export function isEdited(draft: MappingDraft): boolean {
  return (
    draft.columns.some(
      (c) => c.use.kind === 'split' || c.use.field !== (c.confidence >= PRESELECT_AT ? c.suggested : null),
    ) ||
    draft.constants.currency !== '' ||
    draft.constants.debtorType !== '' ||
    draft.dateOrder !== null
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

export type RowFilter = 'all' | 'errors' | 'duplicates';

export interface CellProblem {
  /** File column index, or null for a problem of the whole row (a missing field). */
  column: number | null;
  field: Field | null;
  code: string;
  message: string;
}

export interface PreviewRow {
  /** 1-based row number in the file, as Excel shows it. */
  row: number;
  cells: string[];
  problems: CellProblem[];
  /** What it duplicates ("already submitted as case C-12"), or null. */
  duplicateOf: string | null;
}

export type RowStatus = 'ready' | 'needs_fixing' | 'duplicate';

export function rowStatus(row: PreviewRow): RowStatus {
  if (row.duplicateOf) return 'duplicate';
  return row.problems.length > 0 ? 'needs_fixing' : 'ready';
}

export function matchesFilter(row: PreviewRow, filter: RowFilter): boolean {
  if (filter === 'all') return true;
  if (filter === 'errors') return row.problems.length > 0;
  return row.duplicateOf !== null;
}

export function countRows(rows: PreviewRow[]): Record<RowStatus, number> & { all: number; errors: number } {
  const counts = { all: rows.length, errors: 0, ready: 0, needs_fixing: 0, duplicate: 0 };
  for (const r of rows) {
    counts[rowStatus(r)] += 1;
    if (r.problems.length > 0) counts.errors += 1;
  }
  return counts;
}

export function problemsAt(row: PreviewRow, column: number): CellProblem[] {
  return row.problems.filter((p) => p.column === column);
}

/** Problems no single cell carries (e.g. a required field with no column), shown on the row. */
export function rowProblems(row: PreviewRow): CellProblem[] {
  return row.problems.filter((p) => p.column === null);
}

const nf = new Intl.NumberFormat('en-US');
const plural = (n: number, one: string, many: string) => `${nf.format(n)} ${n === 1 ? one : many}`;

export function stageSummary(counts: { ready: number; needs_fixing: number; duplicate: number }): string {
  return [
    `${plural(counts.ready, 'row', 'rows')} ready`,
    `${nf.format(counts.needs_fixing)} need${counts.needs_fixing === 1 ? 's' : ''} fixing`,
    plural(counts.duplicate, 'duplicate', 'duplicates'),
  ].join(', ');
}

export function formatCount(n: number, one: string, many: string): string {
  return plural(n, one, many);
}

// ---- ZIP documents -------------------------------------------------------------

export interface DocumentCandidate {
  /** What the document would be attached to, e.g. "Invoice 10023 — Nordisk Tømrer ApS". */
  label: string;
  sourceRef: string | null;
  caseRef: string | null;
  confidence: number;
  /** Why: "invoice number in the file name". */
  reason: string;
}

export interface DocumentView {
  id: string;
  /** Path inside the ZIP. */
  path: string;
  sizeBytes: number;
  documentType: string;
  candidates: DocumentCandidate[];
  /** Refused by the safety checks or the agency's rules (type, size); never uploaded. */
  refused: string | null;
  approved: boolean;
  upload: 'not_yet' | 'waiting_for_case' | 'uploading' | 'uploaded' | 'failed';
  uploadError: string | null;
}

export type DocumentGroup = 'refused' | 'conflict' | 'unmatched' | 'matched';

export function documentGroup(doc: DocumentView): DocumentGroup {
  if (doc.refused) return 'refused';
  if (doc.candidates.length === 0) return 'unmatched';
  if (doc.candidates.length > 1) return 'conflict';
  return 'matched';
}

export const DOCUMENT_GROUP_ORDER: DocumentGroup[] = ['conflict', 'unmatched', 'matched', 'refused'];

export function sortDocuments(docs: DocumentView[]): DocumentView[] {
  const rank = (d: DocumentView) => DOCUMENT_GROUP_ORDER.indexOf(documentGroup(d));
  return [...docs].sort((a, b) => rank(a) - rank(b) || a.path.localeCompare(b.path));
}

/** Which documents "Approve all" approves: the single confident matches, never conflicts or guesses. */
export function approvableAll(docs: DocumentView[]): DocumentView[] {
  return docs.filter(
    (d) => !d.approved && documentGroup(d) === 'matched' && confidenceLevel(d.candidates[0].confidence) === 'high',
  );
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export const UPLOAD_LABELS: Record<DocumentView['upload'], string> = {
  not_yet: 'Not approved',
  waiting_for_case: 'Uploads once the case exists',
  uploading: 'Uploading…',
  uploaded: 'Uploaded',
  failed: 'Upload failed',
};
