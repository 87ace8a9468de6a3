import { describe, expect, it } from 'vitest';
import { formatMoney, minorUnits, toMinorUnitString } from './money';

describe('minorUnits', () => {
  it('knows the ISO 4217 exponents that differ from two', () => {
    expect(minorUnits('EUR')).toBe(2);
    expect(minorUnits('JPY')).toBe(0);
    expect(minorUnits('KWD')).toBe(3);
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
});
