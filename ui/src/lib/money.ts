// Money display. Amounts arrive as decimal strings (never floats) and are
// shown with exactly the currency's minor units (EUR 2, JPY 0, KWD 3),
// without passing through a JavaScript number, so large amounts keep every
// digit.

const DECIMAL = /^-?\d+(\.\d+)?$/;
const CURRENCY = /^[A-Z]{3}$/;

/** The number of minor-unit digits of an ISO 4217 currency, per the runtime's ICU data. */
export function minorUnits(currency: string): number {
  if (!CURRENCY.test(currency)) return 2;
  return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions()
    .maximumFractionDigits ?? 2;
}

/** Pads or checks the fraction so the string has exactly `digits` decimals. */
export function toMinorUnitString(amount: string, digits: number): string | null {
  if (!DECIMAL.test(amount)) return null;
  const negative = amount.startsWith('-');
  const [whole = '0', fraction = ''] = (negative ? amount.slice(1) : amount).split('.');
  // More decimals than the currency has means the engine sent something we
  // must not silently round: refuse and let the caller show the raw text.
  if (fraction.length > digits && /[^0]/.test(fraction.slice(digits))) return null;
  const padded = (fraction + '0'.repeat(digits)).slice(0, digits);
  const sign = negative ? '-' : '';
  return digits === 0 ? `${sign}${whole}` : `${sign}${whole}.${padded}`;
}

/**
 * "1234.5", "EUR" → "€1,234.50" (in `locale`). An amount that is not a plain
 * decimal, or has more precision than the currency, is shown as raw text with
 * its code rather than rounded or hidden.
 */
export function formatMoney(amount: string, currency: string, locale?: string): string {
  const code = currency.toUpperCase();
  if (!CURRENCY.test(code)) return `${amount} ${currency}`.trim();
  const digits = minorUnits(code);
  const exact = toMinorUnitString(amount.trim(), digits);
  if (exact === null) return `${amount} ${code}`;
  const format = new Intl.NumberFormat(locale, {
    style: 'currency',
    currency: code,
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
  // Intl.NumberFormat v3 formats decimal strings exactly; the cast is only
  // because TypeScript's lib still types the argument as number | bigint.
  return format.format(exact as unknown as number);
}
