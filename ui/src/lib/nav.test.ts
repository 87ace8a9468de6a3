import { describe, expect, it } from 'vitest';
import { hashFor, isTypingTarget, nextNavIndex, pageForDigit, pageFromHash, PAGES } from './nav';

describe('hash routing', () => {
  it('round-trips every page through its hash', () => {
    for (const page of PAGES) expect(pageFromHash(hashFor(page.id))).toBe(page.id);
  });

  it('falls back to Invoices for an empty or unknown hash', () => {
    expect(pageFromHash('')).toBe('invoices');
    expect(pageFromHash('#/nope')).toBe('invoices');
  });
});

describe('number keys', () => {
  it('map 1–5 to the sidebar order', () => {
    expect(['1', '2', '3', '4', '5'].map(pageForDigit)).toEqual(['integrations', 'invoices', 'import', 'cases', 'settings']);
  });

  it('ignore digits without a page and other keys', () => {
    expect(pageForDigit('6')).toBeNull();
    expect(pageForDigit('0')).toBeNull();
    expect(pageForDigit('a')).toBeNull();
  });
});

describe('sidebar arrows', () => {
  it('wrap around both ends', () => {
    expect(nextNavIndex(4, 'ArrowDown', 5)).toBe(0);
    expect(nextNavIndex(0, 'ArrowUp', 5)).toBe(4);
  });

  it('jump with Home and End and ignore other keys', () => {
    expect(nextNavIndex(2, 'Home', 5)).toBe(0);
    expect(nextNavIndex(2, 'End', 5)).toBe(4);
    expect(nextNavIndex(2, 'Tab', 5)).toBeNull();
  });
});

describe('isTypingTarget', () => {
  it('protects text fields from single-key shortcuts', () => {
    expect(isTypingTarget(document.createElement('input'))).toBe(true);
    expect(isTypingTarget(document.createElement('textarea'))).toBe(true);
    expect(isTypingTarget(document.createElement('button'))).toBe(false);
    expect(isTypingTarget(null)).toBe(false);
  });

  it('lets shortcuts through from radios and checkboxes, which take no text', () => {
    const radio = document.createElement('input');
    radio.type = 'radio';
    expect(isTypingTarget(radio)).toBe(false);
    const search = document.createElement('input');
    search.type = 'search';
    expect(isTypingTarget(search)).toBe(true);
  });
});
