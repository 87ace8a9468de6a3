import { describe, expect, it } from 'vitest';
import { checklistOrder, debtorFieldFor, editsFromForm, fieldsWithIssues, formFromEdits } from './debtor';
import type { DebtorEdits, RuleIssue } from './wire';

const none: DebtorEdits = {
  kind: null,
  name: null,
  addressLines: null,
  city: null,
  postalCode: null,
  country: null,
  state: null,
  email: null,
  phone: null,
  companyRegistrationNumber: null,
  contactPerson: null,
};

function issue(field: string, severity: RuleIssue['severity'], code = field): RuleIssue {
  return { code, field, severity, message: `${field} problem`, hint: 'fix it' };
}

describe('debtor form', () => {
  it('round-trips a fix, address lines one per line', () => {
    const fix: DebtorEdits = { ...none, city: 'Aarhus', addressLines: ['Vesterbrogade 1', '2. sal'], country: 'DK' };
    const form = formFromEdits(fix);
    expect(form.addressLines).toBe('Vesterbrogade 1\n2. sal');
    expect(form.name).toBe('');
    expect(editsFromForm(form)).toEqual(fix);
  });

  it('turns blanks and whitespace into "keep the source value"', () => {
    const form = formFromEdits(null);
    form.city = '   ';
    form.addressLines = '\n  \n';
    form.postalCode = ' 8000 ';
    expect(editsFromForm(form)).toEqual({ ...none, postalCode: '8000' });
  });

  it('has nothing to save when every field is blank', () => {
    expect(editsFromForm(formFromEdits(null))).toBeNull();
  });

  it('maps the agency field names of readiness rules to form fields', () => {
    expect(debtorFieldFor('debtor.zipCode')).toBe('postalCode');
    expect(debtorFieldFor('debtor.countryAlpha2')).toBe('country');
    expect(debtorFieldFor('dueDate')).toBeNull();
    const flagged = fieldsWithIssues([issue('debtor.city', 'blocking'), issue('debtor.email', 'warning'), issue('dueDate', 'blocking')]);
    expect([...flagged]).toEqual(['city']);
  });

  it('lists blocking issues before warnings, keeping the engine order within each', () => {
    const ordered = checklistOrder([
      issue('debtor.email', 'warning', 'w1'),
      issue('debtor.city', 'blocking', 'b1'),
      issue('documents', 'warning', 'w2'),
      issue('dueDate', 'blocking', 'b2'),
    ]);
    expect(ordered.map((i) => i.code)).toEqual(['b1', 'b2', 'w1', 'w2']);
  });
});
