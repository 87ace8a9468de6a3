import { describe, expect, it } from 'vitest';
import { readinessLabel } from './readiness';

describe('readinessLabel', () => {
  it('counts issues in words', () => {
    expect(readinessLabel({ readiness: 'needs_fixing', issueCount: 1 })).toBe('1 issue');
    expect(readinessLabel({ readiness: 'needs_fixing', issueCount: 3 })).toBe('3 issues');
  });

  it('never says "0 issues" for an invoice that still needs a look', () => {
    expect(readinessLabel({ readiness: 'needs_fixing', issueCount: 0 })).toBe('Not checked');
  });

  it('names the other states', () => {
    expect(readinessLabel({ readiness: 'ready', issueCount: 0 })).toBe('Ready');
    expect(readinessLabel({ readiness: 'submitted', issueCount: 0 })).toBe('Submitted');
    expect(readinessLabel({ readiness: 'duplicate', issueCount: 2 })).toBe('Duplicate');
  });
});
