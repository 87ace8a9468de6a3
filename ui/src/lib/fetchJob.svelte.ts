// The Stripe fetch, window-wide: it keeps running and reporting while the
// user looks at another page, and the Invoices page re-reads its table when
// it ends.

import { api } from './api';
import { initialFetch, reduceFetch, type FetchProgress } from './jobProgress';
import type { FetchRequest, FetchSummary, UiError } from './wire';

class FetchJob {
  running = $state(false);
  progress: FetchProgress = $state(initialFetch());
  summary: FetchSummary | null = $state(null);
  error: UiError | null = $state(null);
  /** Bumped when a fetch ends, so the table re-reads. */
  completed = $state(0);

  async start(request: FetchRequest): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.summary = null;
    this.error = null;
    this.progress = initialFetch();
    const unlisten = await api.onJobProgress((event) => {
      this.progress = reduceFetch(this.progress, event);
    });
    try {
      this.summary = await api.fetchStripe(request);
    } catch (error) {
      this.error = error as UiError;
    } finally {
      unlisten();
      this.running = false;
      this.completed++;
    }
  }
}

export const fetchJob = new FetchJob();
