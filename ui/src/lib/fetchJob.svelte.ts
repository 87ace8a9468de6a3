// A window-wide fetch from one source (Stripe, QuickBooks, Zoho): it keeps
// running and reporting while the user looks at another page, and pages
// re-read their tables when it ends. Progress comes as job://progress events
// of kind "fetch", folded by one reducer (pages, invoices, rate-limit waits).
// Cancel stops it between pages; what was read is kept.

import { api } from './api';
import { initialFetch, reduceFetch, type FetchProgress } from './jobProgress';
import type { FetchRequest, FetchSummary, JobEvent, UiError } from './wire';

/** The engine commands a fetch needs (api.ts in the app, fakes in tests). */
export interface FetchJobCommands<Request> {
  fetch(request: Request): Promise<FetchSummary>;
  /** Asks the running fetch to stop; absent when the engine has no such command. */
  cancel?: () => Promise<unknown>;
  onProgress(handler: (event: JobEvent) => void): Promise<() => void>;
}

export class FetchJob<Request = FetchRequest> {
  running = $state(false);
  /** Cancel was pressed; the fetch ends after the pages in flight. */
  stopping = $state(false);
  progress: FetchProgress = $state(initialFetch());
  summary: FetchSummary | null = $state(null);
  error: UiError | null = $state(null);
  /** Bumped when a fetch ends, so the page re-reads its table or the card's health. */
  completed = $state(0);

  constructor(private readonly commands: FetchJobCommands<Request>) {}

  get canCancel(): boolean {
    return this.commands.cancel !== undefined;
  }

  async start(request: Request): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.stopping = false;
    this.summary = null;
    this.error = null;
    this.progress = initialFetch();
    let unlisten: (() => void) | null = null;
    try {
      unlisten = await this.commands.onProgress((event) => {
        this.progress = reduceFetch(this.progress, event);
      });
      this.summary = await this.commands.fetch(request);
    } catch (error) {
      this.error = error as UiError;
    } finally {
      unlisten?.();
      this.running = false;
      this.stopping = false;
      this.completed++;
    }
  }

  async cancel(): Promise<void> {
    if (!this.running || this.stopping || !this.commands.cancel) return;
    this.stopping = true;
    try {
      await this.commands.cancel();
    } catch (error) {
      this.stopping = false;
      this.error = error as UiError;
    }
  }
}

/** What a page shows of a fetch job (any source's). */
export type FetchJobView = Pick<FetchJob<never>, 'running' | 'stopping' | 'progress' | 'summary' | 'error'>;

/** The Stripe fetch the fetch bar starts and the Invoices page watches. */
export const fetchJob = new FetchJob<FetchRequest>({
  fetch: (request) => api.fetchStripe(request),
  cancel: () => api.cancelFetch(),
  onProgress: (handler) => api.onJobProgress(handler),
});
