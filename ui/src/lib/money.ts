// Money display. Amounts arrive as decimal strings (never floats) and are
// shown with the locale's thousands separators (Intl.NumberFormat) and
// exactly the currency's ISO 4217 minor units (EUR 2, JPY 0, KWD 3),
// without passing through a JavaScript number, so large amounts keep every
// digit.

const DECIMAL = /^-?\d+(\.\d+)?$/;
const CURRENCY = /^[A-Z]{3}$/;

/**
 * ISO 4217 minor units of the currencies that have other than two, as the
 * engine's domain crate has them (it sends amounts at this scale). Not the
 * runtime's ICU data: CLDR gives display digits, which differ for about a
 * dozen currencies (HUF, IDR, COP, ALL… 0 instead of 2; IQD 0 instead of 3),
 * and would make exact amounts look over-precise and show raw.
 */
const ISO_MINOR_UNITS: Readonly<Record<string, number>> = {
  BIF: 0, CLP: 0, DJF: 0, GNF: 0, ISK: 0, JPY: 0, KMF: 0, KRW: 0, PYG: 0, RWF: 0,
  UGX: 0, UYI: 0, VND: 0, VUV: 0, XAF: 0, XOF: 0, XPF: 0,
  BHD: 3, IQD: 3, JOD: 3, KWD: 3, LYD: 3, OMR: 3, TND: 3,
  CLF: 4, UYW: 4,
};

/** The number of minor-unit digits of an ISO 4217 currency (2 unless listed above). */
export function minorUnits(currency: string): number {
  return ISO_MINOR_UNITS[currency.toUpperCase()] ?? 2;
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
  const options: Intl.NumberFormatOptions = {
    style: 'currency',
    currency: code,
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  };
  let format = new Intl.NumberFormat(locale, options);
  // A session with LANG=C (CI, some minimal desktops) gets ICU's en-US-POSIX,
  // which never groups digits ("NOK 21228.50"); nobody reads money that way.
  if (/posix/i.test(format.resolvedOptions().locale)) format = new Intl.NumberFormat('en-US', options);
  // Intl.NumberFormat v3 formats decimal strings exactly; the cast is only
  // because TypeScript's lib still types the argument as number | bigint.
  return format.format(exact as unknown as number);
}
