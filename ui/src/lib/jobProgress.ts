// Progress of long jobs as the window shows it, folded from the
// `job://progress` events the shell emits: the submit (kind "submit") here,
// a provider fetch (kind "fetch") at the end of the file.
//
// Counts come from the event's fields (`done`, `total`, `counts.*`); the
// message is only shown, never parsed. A fetch from a source that does not
// count pages yet (counts.pages null) falls back to the message's "N pages".
// Rate-limit waits arrive as phase "waiting" and are shown until the next
// progress. Events of other jobs (a fetch, another submit) are ignored.

import type { JobEvent, JobPhase } from './wire';

export interface SubmitProgress {
  /** Adopted from the first submit event seen after the send began. */
  jobId: string | null;
  phase: JobPhase | 'idle';
  done: number;
  /** How many cases this run is expected to send (the confirmation's count). */
  expected: number;
  accepted: number;
  rejected: number;
  uncertain: number;
  /** The wait message while the agency's rate limit holds the run. */
  waiting: string | null;
  /** How many times the run had to wait. */
  waits: number;
  message: string;
}

export function initialProgress(expected: number): SubmitProgress {
  return {
    jobId: null,
    phase: 'idle',
    done: 0,
    expected,
    accepted: 0,
    rejected: 0,
    uncertain: 0,
    waiting: null,
    waits: 0,
    message: '',
  };
}

export function isTerminal(phase: SubmitProgress['phase']): boolean {
  return phase === 'finished' || phase === 'failed' || phase === 'cancelled';
}

export function reduceProgress(state: SubmitProgress, event: JobEvent): SubmitProgress {
  if (event.kind !== 'submit') return state;
  if (state.jobId !== null && event.jobId !== state.jobId) return state;
  if (isTerminal(state.phase)) return state;
  const next: SubmitProgress = {
    ...state,
    jobId: event.jobId,
    phase: event.phase,
    done: Math.max(state.done, Number(event.done)),
    expected: event.total === null ? state.expected : Math.max(state.expected, Number(event.total)),
    message: event.message,
  };
  const counts = event.counts;
  if (counts) {
    if (counts.accepted !== null) next.accepted = Number(counts.accepted);
    if (counts.rejected !== null) next.rejected = Number(counts.rejected);
    if (counts.uncertain !== null) next.uncertain = Number(counts.uncertain);
  }
  if (event.phase === 'waiting') {
    next.waiting = event.message;
    if (state.waiting === null) next.waits = state.waits + 1;
  } else {
    next.waiting = null;
  }
  return next;
}

/** 0..1 for the progress bar, or null when nothing is expected (indeterminate). */
export function progressFraction(state: SubmitProgress): number | null {
  if (state.expected <= 0) return null;
  return Math.min(1, state.done / state.expected);
}

/** One line under the bar: "12 of 40 sent · 11 accepted · 1 rejected". */
export function progressLine(state: SubmitProgress): string {
  const parts = [
    state.expected > 0 ? `${state.done} of ${state.expected} answered` : `${state.done} answered`,
    `${state.accepted} accepted`,
    `${state.rejected} rejected`,
  ];
  if (state.uncertain > 0) parts.push(`${state.uncertain} uncertain`);
  return parts.join(' · ');
}

// ---- fetch -------------------------------------------------------------

/** A provider fetch as the fetch bar shows it (JobEvent kind "fetch"). */
export interface FetchProgress {
  jobId: string | null;
  phase: JobPhase | 'idle';
  /** Invoices fetched so far (the event's `done`). */
  invoices: number;
  /** Pages read so far (the event's `counts.pages`). */
  pages: number;
  waiting: string | null;
  message: string;
}

export function initialFetch(): FetchProgress {
  return { jobId: null, phase: 'idle', invoices: 0, pages: 0, waiting: null, message: '' };
}

const PAGES = /(\d+) pages?\b/;

/** Pages from the event's count; from the message only for sources that do not count them yet. */
function pagesOf(event: JobEvent): number | null {
  if (event.counts && event.counts.pages !== null) return Number(event.counts.pages);
  const pages = PAGES.exec(event.message);
  return pages ? Number(pages[1]) : null;
}

export function reduceFetch(state: FetchProgress, event: JobEvent): FetchProgress {
  if (event.kind !== 'fetch') return state;
  if (state.jobId !== null && event.jobId !== state.jobId) return state;
  if (isTerminal(state.phase)) return state;
  const pages = pagesOf(event);
  return {
    jobId: event.jobId,
    phase: event.phase,
    invoices: Math.max(state.invoices, Number(event.done)),
    pages: pages === null ? state.pages : Math.max(state.pages, pages),
    waiting: event.phase === 'waiting' ? event.message : null,
    message: event.message,
  };
}
