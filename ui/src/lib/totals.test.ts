import { describe, expect, it } from 'vitest';
import { casesWord, sendLabel, submitLabel, totalLine, totalsInline } from './totals';

describe('totals', () => {
  it('says case or cases by count', () => {
    expect(casesWord(1)).toBe('1 case');
    expect(casesWord(0)).toBe('0 cases');
    expect(casesWord(12500)).toBe('12,500 cases');
  });

  it('formats one currency total with its exact minor units', () => {
    expect(totalLine({ currency: 'EUR', amount: '1234.5', count: 3 }, 'en')).toBe('€1,234.50 in 3 cases');
    expect(totalLine({ currency: 'JPY', amount: '5000', count: 1 }, 'en')).toBe('¥5,000 in 1 case');
  });

  it('keeps currencies apart instead of adding them up', () => {
    const line = totalsInline(
      [
        { currency: 'DKK', amount: '750.00', count: 2 },
        { currency: 'USD', amount: '20', count: 1 },
      ],
      'en',
    );
    expect(line).toBe('DKK\u00a0750.00 + $20.00');
  });

  it('shows an amount it cannot format exactly as raw text rather than rounding it', () => {
    expect(totalLine({ currency: 'EUR', amount: '1.005', count: 1 }, 'en')).toBe('1.005 EUR in 1 case');
  });

  it('names the buttons by count', () => {
    expect(sendLabel(1)).toBe('Send 1 case');
    expect(sendLabel(40)).toBe('Send 40 cases');
    expect(submitLabel(0)).toBe('Submit cases');
    expect(submitLabel(2)).toBe('Submit 2 cases');
  });
});
