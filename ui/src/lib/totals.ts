// How the confirmation names what is about to leave: counts and the total
// per currency (never summed across currencies).

import { formatMoney } from './money';
import type { CurrencyTotal } from './wire';

export function casesWord(count: number): string {
  return count === 1 ? '1 case' : `${count.toLocaleString('en')} cases`;
}

/** "€1,234.50 in 3 cases" */
export function totalLine(total: CurrencyTotal, locale?: string): string {
  return `${formatMoney(total.amount, total.currency, locale)} in ${casesWord(total.count)}`;
}

/** "€1,234.50 + $20.00", in the engine's (alphabetical) currency order; "" when empty. */
export function totalsInline(totals: readonly CurrencyTotal[], locale?: string): string {
  return totals.map((t) => formatMoney(t.amount, t.currency, locale)).join(' + ');
}

/** The primary button: "Send 3 cases", "Send 1 case". */
export function sendLabel(count: number): string {
  return `Send ${casesWord(count)}`;
}

/** The Invoices page's primary action for a selection of `count` rows. */
export function submitLabel(count: number): string {
  return count === 0 ? 'Submit cases' : `Submit ${casesWord(count)}`;
}
