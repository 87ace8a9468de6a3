// Fetching unpaid invoices from QuickBooks or Zoho: the same window-wide
// fetch job as Stripe's (fetchJob.svelte.ts), bound to one provider and
// started with date filters.

import { FetchJob } from './fetchJob.svelte';
import type { DateFilters, OAuthProvider } from './oauth';
import type { FetchSummary, JobEvent } from './wire';

/** The engine commands a fetch needs (api.ts in the app, fakes in tests). */
export interface FetchCommands {
  fetch(provider: OAuthProvider, filters: DateFilters): Promise<FetchSummary>;
  /** Asks the running fetch to stop; absent when the engine has no such command. */
  cancel?: (provider: OAuthProvider) => Promise<unknown>;
  onProgress(handler: (event: JobEvent) => void): Promise<() => void>;
}

export class ProviderFetch extends FetchJob<DateFilters> {
  constructor(
    readonly provider: OAuthProvider,
    commands: FetchCommands,
  ) {
    const cancel = commands.cancel;
    super({
      fetch: (filters) => commands.fetch(provider, filters),
      cancel: cancel && (() => cancel(provider)),
      onProgress: (handler) => commands.onProgress(handler),
    });
  }
}
