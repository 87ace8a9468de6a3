import { describe, expect, it } from 'vitest';
import {
  initialFetch,
  initialProgress,
  isTerminal,
  progressFraction,
  progressLine,
  reduceFetch,
  reduceProgress,
} from './jobProgress';
import type { JobCounts, JobEvent } from './wire';

const NO_COUNTS: JobCounts = { pages: null, accepted: null, rejected: null, uncertain: null };

function event(partial: Partial<JobEvent>): JobEvent {
  return { jobId: 'job-1', kind: 'submit', phase: 'progress', done: 0, total: null, message: '', counts: NO_COUNTS, ...partial };
}

/** A submit event as the engine sends it: counts as fields, the message for people. */
function answered(accepted: number, rejected: number, uncertain = 0, partial: Partial<JobEvent> = {}): JobEvent {
  return event({
    done: accepted + rejected,
    message: `${accepted} accepted, ${rejected} rejected`,
    counts: { pages: null, accepted, rejected, uncertain },
    ...partial,
  });
}

function fold(events: JobEvent[], expected = 4) {
  return events.reduce(reduceProgress, initialProgress(expected));
}

describe('reduceProgress', () => {
  it('adopts the first submit job and takes accepted and rejected from its counts', () => {
    const s = fold([
      event({ phase: 'started', message: 'Sending to Debitura test environment — Acme at http://127.0.0.1:1' }),
      answered(1, 0),
      answered(1, 1),
    ]);
    expect(s.jobId).toBe('job-1');
    expect(s.phase).toBe('progress');
    expect([s.done, s.accepted, s.rejected]).toEqual([2, 1, 1]);
    expect(progressFraction(s)).toBe(0.5);
    expect(progressLine(s)).toBe('2 of 4 answered · 1 accepted · 1 rejected');
  });

  it('ignores fetch jobs and other submit jobs once one is adopted', () => {
    const s = fold([
      event({ phase: 'started' }),
      event({ kind: 'fetch', done: 300, message: '300 invoices' }),
      answered(3, 0, 0, { jobId: 'job-2' }),
    ]);
    expect(s.done).toBe(0);
    expect(s.accepted).toBe(0);
  });

  it('shows a rate-limit wait until the next progress and counts each wait once', () => {
    let s = fold([event({ phase: 'started' }), event({ phase: 'waiting', done: 1, message: 'agency rate limit: waiting 2.0 s' })]);
    expect(s.waiting).toBe('agency rate limit: waiting 2.0 s');
    expect(s.waits).toBe(1);
    s = reduceProgress(s, event({ phase: 'waiting', done: 1, message: 'agency rate limit: waiting 1.0 s' }));
    expect(s.waits).toBe(1);
    s = reduceProgress(s, answered(2, 0));
    expect(s.waiting).toBeNull();
    s = reduceProgress(s, event({ phase: 'waiting', done: 2, message: 'retrying in 2 s' }));
    expect(s.waits).toBe(2);
  });

  it('keeps the last counts when an event carries none', () => {
    const s = fold([answered(1, 0), event({ phase: 'waiting', done: 1, message: 'retrying in 3 s' })]);
    expect(s.accepted).toBe(1);
  });

  it('never reads counts out of the message text', () => {
    const s = fold([event({ done: 2, message: '2 accepted, 0 rejected' })]);
    expect([s.done, s.accepted]).toEqual([2, 0]);
  });

  it('reads the final summary including uncertain cases and stops at a terminal phase', () => {
    let s = fold([
      event({ phase: 'started' }),
      answered(2, 1, 1, { phase: 'finished' }),
    ]);
    expect(isTerminal(s.phase)).toBe(true);
    expect([s.accepted, s.rejected, s.uncertain]).toEqual([2, 1, 1]);
    s = reduceProgress(s, answered(9, 0));
    expect(s.done).toBe(3);
  });

  it('never lets done go backwards and grows the expected count from a reported total', () => {
    const s = fold([event({ done: 3 }), event({ done: 2, total: 10 })]);
    expect(s.done).toBe(3);
    expect(s.expected).toBe(10);
  });

  it('caps the bar at full when the outbox held more than this batch', () => {
    const s = fold([answered(6, 0)], 4);
    expect(progressFraction(s)).toBe(1);
    expect(progressFraction(initialProgress(0))).toBeNull();
  });
});

describe('reduceFetch', () => {
  function fetchEvent(partial: Partial<JobEvent>): JobEvent {
    return { jobId: 'f-1', kind: 'fetch', phase: 'progress', done: 0, total: null, message: '', counts: NO_COUNTS, ...partial };
  }
  const paged = (pages: number, partial: Partial<JobEvent>) => fetchEvent({ counts: { ...NO_COUNTS, pages }, ...partial });

  it('takes pages from counts and invoices from done, never backwards', () => {
    let s = [
      fetchEvent({ phase: 'started', message: 'Fetching open invoices from Stripe' }),
      paged(1, { done: 100, message: 'Stripe: the first page is in' }),
      paged(3, { done: 300, message: 'three pages so far' }),
    ].reduce(reduceFetch, initialFetch());
    expect([s.pages, s.invoices]).toEqual([3, 300]);
    s = reduceFetch(s, paged(2, { done: 200 }));
    expect([s.pages, s.invoices]).toEqual([3, 300]);
  });

  it('prefers the counted pages to any number in the message', () => {
    const s = reduceFetch(initialFetch(), paged(4, { done: 400, message: '99 pages (stale text)' }));
    expect(s.pages).toBe(4);
  });

  it('falls back to the message for sources that do not count pages yet', () => {
    const s = reduceFetch(initialFetch(), fetchEvent({ done: 200, message: '2 pages, 200 invoices so far' }));
    expect(s.pages).toBe(2);
  });

  it('shows a Stripe rate-limit wait until the next page, and ignores submit events', () => {
    let s = reduceFetch(initialFetch(), fetchEvent({ phase: 'waiting', done: 50, message: 'Stripe rate limit: waiting 1.0 s' }));
    expect(s.waiting).toBe('Stripe rate limit: waiting 1.0 s');
    s = reduceFetch(s, answered(9, 0, 0, { jobId: 'x' }));
    expect(s.invoices).toBe(50);
    s = reduceFetch(s, paged(2, { done: 150 }));
    expect(s.waiting).toBeNull();
  });

  it('keeps the final word once the fetch finished', () => {
    let s = reduceFetch(initialFetch(), paged(25, { phase: 'finished', done: 2500, message: '2500 unpaid invoices fetched from 25 pages' }));
    expect([s.phase, s.pages, s.invoices]).toEqual(['finished', 25, 2500]);
    s = reduceFetch(s, paged(1, { done: 1 }));
    expect(s.invoices).toBe(2500);
  });
});
