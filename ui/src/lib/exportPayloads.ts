// What "Export payloads" writes: the confirmation as a file, for an audit
// trail or a colleague's review. The payloads are exactly the bodies the
// engine would send.

import type { SubmitPreview } from './wire';

export function exportDocument(preview: SubmitPreview, now: Date): string {
  return JSON.stringify(
    {
      exportedAt: now.toISOString(),
      destination: preview.destination,
      note: 'Dry run export: nothing was sent. Each payload is the exact body of POST /cases.',
      totals: preview.totals,
      willSend: preview.willSend.map((item) => ({
        sourceRef: item.sourceRef,
        creditorReference: item.creditorReference,
        debtorName: item.debtorName,
        amount: item.amount,
        currency: item.currency,
        warnings: item.warnings,
        payload: item.payload,
      })),
      blocked: preview.blocked,
    },
    null,
    2,
  );
}

/** "casebridge-payloads-2026-01-31-1405.json" in local time. */
export function exportFileName(now: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const stamp = `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}-${pad(now.getHours())}${pad(now.getMinutes())}`;
  return `casebridge-payloads-${stamp}.json`;
}
