import { describe, expect, it } from 'vitest';
import { formatDate, formatInstant, formatRelative } from './dates';

describe('formatDate', () => {
  it('shows a calendar date without shifting it by the time zone', () => {
    expect(formatDate('2024-01-01', 'en-US')).toBe('Jan 1, 2024');
    expect(formatDate('2024-12-31', 'en-US')).toBe('Dec 31, 2024');
  });

  it('shows a dash for a missing date and raw text for a malformed one', () => {
    expect(formatDate(null)).toBe('—');
    expect(formatDate('31/12/2024')).toBe('31/12/2024');
  });
});

describe('formatInstant', () => {
  it('formats in the given time zone', () => {
    expect(formatInstant('2024-05-01T12:30:00Z', 'en-GB', 'UTC')).toBe('1 May 2024, 12:30');
  });
});

describe('formatRelative', () => {
  const now = new Date('2024-05-10T12:00:00Z');

  it('says never for a missing time', () => {
    expect(formatRelative(null, now, 'en')).toBe('never');
  });

  it('counts minutes, hours and days in both directions', () => {
    expect(formatRelative('2024-05-10T11:55:00Z', now, 'en')).toBe('5 minutes ago');
    expect(formatRelative('2024-05-10T09:00:00Z', now, 'en')).toBe('3 hours ago');
    expect(formatRelative('2024-05-12T12:00:00Z', now, 'en')).toBe('in 2 days');
  });

  it('says just now under a minute', () => {
    expect(formatRelative('2024-05-10T11:59:30Z', now, 'en')).toBe('just now');
  });
});
