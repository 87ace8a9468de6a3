// The debtor fix form: one text field per DebtorEdits field. A blank field
// means "keep what the source says" (the engine treats blanks the same way),
// so the form shows the source value as the placeholder and the fix as the
// value.

import type { DebtorEdits, RuleIssue } from './wire';

export type DebtorField = keyof DebtorEdits;

export type DebtorForm = Record<DebtorField, string>;

export const DEBTOR_FIELDS: { id: DebtorField; label: string; multiline?: boolean; autocomplete?: string }[] = [
  { id: 'kind', label: 'Debtor type' },
  { id: 'name', label: 'Name', autocomplete: 'organization' },
  { id: 'addressLines', label: 'Street (one line each)', multiline: true },
  { id: 'postalCode', label: 'Postal code' },
  { id: 'city', label: 'City' },
  { id: 'country', label: 'Country (name or ISO code)' },
  { id: 'state', label: 'State / region' },
  { id: 'email', label: 'Email' },
  { id: 'phone', label: 'Phone' },
  { id: 'companyRegistrationNumber', label: 'Company registration no.' },
  { id: 'contactPerson', label: 'Contact person' },
];

/** The agency field a readiness rule names → the form field that fixes it. */
const FIELD_FOR_RULE: Record<string, DebtorField> = {
  'debtor.type': 'kind',
  'debtor.name': 'name',
  'debtor.address': 'addressLines',
  'debtor.city': 'city',
  'debtor.zipCode': 'postalCode',
  'debtor.countryAlpha2': 'country',
  'debtor.stateAlpha2': 'state',
  'debtor.email': 'email',
  'debtor.phone': 'phone',
};

export function debtorFieldFor(ruleField: string): DebtorField | null {
  return FIELD_FOR_RULE[ruleField] ?? null;
}

/** Form fields with a blocking issue, for highlighting. */
export function fieldsWithIssues(issues: readonly RuleIssue[]): Set<DebtorField> {
  const out = new Set<DebtorField>();
  for (const issue of issues) {
    const field = debtorFieldFor(issue.field);
    if (field && issue.severity === 'blocking') out.add(field);
  }
  return out;
}

export function displayValue(edits: DebtorEdits | null, field: DebtorField): string {
  if (!edits) return '';
  const value = edits[field];
  if (value === null || value === undefined) return '';
  return Array.isArray(value) ? value.join('\n') : value;
}

export function formFromEdits(edits: DebtorEdits | null): DebtorForm {
  const form = {} as DebtorForm;
  for (const { id } of DEBTOR_FIELDS) form[id] = displayValue(edits, id);
  return form;
}

/** The form as the engine's edits; `null` when every field is blank (nothing to save). */
export function editsFromForm(form: DebtorForm): DebtorEdits | null {
  const text = (v: string) => (v.trim() === '' ? null : v.trim());
  const lines = form.addressLines
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  const edits: DebtorEdits = {
    kind: text(form.kind),
    name: text(form.name),
    addressLines: lines.length > 0 ? lines : null,
    city: text(form.city),
    postalCode: text(form.postalCode),
    country: text(form.country),
    state: text(form.state),
    email: text(form.email),
    phone: text(form.phone),
    companyRegistrationNumber: text(form.companyRegistrationNumber),
    contactPerson: text(form.contactPerson),
  };
  return Object.values(edits).every((v) => v === null) ? null : edits;
}

/** Sort for the checklist: blocking first, then warnings, otherwise as the engine listed them. */
export function checklistOrder(issues: readonly RuleIssue[]): RuleIssue[] {
  return [...issues.filter((i) => i.severity === 'blocking'), ...issues.filter((i) => i.severity !== 'blocking')];
}
