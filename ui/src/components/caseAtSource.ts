// What a case's source (Stripe, QuickBooks, Zoho) last said about its invoice, in words for the
// Cases page: the status, how fresh it is, and what the user should do about it.
import { formatRelative } from '../lib/dates';
import type { CaseAtSource, CaseRow } from '../lib/wire';

export const AT_SOURCE_LABEL: Record<CaseAtSource, string> = {
  open: 'Still open',
  paid_at_source: 'Paid at source',
  gone_at_source: 'Voided or deleted at source',
  unknown: 'Not checked yet',
  not_tracked: 'Not tracked',
};

/** Debitura's help pages (reference §8): the API has no endpoint to record a payment or close a case. */
export const DIRECT_PAYMENT_HELP =
  'https://support.debitura.com/en/articles/13909042-clients-how-to-report-a-direct-payment-from-the-debtor';
export const CLOSE_CASE_HELP = 'https://support.debitura.com/clients/how-to/close-or-withdraw-a-case';

type Row = Pick<CaseRow, 'sourceStatus' | 'sourceCheckedAt' | 'sourceCheckError'>;

/** "checked at source 5 minutes ago", why it is not checked, or null when there is no source. */
export function checkedText(row: Row, now: Date): string | null {
  if (row.sourceStatus === 'not_tracked') return null;
  const failed = row.sourceCheckError !== null;
  if (row.sourceCheckedAt === null) return failed ? 'could not be checked yet' : null;
  const checked = `checked at source ${formatRelative(row.sourceCheckedAt, now)}`;
  return failed ? `${checked}; the last check failed` : checked;
}

/** Why the status reads as it does, for statuses that need a word of explanation. */
export function statusNote(row: Row): string | null {
  switch (row.sourceStatus) {
    case 'not_tracked':
      return 'No source to ask: the invoice was imported from a file or the case was created outside Casebridge.';
    case 'unknown':
      return 'Casebridge asks the connected Stripe account, QuickBooks company or Zoho organization after each poll of the agency.';
    default:
      return null;
  }
}

export type AtSourceAction = { text: string; link: string; linkText: string };

/** What to tell the agency when the source says nothing is owed any more; nothing is sent for the user. */
export function actionFor(row: Row): AtSourceAction | null {
  switch (row.sourceStatus) {
    case 'paid_at_source':
      return {
        text:
          'The debtor paid this invoice directly. Report the direct payment to the agency in the case chat ' +
          '(amount, date and proof of payment) so the collection partner registers it. ' +
          'Casebridge does not send this for you.',
        link: DIRECT_PAYMENT_HELP,
        linkText: 'How to report a direct payment (Debitura help)',
      };
    case 'gone_at_source':
      return {
        text:
          'The invoice was voided or deleted at its source. If nothing is owed any more, close or withdraw ' +
          'the case in the Debitura portal; if it was replaced by another invoice, tell the agency in the case chat.',
        link: CLOSE_CASE_HELP,
        linkText: 'How to close or withdraw a case (Debitura help)',
      };
    default:
      return null;
  }
}

/** The summary line of a check run, e.g. "1 paid at source · 2 still open"; null when nothing was asked. */
export function checkSummaryText(summary: {
  asked: number;
  paid: number;
  gone: number;
  open: number;
  failed: number;
  alreadyRunning: boolean;
}): string {
  if (summary.alreadyRunning) return 'A check is already running.';
  if (summary.asked === 0 && summary.failed === 0) {
    return 'Nothing to ask: every tracked case was checked in the last minute, or none has a connected source.';
  }
  const parts = [
    summary.paid > 0 ? `${summary.paid} paid at source` : null,
    summary.gone > 0 ? `${summary.gone} voided or deleted` : null,
    summary.open > 0 ? `${summary.open} still open` : null,
    summary.failed > 0 ? `${summary.failed} could not be checked` : null,
  ].filter((p) => p !== null);
  return parts.join(' · ');
}
