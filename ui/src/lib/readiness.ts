// How the review table names an invoice's readiness.

import type { InvoiceRow } from './wire';

export function readinessLabel(row: Pick<InvoiceRow, 'readiness' | 'issueCount'>): string {
  switch (row.readiness) {
    case 'ready':
      return 'Ready';
    case 'needs_fixing':
      // The engine files invoices it has not evaluated yet under "needs
      // fixing" with no issues counted; "0 issues" would read as ready.
      if (row.issueCount === 0) return 'Not checked';
      return row.issueCount === 1 ? '1 issue' : `${row.issueCount} issues`;
    case 'submitted':
      return 'Submitted';
    case 'duplicate':
      return 'Duplicate';
  }
}
