// The Stripe fetch, window-wide: it keeps running and reporting while the
// user looks at another page, and the Invoices page re-reads its table when
// it ends. Cancel stops it between pages; what was read is kept.

import { api } from './api';
import { initialFetch, reduceFetch, type FetchProgress } from './jobProgress';
import type { FetchRequest, FetchSummary, JobEvent, UiError } from './wire';

/** The engine commands a Stripe fetch needs (api.ts in the app, fakes in tests). */
export interface StripeFetchCommands {
  fetch(request: FetchRequest): Promise<FetchSummary>;
  /** Asks the running fetch to stop; resolves false when none ran. */
  cancel(): Promise<boolean>;
  onProgress(handler: (event: JobEvent) => void): Promise<() => void>;
}

export class FetchJob {
  running = $state(false);
  /** Cancel was pressed; the fetch ends after the pages in flight. */
  stopping = $state(false);
  progress: FetchProgress = $state(initialFetch());
  summary: FetchSummary | null = $state(null);
  error: UiError | null = $state(null);
  /** Bumped when a fetch ends, so the table re-reads. */
  completed = $state(0);

  constructor(private readonly commands: StripeFetchCommands) {}

  async start(request: FetchRequest): Promise<void> {
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
    if (!this.running || this.stopping) return;
    this.stopping = true;
    try {
      await this.commands.cancel();
    } catch (error) {
      this.stopping = false;
      this.error = error as UiError;
    }
  }
}

export const fetchJob = new FetchJob({
  fetch: (request) => api.fetchStripe(request),
  cancel: () => api.cancelFetch(),
  onProgress: (handler) => api.onJobProgress(handler),
});
