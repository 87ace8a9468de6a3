// Fetching unpaid invoices from QuickBooks or Zoho, window-wide like the
// Stripe fetch: it keeps running and reporting while the user looks at
// another page. Progress comes as job://progress events of kind "fetch",
// folded by the same reducer as Stripe's (pages, invoices, rate-limit waits).

import { initialFetch, reduceFetch, type FetchProgress } from './jobProgress';
import type { DateFilters, OAuthProvider } from './oauth';
import type { FetchSummary, JobEvent, UiError } from './wire';

/** The engine commands a fetch needs (api.ts in the app, fakes in tests). */
export interface FetchCommands {
  fetch(provider: OAuthProvider, filters: DateFilters): Promise<FetchSummary>;
  /** Asks the running fetch to stop; absent when the engine has no such command. */
  cancel?: (provider: OAuthProvider) => Promise<unknown>;
  onProgress(handler: (event: JobEvent) => void): Promise<() => void>;
}

export class ProviderFetch {
  running = $state(false);
  stopping = $state(false);
  progress: FetchProgress = $state(initialFetch());
  summary: FetchSummary | null = $state(null);
  error: UiError | null = $state(null);
  /** Bumped when a fetch ends, so the page re-reads the card's health. */
  completed = $state(0);

  constructor(
    readonly provider: OAuthProvider,
    private readonly commands: FetchCommands,
  ) {}

  get canCancel(): boolean {
    return this.commands.cancel !== undefined;
  }

  async start(filters: DateFilters): Promise<void> {
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
      this.summary = await this.commands.fetch(this.provider, filters);
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
      await this.commands.cancel(this.provider);
    } catch (error) {
      this.stopping = false;
      this.error = error as UiError;
    }
  }
}
