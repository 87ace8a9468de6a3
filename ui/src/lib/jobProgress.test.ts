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
import type { JobEvent } from './wire';

function event(partial: Partial<JobEvent>): JobEvent {
  return { jobId: 'job-1', kind: 'submit', phase: 'progress', done: 0, total: null, message: '', ...partial };
}

function fold(events: JobEvent[], expected = 4) {
  return events.reduce(reduceProgress, initialProgress(expected));
}

describe('reduceProgress', () => {
  it('adopts the first submit job and counts accepted and rejected from its messages', () => {
    const s = fold([
      event({ phase: 'started', message: 'Sending to Debitura test environment — Acme at http://127.0.0.1:1' }),
      event({ done: 1, message: '1 accepted, 0 rejected' }),
      event({ done: 2, message: '1 accepted, 1 rejected' }),
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
      event({ jobId: 'job-2', done: 3, message: '3 accepted, 0 rejected' }),
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
    s = reduceProgress(s, event({ done: 2, message: '2 accepted, 0 rejected' }));
    expect(s.waiting).toBeNull();
    s = reduceProgress(s, event({ phase: 'waiting', done: 2, message: 'retrying in 2 s' }));
    expect(s.waits).toBe(2);
  });

  it('keeps the last counts when a message has another shape', () => {
    const s = fold([event({ done: 1, message: '1 accepted, 0 rejected' }), event({ phase: 'waiting', done: 1, message: 'retrying in 3 s' })]);
    expect(s.accepted).toBe(1);
  });

  it('reads the final summary including uncertain cases and stops at a terminal phase', () => {
    let s = fold([
      event({ phase: 'started' }),
      event({ phase: 'finished', done: 3, message: '2 accepted, 1 rejected, 1 uncertain' }),
    ]);
    expect(isTerminal(s.phase)).toBe(true);
    expect([s.accepted, s.rejected, s.uncertain]).toEqual([2, 1, 1]);
    s = reduceProgress(s, event({ done: 9, message: '9 accepted, 0 rejected' }));
    expect(s.done).toBe(3);
  });

  it('never lets done go backwards and grows the expected count from a reported total', () => {
    const s = fold([event({ done: 3 }), event({ done: 2, total: 10 })]);
    expect(s.done).toBe(3);
    expect(s.expected).toBe(10);
  });

  it('caps the bar at full when the outbox held more than this batch', () => {
    const s = fold([event({ done: 6, message: '6 accepted, 0 rejected' })], 4);
    expect(progressFraction(s)).toBe(1);
    expect(progressFraction(initialProgress(0))).toBeNull();
  });
});

describe('reduceFetch', () => {
  function fetchEvent(partial: Partial<JobEvent>): JobEvent {
    return { jobId: 'f-1', kind: 'fetch', phase: 'progress', done: 0, total: null, message: '', ...partial };
  }

  it('counts pages from the message and invoices from done, never backwards', () => {
    let s = [
      fetchEvent({ phase: 'started', message: 'Fetching open invoices from Stripe' }),
      fetchEvent({ done: 100, message: '1 pages, 100 invoices so far (Stripe gives no total)' }),
      fetchEvent({ done: 300, message: '3 pages, 300 invoices so far (Stripe gives no total)' }),
    ].reduce(reduceFetch, initialFetch());
    expect([s.pages, s.invoices]).toEqual([3, 300]);
    s = reduceFetch(s, fetchEvent({ done: 200, message: '2 pages, 200 invoices so far' }));
    expect([s.pages, s.invoices]).toEqual([3, 300]);
  });

  it('shows a Stripe rate-limit wait until the next page, and ignores submit events', () => {
    let s = reduceFetch(initialFetch(), fetchEvent({ phase: 'waiting', done: 50, message: 'Stripe rate limit: waiting 1.0 s' }));
    expect(s.waiting).toBe('Stripe rate limit: waiting 1.0 s');
    s = reduceFetch(s, { jobId: 'x', kind: 'submit', phase: 'progress', done: 9, total: null, message: '9 accepted, 0 rejected' });
    expect(s.invoices).toBe(50);
    s = reduceFetch(s, fetchEvent({ done: 150, message: '2 pages, 150 invoices so far' }));
    expect(s.waiting).toBeNull();
  });

  it('keeps the final word once the fetch finished', () => {
    let s = reduceFetch(initialFetch(), fetchEvent({ phase: 'finished', done: 2500, message: '2500 unpaid invoices fetched from 25 pages' }));
    expect([s.phase, s.pages, s.invoices]).toEqual(['finished', 25, 2500]);
    s = reduceFetch(s, fetchEvent({ done: 1, message: '1 pages' }));
    expect(s.invoices).toBe(2500);
  });
});
