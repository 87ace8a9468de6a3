import { describe, expect, it } from 'vitest';
import { formatMoney, minorUnits, toMinorUnitString } from './money';

describe('minorUnits', () => {
  it('knows the ISO 4217 exponents that differ from two', () => {
    expect(minorUnits('EUR')).toBe(2);
    expect(minorUnits('JPY')).toBe(0);
    expect(minorUnits('KWD')).toBe(3);
    expect(minorUnits('CLF')).toBe(4);
    expect(minorUnits('isk')).toBe(0);
  });

  it('follows ISO 4217, not the display digits of the runtime', () => {
    // CLDR shows these without decimals; the engine sends them with ISO's.
    expect(minorUnits('HUF')).toBe(2);
    expect(minorUnits('IDR')).toBe(2);
    expect(minorUnits('IQD')).toBe(3);
  });
});

describe('toMinorUnitString', () => {
  it('pads a short fraction to the currency exponent', () => {
    expect(toMinorUnitString('1234.5', 2)).toBe('1234.50');
    expect(toMinorUnitString('7', 3)).toBe('7.000');
  });

  it('drops only trailing zeros beyond the exponent', () => {
    expect(toMinorUnitString('100.000', 0)).toBe('100');
  });

  it('refuses to round away real precision', () => {
    expect(toMinorUnitString('1.005', 2)).toBeNull();
  });

  it('refuses anything that is not a plain decimal', () => {
    expect(toMinorUnitString('1,234.50', 2)).toBeNull();
    expect(toMinorUnitString('1e3', 2)).toBeNull();
    expect(toMinorUnitString('', 2)).toBeNull();
  });
});

describe('formatMoney', () => {
  it('shows euros with two decimals', () => {
    expect(formatMoney('1234.5', 'EUR', 'en-US')).toBe('€1,234.50');
  });

  it('shows yen without decimals', () => {
    expect(formatMoney('1234', 'JPY', 'en-US')).toBe('¥1,234');
  });

  it('shows dinar with three decimals', () => {
    expect(formatMoney('12.5', 'KWD', 'en-US')).toMatch(/^KWD\s12\.500$/);
  });

  it('follows the locale for separators', () => {
    expect(formatMoney('1234.5', 'EUR', 'de-DE')).toBe('1.234,50\u00a0€');
  });

  it('keeps every digit of amounts beyond float precision', () => {
    expect(formatMoney('12345678901234567.89', 'USD', 'en-US')).toBe('$12,345,678,901,234,567.89');
  });

  it('keeps negative amounts (credit notes) negative', () => {
    expect(formatMoney('-5', 'USD', 'en-US')).toBe('-$5.00');
  });

  it('shows a malformed amount raw instead of guessing', () => {
    expect(formatMoney('12,50', 'EUR', 'en-US')).toBe('12,50 EUR');
  });

  it('shows an invalid currency code raw', () => {
    expect(formatMoney('10', 'euro', 'en-US')).toBe('10 euro');
  });

  it('groups thousands in every exponent, zero to four', () => {
    expect(formatMoney('1234567', 'ISK', 'en-US')).toMatch(/^ISK\s1,234,567$/);
    expect(formatMoney('1234567', 'UGX', 'en-US')).toMatch(/^UGX\s1,234,567$/);
    expect(formatMoney('9876543.21', 'DKK', 'en-US')).toMatch(/^DKK\s9,876,543\.21$/);
    expect(formatMoney('1234567.125', 'KWD', 'en-US')).toMatch(/^KWD\s1,234,567\.125$/);
    expect(formatMoney('12345.6789', 'CLF', 'en-US')).toMatch(/^CLF\s12,345\.6789$/);
  });

  it('shows exact amounts of currencies whose display digits differ from ISO', () => {
    expect(formatMoney('1234567.50', 'HUF', 'en-US')).toMatch(/^HUF\s1,234,567\.50$/);
    expect(formatMoney('2500000.25', 'IDR', 'en-US')).toMatch(/^IDR\s2,500,000\.25$/);
    expect(formatMoney('1000.125', 'IQD', 'en-US')).toMatch(/^IQD\s1,000\.125$/);
  });

  it('uses the locale\'s own grouping', () => {
    expect(formatMoney('1234567.5', 'DKK', 'da-DK')).toBe('1.234.567,50\u00a0kr.');
    expect(formatMoney('1234567', 'JPY', 'ja-JP')).toBe('￥1,234,567');
  });

  it('groups thousands even when the system locale is POSIX (LANG=C)', () => {
    expect(formatMoney('5380772', 'ISK', 'en-US-POSIX')).toMatch(/^ISK\s5,380,772$/);
    expect(formatMoney('21228.5', 'NOK', 'en-US-u-va-posix')).toMatch(/^NOK\s21,228\.50$/);
  });
});
