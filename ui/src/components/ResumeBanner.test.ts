// Interrupted submissions: the banner says how many wait, Resume sends them
// through the submit dialog's progress view, and the banner goes once the
// outbox is empty.
import { flushSync, mount, unmount } from 'svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { JobEvent, SubmitSummary } from '../lib/wire';

const engine = vi.hoisted(() => ({
  pending: 3,
  emit: (_e: JobEvent) => {},
  finish: (_s: SubmitSummary) => {},
}));

vi.mock('../lib/api', () => ({
  api: {
    pendingSubmissions: vi.fn(async () => engine.pending),
    resumeSubmissions: vi.fn(() => new Promise<SubmitSummary>((resolve) => (engine.finish = resolve))),
    onJobProgress: vi.fn(async (handler: (e: JobEvent) => void) => {
      engine.emit = handler;
      return () => {};
    }),
  },
}));

import ResumeBanner from './ResumeBanner.svelte';
import { api } from '../lib/api';
import { submitFlow } from '../lib/submitFlow.svelte';

const tick = () => new Promise((r) => setTimeout(r, 0));
const q = (id: string) => document.querySelector<HTMLElement>(`[data-testid="${id}"]`);

describe('ResumeBanner', () => {
  let component: ReturnType<typeof mount> | null = null;
  afterEach(() => {
    if (component) unmount(component);
    component = null;
    submitFlow.stage = { kind: 'closed' };
    document.body.innerHTML = '';
  });

  it('shows the interrupted count, resumes through the progress view, and disappears when all went out', async () => {
    engine.pending = 3;
    const target = document.createElement('div');
    document.body.appendChild(target);
    component = mount(ResumeBanner, { target });
    await tick();
    flushSync();
    expect(q('resume-banner')?.textContent).toContain('3 submissions were interrupted');

    q('resume-submissions')?.click();
    await tick();
    flushSync();
    expect(api.resumeSubmissions).toHaveBeenCalledTimes(1);
    expect(submitFlow.stage.kind).toBe('sending');
    expect(submitFlow.progress.expected).toBe(3);
    expect(q('resume-banner')).toBeNull();
    engine.emit({
      jobId: 'r1',
      kind: 'submit',
      phase: 'progress',
      done: 1,
      total: null,
      message: '1 accepted, 0 rejected',
      counts: { pages: null, accepted: 1, rejected: 0, uncertain: 0 },
    });
    expect([submitFlow.progress.done, submitFlow.progress.accepted]).toEqual([1, 1]);

    engine.pending = 0;
    engine.finish({ batchId: null, accepted: 3, rejected: 0, uncertain: 0, queued: 0, results: [], stoppedBecause: null });
    await tick();
    await tick();
    flushSync();
    expect(submitFlow.stage.kind).toBe('done');
    expect(q('resume-banner')).toBeNull();
  });

  it('says nothing when no submission waits', async () => {
    engine.pending = 0;
    const target = document.createElement('div');
    document.body.appendChild(target);
    component = mount(ResumeBanner, { target });
    await tick();
    flushSync();
    expect(q('resume-banner')).toBeNull();
  });

  it('speaks of one submission in the singular', async () => {
    engine.pending = 1;
    const target = document.createElement('div');
    document.body.appendChild(target);
    component = mount(ResumeBanner, { target });
    await tick();
    flushSync();
    expect(q('resume-banner')?.textContent).toContain('1 submission was interrupted');
  });
});
